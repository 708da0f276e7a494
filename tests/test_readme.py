"""The README's examples, as written: its shell commands are run (those that
need no network and stop by themselves), and its pre-commit configurations
and try-repo line work with the real pre-commit framework."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cleaner
from conftest import FIXTURES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
DIRTY = FIXTURES / "articles/town-newsletter.txt"


def blocks(language: str) -> list[str]:
    """The README's fenced blocks of `language`, indented ones (inside a list
    item) too, with their indentation taken off."""
    found = []
    for match in re.finditer(rf"^( *)```{language}\n(.*?)^\1```$", README, re.MULTILINE | re.DOTALL):
        indent = len(match.group(1))
        found.append("".join(line[indent:] for line in match.group(2).splitlines(keepends=True)))
    return found


def commands(block: str) -> list[str]:
    """One command a line (a line ending in a backslash goes on)."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def sh_commands() -> list[str]:
    """Every command of every sh block; a line of commands joined by && is
    one command each."""
    return [part.strip() for block in blocks("sh") for line in commands(block) for part in line.split(" && ")]


def not_run_because(command: str) -> str | None:
    """Why `command` is not run by test_sh_examples_run, or None: it is."""
    if command.startswith("pip install"):
        return "installs from an index: test_install.py builds the wheel and installs it by its name; .ci/run runs the Quick start in a fresh environment"
    if command.startswith("python -m pytest"):
        return "the test suite itself"
    if command.startswith(("dask scheduler", "dask worker")):
        return "starts a service of a cluster, which runs until it is stopped"
    if "tcp://SCHEDULER" in command:
        return "names a cluster of the reader's (test_batch.py runs the Dask engine on a local one)"
    if command.startswith("git add") or command.startswith("pre-commit try-repo"):
        return "run by test_try_repo_example_checks_a_staged_file, which needs an index for the hook's environment"
    if command.startswith("python bench/"):
        return "run by test_benchmark_examples_run, where the development pages are"
    return None


def test_quick_start_is_one_block_of_two_commands():
    """.ci/run takes the first block after '## Quick start' and runs its two lines."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert section.count("```sh") == 1
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert len(commands(block)) == 2


def test_every_sh_example_is_run_or_says_why():
    """Each shell command in the README is either run by the test below or
    has a reason here; a synopsis is not an sh block. An example the tests
    do not know fails this test until it is sorted."""
    found = sh_commands()
    assert len(found) >= 10
    run = [c for c in found if not_run_because(c) is None]
    assert all(c.startswith("cleaner ") for c in run), run
    assert not any("PATH..." in c or "[--" in c for c in found)  # a synopsis in an sh block


def _workspace(tmp_path: Path) -> Path:
    """A folder laid out as the examples expect: the checkout's fixtures and
    bench beside a corpus (the fixture articles) and ../shared."""
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("fixtures", "bench"):
        (work / name).symlink_to(ROOT / name)
    if (ROOT.parent / "shared").is_dir():
        (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    shutil.copytree(FIXTURES / "articles", work / "corpus")
    return work


def _run(command: str, cwd: Path, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    """`command` run by bash, with this environment's commands first on the PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_sh_examples_run(tmp_path):
    """The README's cleaner commands, in its order, as written: each exits 0
    and leaves what it says it writes."""
    work = _workspace(tmp_path)
    ran = []
    for command in sh_commands():
        if not_run_because(command) is None:
            done = _run(command, work)
            assert done.returncode == 0, f"{command}\n{done.stderr}"
            ran.append(command)
    assert len(ran) >= 5
    assert (work / "out/report.jsonl").is_file() and (work / "out/articles/harbour-ferry.txt").is_file()
    assert (work / "cleaned/report.jsonl").is_file() and (work / "cleaned/harbour-ferry.txt").is_file()
    assert (work / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
@pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
def test_benchmark_examples_run(tmp_path):
    pytest.importorskip("numpy")
    work = _workspace(tmp_path)
    bench = [c for c in sh_commands() if c.startswith("python bench/")]
    # the benchmark, the line model's fit and the block model's fit
    assert {c.split()[1] for c in bench} == {"bench/aeb.py", "bench/fit_line_model.py", "bench/fit_block_model.py"}
    for command in bench:
        done = _run(command.replace("python ", f"{sys.executable} ", 1), work, timeout=1200)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert "F1" in done.stdout or "f1" in done.stdout


# --- pre-commit --------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _yaml_blocks() -> list[str]:
    return [block for block in blocks("yaml") if "repos:" in block]


def test_the_pre_commit_example_names_the_release_tag_of_this_version():
    """The tag scheme: a release is tagged v + cleaner.__version__, and the
    README's example names the current one."""
    remote = next(block for block in _yaml_blocks() if "rev:" in block)
    (rev,) = re.findall(r"^\s*rev:\s*(\S+)", remote, re.MULTILINE)
    assert rev == f"v{cleaner.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", cleaner.__version__)


