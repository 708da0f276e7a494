"""The visual report: built from a JSON report, and checked in a real browser."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from cleaner.cli import main
from cleaner.htmlreport import build_report, read_records
from conftest import FIXTURES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    report = folder / "r.jsonl"
    main(["clean", str(FIXTURES), "-o", str(folder / "out"), "--report", str(report), "--jobs", "1"])
    return report


def test_page_is_self_contained_and_embeds_every_document(fixture_report, tmp_path):
    records = list(read_records(fixture_report))
    page = build_report(records, fixture_report.parent)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing fetched from a network
    assert "<link" not in page and "<script src" not in page
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert len(data["docs"]) == len(records)
    supplier = next(d for d in data["docs"] if d["path"].endswith("supplier-listing.txt"))
    assert supplier["dropped"]["18"][0] == "heuristic:directory_listing"
    assert supplier["lines"][17] == "Northgate Backup"
    assert data["summary"]["documents"] == len(records)


def test_texts_beyond_the_cap_are_left_out_but_their_drops_stay(fixture_report):
    records = list(read_records(fixture_report))
    page = build_report(records, fixture_report.parent, max_texts=2)
    data = json.loads(re.search(r'id="data">(.*?)</script>', page, re.S).group(1))
    assert data["docs"][1]["lines"] is not None and data["docs"][5]["lines"] is None
    beyond = [d for d in data["docs"][2:] if d["n_dropped"]]
    assert beyond and all(d["dropped"] == {} and sum(n for _, n in d["reasons"]) == d["n_dropped"] for d in beyond)


def test_a_record_too_large_to_show_is_said_so_and_the_others_are_shown(tmp_path, monkeypatch):
    """One record of a JSONL file over the size the page reads again: that
    record's text is "too large to show", and the file's other records are
    still read (the reader goes on past it)."""
    from cleaner import htmlreport

    pages = tmp_path / "pages.jsonl"
    big = "A long line of words that goes on for a while. " * 200
    pages.write_text("".join(json.dumps({"text": t}) + "\n" for t in ("First page. It has a sentence.", big, "Third one.")))
    report = tmp_path / "r.jsonl"
    assert main(["clean", str(pages), "-o", str(tmp_path / "out"), "--report", str(report), "--jobs", "1"]) == 0
    records = list(read_records(report))
    monkeypatch.setattr(htmlreport, "MAX_ORIGINAL_BYTES", 5_000)
    texts = htmlreport.original_lines(records, tmp_path)
    by_line = {record.line: texts[index] for index, record in enumerate(records)}
    assert by_line[2] == "the original is too large to show"
    assert by_line[1] == ["First page. It has a sentence."] and by_line[3] == ["Third one."]


def test_report_command_and_a_broken_report(fixture_report, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(fixture_report), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"path": "a", "status": "ok"}\n{oops\n')
    assert main(["report", str(broken), "-o", str(tmp_path / "b.html")]) == 2
    assert f"{broken}:2: not a report record" in capsys.readouterr().err


def render(page, fragment=""):
    """The DOM a person's browser shows after the page's script ran."""
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it")
        pytest.skip("chromium not installed")
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={page.parent / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri() + fragment],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_browser_shows_chart_table_struck_lines_and_highlighted_passages(fixture_report, tmp_path):
    page = tmp_path / "r.html"
    main(["report", str(fixture_report), "-o", str(page)])
    records = list(read_records(fixture_report))
    supplier = next(i for i, r in enumerate(records) if r.path.endswith("supplier-listing.txt"))
    spun = next(i for i, r in enumerate(records) if r.path.endswith("spun-blog.txt"))

    dom = render(page, f"#doc={supplier}")
    assert dom.count('<rect class="bar"') >= 5  # the bar chart of reasons
    assert dom.count('<tr class="doc') == len(records)  # the table, filled in by the script
    assert re.search(r'<div class="line dropped" id="line-18">.*?<del title="heuristic:directory_listing">Northgate Backup</del>'
                     r'<span class="reason">heuristic:directory_listing</span>', dom)

    dom = render(page, f"#doc={spun}")
    assert re.search(r'<mark class="spun" style="background:[^"]+" title="spun score \d\.\d\d\n[^"]*split_number: ', dom)
    assert re.search(r'<s class="cut" title="cut: rule:generic/social-boost-spam">get free instagram followers</s>', dom)


def test_seed_report_shows_the_directory_struck_and_spun_passages_highlighted(seeds_dir, tmp_path):
    report = tmp_path / "r.jsonl"
    main(["clean", str(seeds_dir), "-o", str(tmp_path / "out"), "--report", str(report), "--jobs", "1"])
    page = tmp_path / "r.html"
    assert main(["report", str(report), "-o", str(page)]) == 0
    records = list(read_records(report))
    index = {os.path.basename(r.path): i for i, r in enumerate(records)}

    dom = render(page, f"#doc={index['000_9ac47a311e3212b3.txt']}")
    directory = re.findall(r'<div class="line dropped" id="line-(\d+)"><span class="n">\d+</span><del title="([^"]+)">', dom)
    assert {int(n) for n, reason in directory if reason == "rule:cybersecurity-intelligence/supplier-directory"} >= set(range(32, 153, 2))

    dom = render(page, f"#doc={index['002_ae4f63d2b9d2c876.txt']}")
    marks = re.findall(r'<mark class="spun" style="[^"]+" title="spun score (\d\.\d\d)\n([^"]+)">', dom)
    assert len(marks) >= 5 and all(evidence for _, evidence in marks)
