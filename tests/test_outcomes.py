"""What becomes of each document, as a corpus builder expects: honest
empty outcomes, document filters with a rejects file, every JSONL record
in the output, the output record's size, the record keys, standard input
and output, and single-document options."""
from __future__ import annotations

import gzip
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.cli import main
from conftest import FIXTURES, ROOT

STORY = (FIXTURES / "articles/harbour-ferry.txt").read_text(encoding="utf-8")
BOILERPLATE = "Skip to main content\n\nSubscribe to our newsletter\n\nFollow us on Twitter\n"
GERMAN = (FIXTURES / "articles/bergdorf.txt").read_text(encoding="utf-8")
SPUN = (FIXTURES / "articles/spun-blog.txt").read_text(encoding="utf-8")


def run(args, capsys) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_page_left_empty_is_status_empty_with_no_output_unless_asked(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "boiler.txt").write_text(BOILERPLATE)
    (folder / "story.txt").write_text(STORY)
    report = tmp_path / "r.jsonl"
    code, err = run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--report", report], capsys)
    assert code == 0
    statuses = {Path(r["path"]).name: (r["status"], r["output"]) for r in lines_of(report)}
    assert statuses["boiler.txt"] == ("empty", None) and statuses["story.txt"][0] == "ok"
    assert not (tmp_path / "out/boiler.txt").exists() and (tmp_path / "out/story.txt").is_file()
    assert "1 cleaned, 1 left empty, 0 failed" in err and f"left empty:\n  {folder / 'boiler.txt'}" in err
    code, err = run(["clean", folder, "-o", tmp_path / "kept", "--jobs", "1", "--keep-empty"], capsys)
    assert (tmp_path / "kept/boiler.txt").read_bytes() == b""
    # Resuming knows an empty document is done, though it has no output.
    code, err = run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--resume"], capsys)
    assert "(2 up to date, not redone)" in err


