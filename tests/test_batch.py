"""Batch runs at scale: compressed streams, chunked JSONL on worker processes,
resuming after an interruption, the progress bar and the Dask engine."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard

from cleaner import Cleaner
from cleaner.batch import BatchOptions, Finished, run_batch
from cleaner.cli import main
from cleaner.engines import InlineEngine, ProcessEngine
from cleaner.outputs import STATE_FOLDER, OutputFolder
from cleaner.plan import find_inputs
from cleaner.progress import ProgressBar, Summary
from cleaner.records import NOT_CLEANED, Record
from conftest import FIXTURES, ROOT
from test_cli import read_report, snapshot, unplaced

ARTICLES = sorted((FIXTURES / "articles").glob("*.txt"))


def corpus_lines(count: int) -> list[str]:
    """`count` JSONL records cycling through the fixture articles, with ids."""
    texts = [path.read_bytes().decode("utf-8", "replace") for path in ARTICLES]
    return [json.dumps({"id": n, "text": texts[n % len(texts)], "source": "fixture"}) + "\n" for n in range(count)]


def write_corpus(folder: Path, count: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = corpus_lines(count)
    lines[min(7, count - 1)] = "{broken\n"  # one bad record: reported, the rest goes on
    (folder / "plain.jsonl").write_text("".join(lines), encoding="utf-8")
    (folder / "packed.jsonl.gz").write_bytes(gzip.compress("".join(lines).encode()))
    (folder / "packed.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress("".join(lines).encode()))
    for path in ARTICLES[:4]:
        shutil.copy(path, folder / path.name)
    return folder


def decompress(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    if path.suffix == ".zst":
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data


def run(cleaner: Cleaner, folder: Path, out: Path, engine, **options) -> list[dict]:
    records: list[dict] = []
    with OutputFolder.open_locked(out) as folder_out:
        for step in run_batch(cleaner, find_inputs([folder]).inputs, folder_out, engine, BatchOptions(**options)):
            records.extend(record.to_dict() for record in step.records)
    return records


def test_compressed_jsonl_is_read_and_written_compressed_the_same_way(tmp_path):
    folder = write_corpus(tmp_path / "in")
    records = run(Cleaner(), folder, tmp_path / "out", InlineEngine(), chunk_bytes=4096)
    plain = (tmp_path / "out/plain.jsonl").read_bytes()
    assert decompress(tmp_path / "out/packed.jsonl.gz") == plain
    assert decompress(tmp_path / "out/packed.jsonl.zst") == plain
    lines = [json.loads(line) for line in plain.splitlines()]
    assert len(lines) == 40  # every record, the one that is not JSON with its error
    assert lines[7]["cleaner"]["status"] == "error" and lines[7]["raw"] == "{broken"
    by_path = {r["path"]: r for r in records}
    for name in ("plain.jsonl", "packed.jsonl.gz", "packed.jsonl.zst"):
        assert by_path[f"{folder / name}:8"]["error"].startswith("not valid JSON")
        assert by_path[f"{folder / name}:40"]["status"] == "ok"
    assert [r["path"] for r in records if r["path"].startswith(str(folder / "plain.jsonl"))] == [
        f"{folder / 'plain.jsonl'}:{n}" for n in range(1, 41)
    ]  # input order, whatever the chunking


def test_chunked_jsonl_on_worker_processes_equals_one_process(tmp_path):
    folder = write_corpus(tmp_path / "in")
    one = run(Cleaner(), folder, tmp_path / "one", InlineEngine())
    engine = ProcessEngine(2, config=Cleaner().config)  # workers forked with the tables loaded
    try:
        two = run(Cleaner(), folder, tmp_path / "two", engine, chunk_bytes=2048, in_flight=3)
    finally:
        engine.close()
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert unplaced(one) == unplaced(two)


def report_what_the_worker_inherited(config, task):
    """Stands in for run_task: whether this worker process had the language
    profiles and word tables before any work, and its collector frozen; and
    whether cleaning an English page used those tables, not a copy of its own."""
    import gc

    from cleaner.engines.task import cleaner_for
    from cleaner.formats import TaskResult
    from cleaner.steps.language import _load_factory, _rust_factory, backend
    from cleaner.steps.spun import _reference_tables

    profiles = _rust_factory if backend() == "rust" else _load_factory
    loaded = profiles.cache_info().currsize == 1 and _reference_tables.cache_info().currsize == 1
    cleaner_for(config).clean(ENGLISH_PAGE)
    one_copy = _reference_tables.cache_info().currsize == 1
    return TaskResult([], [{"loaded": loaded, "frozen": gc.get_freeze_count() > 0, "one_copy": one_copy}])


ENGLISH_PAGE = (
    "The council met on Tuesday and approved the budget for the new library after a long debate.\n"
    "Work on the building will begin in the spring and should take about two years to finish.\n"
)


@pytest.mark.skipif(sys.platform != "linux", reason="workers share the tables where processes fork")
def test_workers_share_the_tables_their_parent_loaded_before_starting_them(tmp_path):
    script = """
