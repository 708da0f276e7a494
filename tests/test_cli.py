"""The `cleaner` command line, run in-process (and once as a real process)."""
from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

import cleaner
from cleaner import checking
from cleaner.cli import main
from cleaner.formats import COMPRESSIONS, FORMATS
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


NEWSLETTER = FIXTURES / "articles/town-newsletter.txt"
NOT_TEXT_BY_NAME = "its name does not say it is plain text (--fix rewrites only .txt files, plain or .gz/.zst)"


def test_check_fix_rewrites_only_files_named_as_text(tmp_path, capsys):
    """A file named with any other suffix is read as a document, whatever it
    is: cleaning a script, a README or a table would drop code, headings or
    rows. It is checked as before, and left as it is."""
    dirty = NEWSLETTER.read_bytes()
    others = [tmp_path / name for name in ("script.py", "README.md", "data.csv", "NOTES")]
    for path in others:
        path.write_bytes(dirty)
    text = tmp_path / "article.txt.gz"
    text.write_bytes(gzip.compress(dirty))
    assert main(["check", "--fix", *map(str, others), str(text)]) == 1
    captured = capsys.readouterr()
    for path in others:
        assert path.read_bytes() == dirty
        assert f"{path}:1: rule:generic/search-box: Type to search" in captured.out
        assert f"{path}: not fixed: {NOT_TEXT_BY_NAME}\n" in captured.err
    assert f"Fixing {text}" in captured.out and "Type to search" not in gzip.decompress(text.read_bytes()).decode()
    assert str(text) not in captured.err


def test_check_fix_leaves_a_link_to_a_file_not_named_as_text_and_html_named_as_text(tmp_path, capsys):
    """A link is rewritten at its target: `a.txt` leading to `notes.md` is a
    Markdown file. And a page saved as `.txt` is HTML, whose markup a
    rewrite as text would cut up."""
    dirty = NEWSLETTER.read_bytes()
    (tmp_path / "notes.md").write_bytes(dirty)
    (tmp_path / "a.txt").symlink_to("notes.md")
    page = b"<!DOCTYPE html><html><head><title>Bridge</title></head><body><nav>Home | News</nav><p>" + dirty + b"</p></body></html>"
    (tmp_path / "page.txt").write_bytes(page)
    assert main(["check", "--fix", str(tmp_path / "a.txt"), str(tmp_path / "page.txt")]) == 1
    captured = capsys.readouterr()
    assert (tmp_path / "notes.md").read_bytes() == dirty and (tmp_path / "page.txt").read_bytes() == page
    assert f"{tmp_path / 'a.txt'}: not fixed: it is a link to {tmp_path / 'notes.md'}" in captured.err
    assert f"{tmp_path / 'page.txt'}: not fixed: it holds HTML" in captured.err
    assert "Fixing" not in captured.out


def editing_while_cleaning(monkeypatch, edit) -> None:
    """`check` calls `edit` after reading the file and before replacing it, as
    an editor saving the file while it is checked would."""
    real = checking.clean_document

    def cleaning_while_edited(*args, **kwargs):
        edit()
        return real(*args, **kwargs)

    monkeypatch.setattr(checking, "clean_document", cleaning_while_edited)


def test_check_fix_never_writes_over_an_edit_made_while_it_checked(inputs, monkeypatch, capsys):
    path = inputs / "articles/town-newsletter.txt"
    edited = path.read_bytes() + b"A paragraph the writer added while the check ran.\n"
    editing_while_cleaning(monkeypatch, lambda: path.write_bytes(edited))
    assert main(["check", "--fix", str(path)]) == 1
    captured = capsys.readouterr()
    assert path.read_bytes() == edited
    assert captured.err == f"{path}: not fixed: it changed while it was being checked\n"
    assert "Fixing" not in captured.out
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # its temporary file is gone


def test_check_fix_sees_an_edit_that_keeps_the_size_and_the_time_stamp(inputs, monkeypatch, capsys):
    """A time stamp may be too coarse to show an edit: the bytes are compared too."""
    path = inputs / "articles/town-newsletter.txt"
    before = path.stat()
    edited = path.read_bytes().replace(b"library", b"LIBRARY", 1)

    def edit():
        path.write_bytes(edited)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    editing_while_cleaning(monkeypatch, edit)
    assert main(["check", "--fix", str(path)]) == 1
    assert path.read_bytes() == edited
    assert capsys.readouterr().err == f"{path}: not fixed: it changed while it was being checked\n"