def test_drop_spun_on_a_flagged_page_is_empty_not_ok(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spun.txt").write_text(SPUN)
    report = tmp_path / "r.jsonl"
    run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--report", report, "--drop-spun"], capsys)
    [record] = lines_of(report)
    assert record["spun"]["flagged"]
    assert record["status"] == ("empty" if not record["chars_out"] else "ok")


def test_filters_reject_with_their_reason_and_rejects_keep_documents_whole(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "de.txt").write_text(GERMAN)
    (folder / "en.txt").write_text(STORY)
    (folder / "short.txt").write_text("The vote is on Tuesday.\n\nThe hall opens at nine in the morning.\n")
    (folder / "spun.txt").write_text(SPUN)
    records = [{"id": "a", "text": STORY, "lang": "x"}, {"id": "b", "text": GERMAN}]
    (folder / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    report, rejects, out = tmp_path / "r.jsonl", tmp_path / "rejects.jsonl", tmp_path / "out"
    code, err = run(["clean", folder, "-o", out, "--jobs", "1", "--report", report, "--rejects", rejects,
                     "--languages", "en", "--min-words", "20", "--drop-spun-docs"], capsys)
    assert code == 0, err
    why = {Path(r["path"]).name: r["rejected"] for r in lines_of(report) if r["status"] == "rejected"}
    assert why["de.txt"].startswith("language de is not one of en") and why["docs.jsonl:2"].startswith("language de")
    assert "fewer than 20 (--min-words)" in why["short.txt"]
    assert why["spun.txt"].startswith("flagged as spun")
    assert not (out / "de.txt").exists() and not (out / "short.txt").exists() and (out / "en.txt").is_file()
    kept = lines_of(rejects)
    assert {r.get("path", r.get("id")).rsplit("/", 1)[-1] for r in kept} == {"de.txt", "short.txt", "spun.txt", "b"}
    whole = next(r for r in kept if r.get("id") == "b")
    assert whole["text"] == GERMAN and whole["cleaner"]["status"] == "rejected"  # the record as it came
    assert [r["id"] for r in lines_of(out / "docs.jsonl")] == ["a"]  # the rejected one is not in the output
    assert "4 rejected" in err


def test_a_thousand_records_with_broken_ones_give_a_thousand_out_and_stay_small(tmp_path, capsys):
    rng = random.Random(5)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((FIXTURES / "articles").glob("*.txt"))]
    lines, text_chars = [], 0
    for n in range(1000):
        kind = rng.random()
        if kind < 0.02:
            lines.append("{not json")
        elif kind < 0.035:
            lines.append(json.dumps({"id": n, "body": "no text key"}))
        elif kind < 0.05:
            lines.append(json.dumps([n]))
        else:
            text = texts[n % len(texts)]
            text_chars += len(text.encode("utf-8"))
            lines.append(json.dumps({"id": n, "text": text, "url": f"https://example.org/{n}"}, ensure_ascii=False))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, rejects = tmp_path / "out", tmp_path / "rejects.jsonl"
    code, err = run(["clean", folder, "-o", out, "--jobs", "2", "--rejects", rejects, "--min-chars", "10"], capsys)
    assert code == 1  # the broken ones failed
    written = lines_of(out / "corpus.jsonl")
    rejected = lines_of(rejects) if rejects.exists() else []
    assert len(written) + len(rejected) == 1000
    failed = [r for r in written if r["cleaner"]["status"] == "error"]
    assert len(failed) == sum(1 for line in lines if not line.startswith('{"id": ') or '"body"' in line)
    assert all(r["cleaner"]["error"] for r in failed)
    assert (out / "corpus.jsonl").stat().st_size <= 1.3 * text_chars


def test_result_field_and_record_keys(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "c.jsonl").write_text(json.dumps({"doc": 7, "body": STORY, "link": "https://x.example/a"}) + "\n")
    keys = ["--text-key", "body", "--id-key", "doc", "--url-key", "link"]
    report = tmp_path / "r.jsonl"
    for result in ("none", "summary", "full"):
        out = tmp_path / result
        code, err = run(["clean", folder, "-o", out, "--jobs", "1", "--result", result, "--report", report, *keys], capsys)
        assert code == 0, err
        [record] = lines_of(out / "c.jsonl")
        assert record["doc"] == 7 and record["link"] == "https://x.example/a" and "Harbour ferry" in record["body"]
        assert "text" not in record
        if result == "none":
            assert "cleaner" not in record
        elif result == "summary":
            assert record["cleaner"]["status"] == "ok" and record["cleaner"]["dropped"]["rule:generic/skip-link"] == 1
            assert "labels" not in record["cleaner"] and not isinstance(record["cleaner"]["dropped"], list)
        else:
            assert record["cleaner"]["status"] == "ok" and isinstance(record["cleaner"]["dropped"], list)
    assert lines_of(report)[0]["id"] == 7


def test_html_metadata_into_output_records(tmp_path, capsys):
    page = ("<html><head><title>Garden show opens | Town Paper</title><meta name='author' content='Ann Lee'>"
            "<meta property='article:published_time' content='2024-05-03'></head><body><article>"
            "<h1>Garden show opens</h1><p>" + " ".join(["The town garden show opened on Friday with roses."] * 8)
            + "</p></article></body></html>")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "p.jsonl").write_text(json.dumps({"id": 1, "html": page}) + "\n")
    run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--with-metadata"], capsys)
    [record] = lines_of(tmp_path / "out/p.jsonl")
    assert "Garden show opens" in record["title"] and record["author"] == "Ann Lee" and record["date"] == "2024-05-03"


def test_standard_input_to_standard_output():
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", "-", "-o", "-"], input=STORY.encode(),
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("Harbour ferry returns") and b"Skip to main content" not in done.stdout
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", "-", "-o", "-"], input=b"\x00\x01binary",
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1 and done.stderr.decode().startswith("cleaner: -: not text")


def test_stdin_and_stdout_only_together(tmp_path, capsys):
    code, err = run(["clean", FIXTURES / "articles/harbour-ferry.txt", "-o", "-"], capsys)
    assert code == 2 and "goes with -o -" in err


