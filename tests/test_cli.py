"""The `cleaner` command line, run in-process (and once as a real process)."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.outputs import STATE_FOLDER
from cleaner.plan import find_inputs
from conftest import FIXTURES


def snapshot(folder: Path) -> dict[str, str]:
    """Every file's digest, but the resume state (it names its own folder)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and STATE_FOLDER not in p.parts
    }


@pytest.fixture()
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(FIXTURES, folder)
    return folder


def read_report(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def unplaced(records: list[dict]) -> list[dict]:
    """Report records with each output path cut to its file name: runs into
    two output folders must agree on everything else."""
    return [{**r, "output": r["output"] and Path(r["output"]).name} for r in records]


def test_clean_folder_writes_outputs_and_report(inputs, tmp_path, capsys):
    before = snapshot(inputs)
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    assert main(["clean", str(inputs), "-o", str(out), "--report", str(report), "--jobs", "1"]) == 0
    assert snapshot(inputs) == before  # inputs untouched
    assert (out / "articles/harbour-ferry.txt").is_file()
    assert (out / "pages/garden-show.txt").is_file()  # a/b.html -> OUT/a/b.txt
    assert (out / "corpus.jsonl").is_file()
    records = read_report(report)
    by_path = {Path(r["path"]).relative_to(inputs).as_posix(): r for r in records}
    ferry = by_path["articles/harbour-ferry.txt"]
    assert ferry["status"] == "ok" and ferry["error"] is None and ferry["language"] == "en"
    assert {"line": 1, "text": "Skip to main content", "reason": "rule:generic/skip-link", "detail": ""} in ferry["dropped"]
    assert ferry["chars_out"] == len((out / "articles/harbour-ferry.txt").read_text(encoding="utf-8"))
    assert all(r["status"] == "ok" for r in records)
    assert len([r for r in records if r["path"].startswith(str(inputs / "corpus.jsonl"))]) == 3
    summary = capsys.readouterr().err
    files = len(find_inputs([inputs]).inputs)  # fixtures/expected.json is not an input kind
    assert f"{len(records)} documents in {files} files: {len(records)} cleaned, 0 failed" in summary
    assert "languages: en" in summary
    # Dropped lines counted by step as the pipeline claimed them, and by reason: the same lines.
    dropped = sum(len(r["dropped"]) for r in records)
    by_step = {}
    for r in records:
        for step, n in r["dropped_by_step"].items():
            by_step[step] = by_step.get(step, 0) + n
    assert sum(by_step.values()) == dropped and {"rules", "heuristics"} <= set(by_step)
    assert f"{dropped} lines dropped (" in summary and f"rules {by_step['rules']}" in summary
    assert not list(out.rglob(".*.tmp"))  # no temporary files left behind
    import os, stat

    umask = os.umask(0)
    os.umask(umask)
    for written in (out / "articles/harbour-ferry.txt", report):  # not the temporary file's private 0600
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask


def test_jsonl_records_keep_their_fields_and_gain_the_result(inputs, tmp_path):
    out = tmp_path / "out"
    assert main(["clean", str(inputs / "corpus.jsonl"), "-o", str(out), "--jobs", "1", "--result", "full"]) == 0
    records = read_report(out / "corpus.jsonl")
    assert [r["id"] for r in records] == ["river-1", "river-2", "river-3"]
    assert records[0]["url"] == "https://news.example.org/river-clean-up"
    assert "Skip to content" not in records[0]["text"] and "html" not in records[1]
    assert "Pupils at the primary school" in records[1]["text"] and records[1]["cleaner"]["extracted"] is True
    assert records[2]["text"].startswith("Café reopens")  # mojibake repaired
    assert records[2]["cleaner"]["repairs"]


def test_bad_inputs_are_reported_and_the_rest_is_cleaned(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "articles/harbour-ferry.txt", folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("   \n\n  \n")
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (folder / "docs.jsonl").write_text('{"id": 1, "text": "The bridge reopened on Monday after a month of repairs to its deck."}\n{broken\n{"id": 3}\n')
    before = snapshot(folder)
    report = tmp_path / "r.jsonl"
    code = main(["clean", str(folder), "-o", str(tmp_path / "out"), "--report", str(report), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert f"{folder / 'empty.txt'}: empty file" in err
    assert f"{folder / 'blank.txt'}: blank" in err
    assert f"{folder / 'image.html'}: not text" in err
    assert f"{folder / 'docs.jsonl'}:2: not valid JSON" in err
    assert f"{folder / 'docs.jsonl'}:3: record has no 'text' or 'html'" in err
    statuses = {Path(r["path"]).name: r["status"] for r in read_report(report)}
    assert statuses["good.txt"] == "ok" and statuses["docs.jsonl:1"] == "ok"
    assert (tmp_path / "out/good.txt").is_file() and not (tmp_path / "out/empty.txt").exists()
    assert snapshot(folder) == before


@pytest.mark.parametrize("where", ["same", "inside"])
def test_output_folder_in_the_input_is_refused_before_writing(inputs, where, capsys):
    out = inputs if where == "same" else inputs / "cleaned"
    before = snapshot(inputs)
    assert main(["clean", str(inputs), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"output folder {out}: is {'the' if where == 'same' else 'inside the'} input folder {inputs}" in err
    assert snapshot(inputs) == before


def test_broken_rule_file_is_refused_with_exit_2(inputs, tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.toml").write_text('[source]\nid = "bad"\ngeneric = true\n[[drop]]\nid = "x"\npattern = "(oops"\n')
    out = tmp_path / "out"
    assert main(["clean", str(inputs), "-o", str(out), "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert f"{rules / 'bad.toml'}:4:" in err and "bad regex" in err and "Traceback" not in err
    assert not out.exists()


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    assert main(["clean", str(tmp_path / "nope"), "-o", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_parallel_run_equals_serial_run(inputs, tmp_path):
    main(["clean", str(inputs), "-o", str(tmp_path / "one"), "--jobs", "1", "--report", str(tmp_path / "one.jsonl")])
    main(["clean", str(inputs), "-o", str(tmp_path / "two"), "--jobs", "2", "--report", str(tmp_path / "two.jsonl")])
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert unplaced(read_report(tmp_path / "one.jsonl")) == unplaced(read_report(tmp_path / "two.jsonl"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_builds_its_cleaner_once(inputs, tmp_path, monkeypatch, jobs):
    """The cleaner that checks the rule files is the one the tasks (and the
    workers forked from this process) use: building one compiles every rule."""
    from cleaner import pipeline
    from cleaner.engines import cleaner_for

    built = []
    original = pipeline.Cleaner.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(pipeline.Cleaner, "__init__", counted)
    cleaner_for.cache_clear()  # none cached from other tests
    assert main(["clean", str(inputs), "-o", str(tmp_path / "out"), "--jobs", jobs]) == 0
    assert len(built) == 1


def test_check_reports_file_line_reason_and_exits_1(inputs, capsys):
    path = inputs / "articles/town-newsletter.txt"
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{path}:1: rule:generic/search-box: Type to search" in out
    assert any(line.startswith(f"{path}:19: heuristic:newsletter_box") for line in out)


def test_check_passes_a_clean_article_untouched(tmp_path, capsys):
    path = tmp_path / "clean.txt"
    path.write_text(
        "Town keeps its library open\n\nResidents voted to keep the library open on Sundays after a six-month trial.\n\n"
        "The extra hours will cost about thirty thousand pounds a year, the council said.\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    assert main(["check", str(path), "--fix"]) == 0
    assert capsys.readouterr().out == ""
    assert path.read_bytes() == before


def test_check_fix_rewrites_and_a_second_check_passes(inputs, capsys):
    path = inputs / "articles/harbour-ferry.txt"
    assert main(["check", "--fix", str(path)]) == 1
    assert f"Fixing {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "Skip to main content" not in text and "The harbour ferry carried" in text
    assert main(["check", str(path)]) == 0


def test_check_reports_spun_passages_with_evidence(inputs, capsys):
    path = inputs / "articles/spun-blog.txt"
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert f"{path}:7: spun (score" in out and "split_number" in out
    assert "cut 'get free instagram followers'" in out


def test_explain_shows_every_line_with_its_verdict(capsys):
    assert main(["explain", str(FIXTURES / "articles/harbour-ferry.txt")]) == 0
    out = capsys.readouterr().out
    assert "    1 DROP [rule:generic/skip-link] Skip to main content" in out
    assert "   14 keep And then the rain came." in out
    assert "spun: score" in out and "\033[" not in out  # no colour when not a terminal


LINES_MESSAGE = "more than 100,000 lines (1,000,001; --max-doc-lines)"


@pytest.fixture()
def million_lines(tmp_path) -> Path:
    """3 MB of two-letter lines: 64 s and 1.1 GB to check before `check` kept `clean`'s limits."""
    path = tmp_path / "lines.txt"
    path.write_bytes(b"ab\n" * 1_000_000)
    return path


def test_check_refuses_a_file_over_the_line_limit_and_checks_the_others(inputs, million_lines, capsys):
    dirty = inputs / "articles/town-newsletter.txt"
    assert main(["check", str(million_lines), str(dirty)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"{million_lines}: {LINES_MESSAGE}\n"  # clean's words, naming the file
    assert f"{dirty}:1: rule:generic/search-box: Type to search" in captured.out


def test_check_keeps_the_size_and_tag_limits_it_is_given(tmp_path, million_lines, capsys):
    assert main(["check", "--max-doc-mb", "1", str(million_lines)]) == 1
    assert capsys.readouterr().err == f"{million_lines}: larger than the limit of 1 MB (--max-doc-mb)\n"
    page = tmp_path / "many.html"
    page.write_text("<html><body>" + "<p>Short paragraph here.</p>" * 2000 + "</body></html>")
    assert main(["check", "--max-doc-lines", "1000", str(page)]) == 1
    assert capsys.readouterr().err == f"{page}: more than 1,000 tags (4,004; --max-doc-lines)\n"


def test_explain_refuses_a_file_over_the_limits_with_cleans_message(tmp_path, million_lines, capsys):
    assert main(["explain", str(million_lines)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"cleaner: {million_lines}: {LINES_MESSAGE}\n" and captured.out == ""
    assert main(["explain", "--max-doc-mb", "1", str(million_lines)]) == 2
    assert capsys.readouterr().err == f"cleaner: {million_lines}: larger than the limit of 1 MB (--max-doc-mb)\n"
    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"html": "<html><body>" + "<p>Short.</p>" * 600 + "</body></html>"}) + "\n")
    assert main(["explain", "--record", "1", "--max-doc-lines", "500", str(records)]) == 2
    assert capsys.readouterr().err == f"cleaner: {records}:1: more than 500 tags (1,204; --max-doc-lines)\n"
    # A record over the size limit is named as `clean` names it, not "no document there".
    records.write_text(json.dumps({"text": "Short."}) + "\n" + json.dumps({"text": "x" * 1_200_000}) + "\n")
    assert main(["explain", "--record", "2", "--max-doc-mb", "1", str(records)]) == 2
    assert capsys.readouterr().err == f"cleaner: {records}:2: line larger than the limit of 1 MB (--max-doc-mb)\n"
    assert main(["explain", "--record", "1", "--max-doc-mb", "1", str(records)]) == 0


def test_rules_test_command(capsys):
    assert main(["rules", "test"]) == 0
    assert "ok   generic" in capsys.readouterr().out


def test_console_script_help_and_version():
    run = subprocess.run([sys.executable, "-m", "cleaner.cli", "clean", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "--report" in run.stdout and "Inputs are never modified" in run.stdout
    run = subprocess.run([sys.executable, "-m", "cleaner.cli"], capture_output=True, text=True)
    assert run.returncode == 2 and "usage:" in run.stderr