import json, sys
from test_batch import report_what_the_worker_inherited
from cleaner import Cleaner
from cleaner.engines import ProcessEngine
from cleaner.formats import Task
config = Cleaner().config
engine = ProcessEngine(2, run=report_what_the_worker_inherited, config=config if sys.argv[1] == "yes" else None)
found = [engine.submit(config, Task("text", "x.txt", "/x.txt", None, 1000, b"x")).result().records[0] for _ in range(4)]
engine.close()
print(json.dumps(found))
"""
    def inherited(preload: str) -> list[dict]:
        done = subprocess.run([sys.executable, "-c", script, preload], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert inherited("yes") == [{"loaded": True, "frozen": True, "one_copy": True}] * 4
    # The control: each worker loads its own, on its first page.
    control = inherited("no")
    assert sum(not found["loaded"] for found in control) >= 1 and not any(found["frozen"] for found in control)
    assert all(found["one_copy"] for found in control)


def crash_on_marker(config, task):
    """run_task, but the worker process dies outright on a document with CRASH in it."""
    from cleaner.engines import run_task

    if b"CRASH" in task.data or any(b"CRASH" in line for _, line in task.lines):
        os._exit(1)
    return run_task(config, task)


def test_a_document_that_kills_its_worker_fails_alone(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        shutil.copy(ARTICLES[n % len(ARTICLES)], folder / f"doc{n}.txt")
    (folder / "doc3.txt").write_text("CRASH this worker, as a library bug or the OOM killer would.\n")
    lines = corpus_lines(6)
    lines[4] = json.dumps({"id": 4, "text": "CRASH here too"}) + "\n"
    (folder / "stream.jsonl").write_text("".join(lines), encoding="utf-8")
    engine = ProcessEngine(2, run=crash_on_marker)
    try:
        records = run(Cleaner(), folder, tmp_path / "out", engine, chunk_bytes=1)  # one record per task
    finally:
        engine.close()
    failed = {Path(r["path"]).name for r in records if r["status"] == "error"}
    assert failed == {"doc3.txt", "stream.jsonl:5"}
    assert all("worker process died" in r["error"] for r in records if r["status"] == "error")
    assert len(records) == 12  # every document is accounted for
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "doc0.txt", "doc1.txt", "doc2.txt", "doc4.txt", "doc5.txt", "stream.jsonl"
    ]
    stream = [json.loads(line) for line in (tmp_path / "out/stream.jsonl").read_text().splitlines()]
    assert len(stream) == 6 and stream[4]["cleaner"]["status"] == "error"  # every record, the one that killed with its error


def test_a_stream_that_breaks_part_way_gets_no_output_and_the_batch_goes_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    whole = gzip.compress("".join(corpus_lines(30)).encode())
    (folder / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # a truncated download
    shutil.copy(ARTICLES[0], folder / "fine.txt")
    out = tmp_path / "out"
    assert main(["clean", str(folder), "-o", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert f"cleaner: {folder / 'cut.jsonl.gz'}: cannot read:" in err
    assert not (out / "cut.jsonl.gz").exists() and (out / "fine.txt").is_file()
    assert not list(out.rglob("*.tmp"))


def test_an_output_that_cannot_be_written_fails_that_file_only(tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(ARTICLES[0], folder / "sub/story.txt")
    (folder / "stream.jsonl").write_text("".join(corpus_lines(3)), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").write_text("a file where the output folder should be")
    assert main(["clean", str(folder), "-o", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert f"cleaner: {folder / 'sub/story.txt'}: cannot write {out / 'sub/story.txt'}:" in err
    assert "Traceback" not in err
    assert len((out / "stream.jsonl").read_text().splitlines()) == 3  # the other file is written


def test_resume_skips_what_is_up_to_date_and_redoes_what_changed(tmp_path, capsys):
    folder = write_corpus(tmp_path / "in", count=12)
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    args = ["clean", str(folder), "-o", str(out), "--jobs", "1", "--report", str(report)]
    main(args)
    first, first_report = snapshot(out), report.read_bytes()
    capsys.readouterr()

    main(args + ["--resume"])
    assert "(7 up to date, not redone)" in capsys.readouterr().err
    assert snapshot(out) == first and report.read_bytes() == first_report  # the report is whole, from the state

    (folder / ARTICLES[0].name).write_text("A new first line for the council story.\n\nIt met on Friday.\n")
    main(args + ["--resume"])
    assert "(6 up to date, not redone)" in capsys.readouterr().err  # the edited input is redone
    assert (out / ARTICLES[0].name).read_text().startswith("A new first line")

    main(args + ["--resume", "--spun-threshold", "0.9"])
    assert "up to date" not in capsys.readouterr().err  # other options: nothing is up to date


def test_resume_keys_on_rule_contents_not_where_they_lie(tmp_path, capsys):
    folder = write_corpus(tmp_path / "in", count=3)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.toml").write_text('[source]\nid = "mine"\ngeneric = true\n[[drop]]\nid = "x"\npattern = "^Sponsored$"\n')
    out = tmp_path / "out"
    main(["clean", str(folder), "-o", str(out), "--jobs", "1", "--rules", str(rules)])
    moved = tmp_path / "moved"
    shutil.copytree(rules, moved)
    capsys.readouterr()
    main(["clean", str(folder), "-o", str(out), "--jobs", "1", "--rules", str(moved), "--resume"])
    assert "(7 up to date, not redone)" in capsys.readouterr().err
    (moved / "mine.toml").write_text((moved / "mine.toml").read_text().replace("Sponsored", "Advert"))
    main(["clean", str(folder), "-o", str(out), "--jobs", "1", "--rules", str(moved), "--resume"])
    assert "up to date" not in capsys.readouterr().err  # other rules: nothing is up to date


def test_resume_redoes_an_output_that_was_deleted(tmp_path, capsys):
    folder = write_corpus(tmp_path / "in", count=5)
    out = tmp_path / "out"
    main(["clean", str(folder), "-o", str(out), "--jobs", "1"])
    (out / "plain.jsonl").unlink()
    capsys.readouterr()
    main(["clean", str(folder), "-o", str(out), "--jobs", "1", "--resume"])
    assert "(6 up to date, not redone)" in capsys.readouterr().err
    assert (out / "plain.jsonl").is_file()


def start_run(folder: Path, out: Path, report: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cleaner.cli", "clean", str(folder), "-o", str(out), "--report", str(report), *extra],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_some_output(out: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if len(list((out / STATE_FOLDER).rglob("*.state.gz"))) >= 3:
            return
        time.sleep(0.05)
    raise AssertionError("the run ended, or made no output, before it could be interrupted")


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc to find the worker processes")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_run_resumes_to_exactly_the_uninterrupted_outputs(tmp_path, how):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(60):  # many small files: the run is interrupted between and inside them
        shutil.copy(ARTICLES[n % len(ARTICLES)], folder / f"doc{n:03}.txt")
    (folder / "stream.jsonl").write_text("".join(corpus_lines(60)), encoding="utf-8")

    whole, whole_report = tmp_path / "whole", tmp_path / "whole.jsonl"
    assert start_run(folder, whole, whole_report, "--jobs", "2").wait(timeout=600) == 0

    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    process = start_run(folder, out, report, "--jobs", "2")
    wait_for_some_output(out, process)
    workers = children(process.pid)
    assert len(workers) >= 2
    process.send_signal(how)
    code = process.wait(timeout=60)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)  # no worker outlives its run, however it ended
    if how == signal.SIGINT:
        assert code == 130 and "interrupted" in process.stderr.read()
        assert not list(out.rglob("*.tmp"))  # Ctrl-C cleans up after itself
    else:
        assert list(tmp_path.glob(".report.jsonl.*.tmp"))  # kill -9 leaves the open report's temporary file
    for path in out.rglob("*"):  # nothing half-written at an output path
        if path.is_file() and not path.name.endswith(".tmp") and STATE_FOLDER not in path.parts:
            assert path.read_bytes() == (whole / path.relative_to(out)).read_bytes(), path
    assert not report.exists()
    done_before = len(list((out / STATE_FOLDER).rglob("*.state.gz")))
    assert 3 <= done_before < 61

    process = start_run(folder, out, report, "--jobs", "2", "--resume")
    assert process.wait(timeout=600) == 0
    assert f"({done_before} up to date, not redone)" in process.stderr.read()
    assert snapshot(out) == snapshot(whole)
    assert not list(out.rglob("*.tmp")) and not list(tmp_path.glob(".report.jsonl.*.tmp"))  # a killed run's leftovers go
    assert unplaced(read_report(report)) == unplaced(read_report(whole_report))


def test_summary_counts_and_lists_failures():
    summary = Summary(files=2)
    fields = {"language": "en", "dropped": [{"line": 1, "reason": "heuristic:nav"}] * 2, "spun": {"flagged": True},
              "chars_in": 10, "chars_out": 4}
    ok = Record.cleaned("a.txt", {**NOT_CLEANED, **fields})
    bad = Record.failed("b.jsonl:3", "not a JSON object")
    summary.add(Finished([ok], bytes_read=2_500_000, files_done=1, bytes_written=1_000))
    summary.add(Finished([bad], bytes_read=500_000, files_done=1))
    text = summary.text(2.0, Path("out"), "r.jsonl", None)
    assert "2 documents in 2 files: 1 cleaned, 1 failed, 1 flagged as spun" in text
    assert "3.0 MB read, 1.0 KB written" in text and "1.50 MB/s" in text
    assert "2 lines dropped: heuristic:nav 2" in text and "languages: en 1" in text
    assert "  b.jsonl:3: not a JSON object" in text


def test_progress_bar_shows_files_and_documents_only_when_enabled(capsys):
    step = Finished([Record("a.txt", "ok")], bytes_read=1000, files_done=1)
    summary = Summary(files=4)
    summary.totals.update(documents=1, files_done=1)
    bar = ProgressBar(4000, enabled=True)
    bar.update(step, summary)
    bar.close()
    shown = capsys.readouterr().err
    assert "1/4 files, 1 docs" in shown and "25%" in shown
    quiet = ProgressBar(4000, enabled=False)
    quiet.update(step, summary)
    quiet.close()
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_engine_dask_equals_local_byte_for_byte(tmp_path):
    pytest.importorskip("distributed")
    folder = write_corpus(tmp_path / "in", count=25)
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["clean", str(folder), "-o", str(local), "--jobs", "2", "--report", str(tmp_path / "local.jsonl")]) == 1
    code = main(["clean", str(folder), "-o", str(dask), "--engine", "dask", "--jobs", "2",
                 "--report", str(tmp_path / "dask.jsonl")])
    assert code == 1  # the broken record fails on Dask too
    assert snapshot(dask) == snapshot(local) and snapshot(local)
    assert unplaced(read_report(tmp_path / "dask.jsonl")) == unplaced(read_report(tmp_path / "local.jsonl"))


def test_scheduler_without_dask_engine_is_a_usage_error(tmp_path, capsys):
    folder = write_corpus(tmp_path / "in", count=2)
    assert main(["clean", str(folder), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler goes with --engine dask" in capsys.readouterr().err


def test_the_resume_key_is_the_same_whatever_the_hash_seed():
    """A run's fingerprint (the resume state's key) is made from its options'
    text: a set of languages must give the same text in every process, or
    --resume would redo files at random."""
    script = (
        "from cleaner import Cleaner\n"
        "from cleaner.formats import DocumentOptions\n"
        "from cleaner.formats.base import Filters\n"
        "from cleaner.state import run_fingerprint\n"
        "languages = frozenset({'en', 'de', 'fr', 'ru', 'zh-cn', 'pt', 'es', 'it'})\n"
        "print(run_fingerprint(Cleaner(), DocumentOptions(1000, filters=Filters(languages=languages))))\n"
    )
    keys = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}).stdout
        for seed in ("0", "1", "2", "3", "4", "5")
    }
    assert len(keys) == 1, keys


def test_a_document_whose_output_is_lost_drops_no_lines_by_reason_or_by_step():
    """Reported as failed, a lost document's dropped lines leave the summary
    by step as they leave it by reason: the two counts agree."""
    from cleaner.progress import Summary

    story = (FIXTURES / "articles/harbour-ferry.txt").read_text(encoding="utf-8")
    record = Record.of_result("a.txt", Cleaner().clean("Skip to main content\n\n" + story))
    assert record.dropped and record.dropped_by_step
    summary = Summary()
    summary.add(Finished([record.as_failed("not written: the disk is full")]))
    assert summary.totals["error"] == 1 and not summary.reasons and not summary.steps


def test_every_document_option_changes_the_resume_key():
    """The options' text for the key (state._canonical) keeps every value:
    a set's items, a nested dataclass's fields, a tuple's items."""
    from dataclasses import replace

    from cleaner.formats import DocumentOptions
    from cleaner.formats.base import Filters
    from cleaner.state import run_fingerprint

    cleaner = Cleaner()
    base = DocumentOptions(1000, filters=Filters(languages=frozenset({"en"})))
    variants = [
        base,
        replace(base, filters=Filters(languages=frozenset({"en", "de"}))),
        replace(base, filters=Filters(languages=frozenset({"en"}), min_words=5)),
        replace(base, max_lines=10),
        replace(base, result="full"),
    ]
    assert len({run_fingerprint(cleaner, options) for options in variants}) == len(variants)
    assert run_fingerprint(cleaner, base, (1, 2)) != run_fingerprint(cleaner, base, (2, 1))