def test_url_and_source_for_single_inputs(tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "paper.toml").write_text(
        '[source]\nid = "paper"\nhosts = ["paper.example"]\n[[drop]]\nid = "tagline"\npattern = "^The harbour ferry carried"\n'
    )
    report = tmp_path / "r.jsonl"
    story = FIXTURES / "articles/harbour-ferry.txt"
    code, err = run(["clean", story, "-o", tmp_path / "a", "--jobs", "1", "--rules", rules, "--report", report,
                     "--url", "https://www.paper.example/a"], capsys)
    assert code == 0, err
    [record] = lines_of(report)
    assert record["source"] == "paper" and any(d["reason"] == "rule:paper/tagline" for d in record["dropped"])
    code, err = run(["clean", story, "-o", tmp_path / "b", "--jobs", "1", "--rules", rules, "--report", report,
                     "--source", "paper"], capsys)
    assert lines_of(report)[0]["source"] == "paper"
    code, err = run(["clean", FIXTURES / "articles", "-o", tmp_path / "c", "--url", "https://paper.example/"], capsys)
    assert code == 2 and "--url is for one document" in err


def test_explain_a_jsonl_record_and_a_compressed_file(tmp_path, capsys):
    assert main(["explain", str(FIXTURES / "corpus.jsonl"), "--record", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{FIXTURES / 'corpus.jsonl'}:2:") and "extracted from HTML" in out
    assert main(["explain", str(FIXTURES / "corpus.jsonl")]) == 2
    assert "choose one with --record N" in capsys.readouterr().err
    packed = tmp_path / "story.txt.gz"
    packed.write_bytes(gzip.compress(STORY.encode()))
    assert main(["explain", str(packed)]) == 0
    assert "DROP [rule:generic/skip-link] Skip to main content" in capsys.readouterr().out


def test_check_fix_on_compressed_text_as_clean_reads_it(tmp_path, capsys):
    for suffix, pack, unpack in ((".gz", gzip.compress, gzip.decompress),):
        path = tmp_path / f"story.txt{suffix}"
        path.write_bytes(pack(STORY.encode()))
        assert main(["check", "--fix", str(path)]) == 1
        assert f"Fixing {path}" in capsys.readouterr().out
        fixed = unpack(path.read_bytes()).decode()
        assert "Skip to main content" not in fixed and fixed.startswith("Harbour ferry returns")
        assert main(["check", str(path)]) == 0


@pytest.mark.parametrize("module", ["cleaner"])
def test_python_dash_m(module):
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stdout.startswith("cleaner ")


def test_parquet_in_and_out_keeps_columns_and_types(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime

    rows = [
        {"id": 1, "text": STORY, "score": 0.5, "when": datetime.datetime(2024, 3, 12, 10, 30)},
        {"id": 2, "text": GERMAN, "score": 0.25, "when": datetime.datetime(2024, 3, 13)},
        {"id": 3, "text": None, "score": 1.0, "when": None},
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), folder / "corpus.parquet")
    report, rejects = tmp_path / "r.jsonl", tmp_path / "rejects.jsonl"
    code, err = run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--report", report,
                     "--languages", "en", "--rejects", rejects], capsys)
    assert code == 1  # row 3 has no text
    table = pq.read_table(tmp_path / "out/corpus.parquet")
    assert table.schema.field("id").type == pa.int64() and table.schema.field("score").type == pa.float64()
    out = table.to_pylist()
    assert [row["id"] for row in out] == [1, 3]  # row 2 (German) was rejected
    assert out[0]["text"].startswith("Harbour ferry returns") and "Skip to main content" not in out[0]["text"]
    assert json.loads(out[0]["cleaner"])["status"] == "ok" and out[0]["when"].startswith("2024-03-12")
    assert json.loads(out[1]["cleaner"])["status"] == "error"
    assert [r["path"].rsplit(":", 1)[1] for r in lines_of(report)] == ["1", "2", "3"]
    assert lines_of(rejects)[0]["id"] == 2


