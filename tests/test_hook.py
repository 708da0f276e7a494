"""The pre-commit hooks: entry point on temporary repositories, and the real
pre-commit framework pointed at this checkout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import cleaner
from cleaner.hook import main
from conftest import FIXTURES, ROOT, SEEDS

DIRTY = FIXTURES / "articles/town-newsletter.txt"


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture()
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.invalid")
    git(tmp_path, "config", "user.name", "test")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_fails_on_an_added_dirty_file_with_file_line_reason(repo, capsys):
    shutil.copy(DIRTY, repo / "dirty.txt")
    git(repo, "add", "dirty.txt")
    assert main(["check", "dirty.txt"]) == 1
    out = capsys.readouterr().out
    assert "dirty.txt:1: rule:generic/search-box: Type to search" in out
    assert (repo / "dirty.txt").read_bytes() == DIRTY.read_bytes()  # check never writes


def test_check_refuses_an_added_file_over_the_line_limit_and_checks_the_others(repo, capsys):
    (repo / "lines.txt").write_bytes(b"ab\n" * 1_000_000)  # took the hook 31 s before it kept clean's limits
    shutil.copy(DIRTY, repo / "dirty.txt")
    git(repo, "add", "lines.txt", "dirty.txt")
    assert main(["check", "lines.txt", "dirty.txt"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "lines.txt: more than 100,000 lines (1,000,001; --max-doc-lines)\n"
    assert "dirty.txt:1: rule:generic/search-box: Type to search" in captured.out
    assert main(["fix", "--max-doc-lines", "10", "lines.txt"]) == 1
    assert capsys.readouterr().err == "lines.txt: more than 10 lines (1,000,001; --max-doc-lines)\n"
    assert (repo / "lines.txt").read_bytes() == b"ab\n" * 1_000_000  # refused, so never rewritten


def test_check_passes_a_clean_article_untouched(repo, capsys):
    clean_text = cleaner.clean(DIRTY.read_bytes()).text
    (repo / "clean.txt").write_text(clean_text, encoding="utf-8")
    git(repo, "add", "clean.txt")
    assert main(["check", "clean.txt"]) == 0
    assert capsys.readouterr().out == ""
    assert (repo / "clean.txt").read_text(encoding="utf-8") == clean_text


def test_only_added_files_are_checked_unless_all(repo):
    shutil.copy(DIRTY, repo / "old.txt")
    git(repo, "add", "old.txt")
    git(repo, "commit", "-qm", "old article")
    (repo / "old.txt").write_text(DIRTY.read_text() + "\nOne more line.\n")
    git(repo, "add", "old.txt")  # modified, not added
    assert main(["check", "old.txt"]) == 0
    assert main(["check", "--all", "old.txt"]) == 1


def test_fix_rewrites_reports_and_fails_then_check_passes(repo, capsys):
    shutil.copy(DIRTY, repo / "dirty.txt")
    git(repo, "add", "dirty.txt")
    assert main(["fix", "dirty.txt"]) == 1
    assert "Fixing dirty.txt" in capsys.readouterr().out
    text = (repo / "dirty.txt").read_text(encoding="utf-8")
    assert "Type to search" not in text and "Residents voted by a wide margin" in text
    assert main(["check", "dirty.txt"]) == 0
    assert main(["fix", "dirty.txt"]) == 0  # nothing left to change


def test_spun_passage_fails_check_and_threshold_is_an_argument(repo, capsys):
    shutil.copy(FIXTURES / "articles/spun-blog.txt", repo / "spun.txt")
    git(repo, "add", "spun.txt")
    main(["check", "spun.txt"])
    assert "spun.txt:7: spun (score" in capsys.readouterr().out
    main(["check", "spun.txt", "--spun-threshold", "1.0"])
    assert "spun (score" not in capsys.readouterr().out


def test_rules_argument_and_bad_rules(repo, capsys):
    rules = repo / "rules"
    rules.mkdir()
    (rules / "site.toml").write_text(
        '[source]\nid = "site"\ngeneric = true\n[[drop]]\nid = "stamp"\npattern = "^Filed under"\n', encoding="utf-8"
    )
    (repo / "a.txt").write_text(
        "The council met on Tuesday and approved the budget for next year after a long debate.\nFiled under: council\n"
    )
    git(repo, "add", "a.txt")
    assert main(["check", "--rules", str(rules), "a.txt"]) == 1
    assert "a.txt:2: rule:site/stamp" in capsys.readouterr().out
    (rules / "site.toml").write_text("[source\n")
    assert main(["check", "--rules", str(rules), "a.txt"]) == 2


def test_hook_manifest_is_valid_and_names_both_hooks():
    pytest.importorskip("pre_commit")
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert hooks["cleaner-check"]["entry"] == "cleaner-hook check"
    assert hooks["cleaner-fix"]["entry"] == "cleaner-hook fix"
    assert all(h["types_or"] == ["plain-text", "html"] for h in hooks.values())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pre_commit_framework_runs_the_hooks_from_this_checkout(tmp_path):
    """A fresh repository configured with this project's hooks, as a user's would be."""
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("this checkout is not a git repository")
    rev = git(ROOT, "rev-parse", "HEAD").strip()
    if "cleaner-hook" not in git(ROOT, "show", f"{rev}:pyproject.toml"):
        pytest.skip("the committed checkout has no hooks yet")
    repo = tmp_path / "seeds"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "user.name", "test")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {rev}\n  hooks:\n  - id: cleaner-check\n  - id: cleaner-fix\n", encoding="utf-8"
    )
    seed = SEEDS / "003_c7544ab31fb8c754.txt"
    dirty_source = seed if seed.is_file() else DIRTY
    shutil.copyfile(dirty_source, repo / "dirty.txt")  # as a new file of the user's: writable (the seeds are read-only)
    (repo / "clean.txt").write_text(cleaner.clean(dirty_source.read_bytes()).text, encoding="utf-8")
    git(repo, "add", "dirty.txt", "clean.txt", ".pre-commit-config.yaml")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def pre_commit(*args):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", *args], cwd=repo, env=env, capture_output=True, text=True
        )

    failed = pre_commit("cleaner-check", "--files", "dirty.txt")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "dirty.txt:1: rule:generic/search-box: Type to search" in failed.stdout

    passed = pre_commit("cleaner-check", "--files", "clean.txt")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    fixed = pre_commit("cleaner-fix", "--files", "dirty.txt")
    assert fixed.returncode == 1 and "Fixing dirty.txt" in fixed.stdout, fixed.stdout + fixed.stderr
    assert (repo / "dirty.txt").read_text(encoding="utf-8") == (repo / "clean.txt").read_text(encoding="utf-8")


def test_fix_rewrites_only_text_files_and_keeps_their_line_endings(repo, capsys):
    dirty = DIRTY.read_bytes()
    (repo / "notes.md").write_bytes(dirty)
    (repo / "windows.txt").write_bytes(dirty.replace(b"\n", b"\r\n"))
    git(repo, "add", "notes.md", "windows.txt")
    assert main(["fix", "notes.md", "windows.txt"]) == 1
    captured = capsys.readouterr()
    assert (repo / "notes.md").read_bytes() == dirty  # checked, never rewritten
    assert "notes.md:1: rule:generic/search-box: Type to search" in captured.out
    assert captured.err.startswith("notes.md: not fixed: its name does not say it is plain text")
    assert "Fixing windows.txt" in captured.out
    fixed = (repo / "windows.txt").read_bytes()
    assert fixed == cleaner.clean(dirty).text.replace("\n", "\r\n").encode("utf-8")