@pytest.mark.parametrize("fix", [[], ["--fix"]], ids=["check", "fix"])
def test_check_refuses_files_of_many_documents_and_checks_the_others(tmp_path, fix, capsys):
    kinds = {"corpus.parquet": "Parquet", "crawl.warc": "WARC", "crawl.warc.gz": "WARC", "corpus.jsonl.zst": "JSONL"}
    for name in kinds:
        (tmp_path / name).write_bytes(b"never read: refused by its name")
    dirty = tmp_path / "dirty.txt"
    shutil.copy(NEWSLETTER, dirty)
    assert main(["check", *fix, *(str(tmp_path / name) for name in kinds), str(dirty)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{tmp_path / name}: check reads text and HTML files; clean {kind} with 'cleaner clean'" for name, kind in kinds.items()
    ]
    assert f"{dirty}:1: rule:generic/search-box: Type to search" in captured.out or f"Fixing {dirty}" in captured.out


@pytest.mark.parametrize("input_format", FORMATS.values(), ids=lambda f: f.name)
@pytest.mark.parametrize("compression", [None, *COMPRESSIONS.values()], ids=lambda c: c.name if c else "plain")
def test_check_fix_ends_in_a_status_for_a_file_of_every_format(tmp_path, input_format, compression, capsys):
    suffix = input_format.suffixes[0] if input_format.suffixes else ".md"
    path = tmp_path / f"document{suffix}{compression.suffix if compression else ''}"
    data = NEWSLETTER.read_bytes()
    if compression is not None:
        data = gzip.compress(data) if compression.name == "gzip" else zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    assert main(["check", "--fix", str(path)]) == 1
    assert all(line.startswith(f"{path}: ") for line in capsys.readouterr().err.splitlines())


@pytest.mark.parametrize(
    "codec, mark, newline",
    [
        ("utf-8", b"", "\r\n"),
        ("utf-8", codecs.BOM_UTF8, "\n"),
        ("utf-8", codecs.BOM_UTF8, "\r\n"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "\n"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "\n"),
        ("cp1252", b"", "\n"),
        ("cp1252", b"", "\r\n"),
    ],
)
def test_check_fix_keeps_the_files_encoding_and_line_endings(tmp_path, codec, mark, newline, capsys):
    """Only the lines cleaning drops change: the kept ones come back byte for byte."""
    text = NEWSLETTER.read_text(encoding="utf-8").replace("Residents voted", "Café owners and residents voted", 1)
    path = tmp_path / "article.txt"
    path.write_bytes(mark + text.replace("\n", newline).encode(codec))
    cleaned = cleaner.clean(text).text
    assert "Type to search" not in cleaned and "Café owners" in cleaned
    assert main(["check", "--fix", str(path)]) == 1
    assert f"Fixing {path}" in capsys.readouterr().out
    assert path.read_bytes() == mark + cleaned.replace("\n", newline).encode(codec)


def test_check_fix_leaves_a_file_whose_encoding_cannot_hold_the_cleaned_text(tmp_path, capsys):
    """'&rarr;' is repaired to an arrow, which no single-byte encoding of Latin
    text holds: written in UTF-8 instead, every accented letter would change."""
    path = tmp_path / "shop.txt"
    original = (FIXTURES / "articles/village-shop-cp1252.txt").read_bytes() + (
        b"The shop is open daily &rarr; see the board by the caf\xe9 door for the hours this winter.\n"
    )
    path.write_bytes(original)
    assert main(["check", "--fix", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: not fixed: the cleaned text holds '→', which its encoding (") and err.count("\n") == 1
    assert path.read_bytes() == original


def test_check_fix_leaves_a_file_of_mixed_line_endings(tmp_path, capsys):
    path = tmp_path / "mixed.txt"
    original = NEWSLETTER.read_bytes().replace(b"\n", b"\r\n", 3)
    path.write_bytes(original)
    lf_only = original.count(b"\n") - 3
    assert main(["check", "--fix", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"{path}: not fixed: its line endings are mixed (3 CRLF, {lf_only} LF), and a rewrite would change them\n"
    )
    assert path.read_bytes() == original


@pytest.mark.parametrize("mode", [0o444, 0o464], ids=oct)
def test_check_fix_leaves_a_read_only_file(inputs, mode, capsys):
    path = inputs / "articles/town-newsletter.txt"
    before = path.read_bytes()
    path.chmod(mode)
    assert main(["check", "--fix", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"{path}: not fixed: it is read-only\n"
    assert f"{path}:1: rule:generic/search-box: Type to search" in captured.out and "Fixing" not in captured.out
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == mode


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