def test_parquet_rows_with_nan_and_infinite_floats_are_cleaned_and_keep_them(tmp_path, capsys):
    """pandas writes a missing float as NaN, valid in a Parquet column: the
    row is cleaned, and its numbers come back as they were (in JSONL, NaN is
    not JSON, and such a line fails)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"id": 1, "text": STORY, "score": float("nan")}, {"id": 2, "text": STORY, "score": float("-inf")}]
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), folder / "corpus.parquet")
    code, err = run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1"], capsys)
    assert code == 0, err
    out = pq.read_table(tmp_path / "out/corpus.parquet").to_pylist()
    assert [row["id"] for row in out] == [1, 2] and all(json.loads(row["cleaner"])["status"] == "ok" for row in out)
    assert math.isnan(out[0]["score"]) and out[1]["score"] == float("-inf")
    assert "Skip to main content" not in out[0]["text"]


def test_web_archive_pages_are_documents(tmp_path, capsys):
    pytest.importorskip("warcio")
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = "<html><body><nav>Home | News</nav><article><p>" + STORY.replace("\n\n", "</p><p>") + "</p></article></body></html>"
    folder = tmp_path / "in"
    folder.mkdir()
    with open(folder / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for uri, kind, body in (("https://news.example/a", "text/html; charset=utf-8", page.encode()),
                                ("https://news.example/logo.png", "image/png", b"\x89PNG..."),
                                ("https://news.example/b", "text/html", page.replace("Harbour", "Hafen").encode())):
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=headers))
        writer.write_record(writer.create_warc_record("https://news.example/a", "request", payload=BytesIO(b"GET /a\r\n\r\n")))
    report = tmp_path / "r.jsonl"
    code, err = run(["clean", folder, "-o", tmp_path / "out", "--jobs", "1", "--report", report], capsys)
    assert code == 0, err
    out = [json.loads(line) for line in gzip.decompress((tmp_path / "out/crawl.jsonl.gz").read_bytes()).splitlines()]
    assert [r["url"] for r in out] == ["https://news.example/a", "https://news.example/b"]
    assert out[0]["id"].startswith("<urn:uuid:") and "four months after it was lifted" in out[0]["text"]
    assert [Path(r["path"]).name for r in lines_of(report)] == ["crawl.warc.gz:1", "crawl.warc.gz:3"]


def test_the_summary_without_a_report_is_the_summary_with_one(tmp_path, capsys, monkeypatch):
    """Without a report, a written file hands on a tally of its records and
    only the failed, empty and rejected ones the summary prints: the summary
    (counts, reasons, languages, the lists and the line that says more
    failed) is the one a run with a report prints, as are the outputs and
    the resume state; with a report, the records are read back from the
    state in batches (its in-memory bounds made small here)."""
    from cleaner import state

    monkeypatch.setattr(state, "SPOOL_IN_MEMORY", 40)
    folder = tmp_path / "in"
    folder.mkdir()
    kinds = [
        json.dumps({"id": 0, "text": STORY}), json.dumps({"id": 0, "text": BOILERPLATE}), "{not json",
        json.dumps({"id": 0, "text": "The vote is on Tuesday."}), json.dumps({"id": 0, "text": SPUN}),
        json.dumps({"id": 0, "text": GERMAN}), json.dumps({"id": 0, "body": "no text key"}),
    ]
    (folder / "docs.jsonl").write_text("".join(kinds[n % len(kinds)] + "\n" for n in range(490)))
    (folder / "story.txt").write_text(STORY)
    (folder / "boiler.txt").write_text(BOILERPLATE)
    options = ["--jobs", "1", "--min-words", "10"]
    code, with_report = run(["clean", folder, "-o", tmp_path / "a", "--report", tmp_path / "r.jsonl", *options], capsys)
    code_without, without = run(["clean", folder, "-o", tmp_path / "b", *options], capsys)
    assert code == code_without == 1  # documents failed

    def summary(text: str, out: str) -> list[str]:
        """The lines but the timing and those that point to the report."""
        lines = [line.replace(out, "OUT") for line in text.splitlines()]
        return [line.replace(" (see the report)", "").removesuffix(" (--report)") for line in lines
                if " MB/s, " not in line and not line.startswith("report: ")]

    assert summary(without, str(tmp_path / "b")) == summary(with_report, str(tmp_path / "a"))
    assert "more documents failed" in without and "71 left empty, 70 rejected, 140 failed, 70 flagged" in without
    assert "languages: en" in without and "... and 130 more" in without
    for name in ("docs.jsonl", "story.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    for name in ("docs.jsonl.state.gz", "story.txt.state.gz", "boiler.txt.state.gz"):
        states = [gzip.decompress((tmp_path / o / ".cleaner-state" / name).read_bytes()).decode() for o in "ab"]
        assert states[0].replace(str(tmp_path / "a"), "OUT") == states[1].replace(str(tmp_path / "b"), "OUT")