def _user_repository(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "seeds"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "user.name", "test")
    (repo / "seed-rules").mkdir()  # the example's --rules folder
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    shutil.copy(DIRTY, repo / "dirty.txt")
    (repo / "clean.txt").write_text(cleaner.clean(DIRTY.read_bytes()).text, encoding="utf-8")
    git(repo, "add", "dirty.txt", "clean.txt", ".pre-commit-config.yaml")
    return repo


def _pre_commit(repo: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env, capture_output=True, text=True)


def _needs_pre_commit_and_a_committed_checkout() -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("this checkout is not a git repository")


def _holds_to_the_hook(repo: Path, tmp_path: Path) -> None:
    failed = _pre_commit(repo, tmp_path, "run", "cleaner-check", "--files", "dirty.txt")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "dirty.txt:1: " in failed.stdout
    passed = _pre_commit(repo, tmp_path, "run", "cleaner-check", "--files", "clean.txt")
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_remote_example_works_with_a_release_tag(tmp_path):
    """The first example, with its URL replaced by a clone of this checkout
    tagged as a release is: the rev it names exists, and the hook runs."""
    _needs_pre_commit_and_a_committed_checkout()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(ROOT), str(clone))
    git(clone, "tag", f"v{cleaner.__version__}")
    remote = next(block for block in _yaml_blocks() if "rev:" in block)
    config = re.sub(r"(repo:\s*)\S+", rf"\g<1>{clone}", remote, count=1)
    _holds_to_the_hook(_user_repository(tmp_path, config), tmp_path)


@pytest.mark.slow
def test_local_example_works_as_written_where_cleaner_is_installed(tmp_path):
    _needs_pre_commit_and_a_committed_checkout()
    local = next(block for block in _yaml_blocks() if "repo: local" in block)
    _holds_to_the_hook(_user_repository(tmp_path, local), tmp_path)


@pytest.mark.slow
def test_try_repo_example_checks_a_staged_file(tmp_path):
    """The try-repo line, with this checkout for PATH-TO-THIS-REPO: on a
    staged file with boilerplate it fails and says where; without the
    `git add`, the hook skips the file and passes, as the README warns."""
    _needs_pre_commit_and_a_committed_checkout()
    (line,) = [line for block in blocks("sh") for line in commands(block) if "pre-commit try-repo" in line]
    line = line.replace("PATH-TO-THIS-REPO", str(ROOT))
    repo = _user_repository(tmp_path, "repos: []\n")
    shutil.copy(DIRTY, repo / "new.txt")
    home = str(tmp_path / "pre-commit-home")
    try_repo = line.replace("pre-commit", f"{sys.executable} -m pre_commit", 1)
    unstaged = _run(try_repo.split(" && ", 1)[1], repo, PRE_COMMIT_HOME=home)
    assert unstaged.returncode == 0 and "Passed" in unstaged.stdout, unstaged.stdout + unstaged.stderr
    staged = _run(try_repo, repo, PRE_COMMIT_HOME=home)
    assert staged.returncode == 1, staged.stdout + staged.stderr
    assert "new.txt:1: " in staged.stdout
