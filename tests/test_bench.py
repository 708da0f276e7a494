"""The benchmark's metric, the evaluation gate on the development pages, and
the reproducibility of the shipped line model."""
from __future__ import annotations

import gzip
import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import aeb  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
# F1 floors on the development pages (the targets); a change that
# falls below them fails the build, as trafilatura's own evaluation gate does.
FLOORS = {"cleaner text": 0.92, "cleaner html": 0.962}


def test_metric_counts_shingles_per_page():
    truth = {"a": "one two three four five", "b": "alpha beta gamma delta"}
    assert aeb.score(truth, dict(truth)) == {"f1": 1.0, "precision": 1.0, "recall": 1.0}
    half = aeb.score(truth, {"a": "one two three four five six seven", "b": ""})
    assert half["recall"] == pytest.approx(0.5)  # page a found in full, page b not at all
    assert half["precision"] == pytest.approx(2 / 4)  # page a: 2 of 4 shingles right; b has none


def test_c4_rule_keeps_sentences_and_drops_the_rest():
    text = "Home\nThe council met on Tuesday.\nWe use cookies. See our cookie policy.\nRead more"
    assert aeb.c4_lines(text) == "The council met on Tuesday."


def test_benchmark_runs_on_a_small_folder(tmp_path, capsys):
    (tmp_path / "text").mkdir()
    (tmp_path / "html").mkdir()
    body = "The harbour ferry carried its first passengers of the year on Monday after four months of repairs."
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": body, "url": "https://example.org/a"}}))
    (tmp_path / "text" / "p1.txt").write_text(f"Home\nNews\n\n{body}\n\nShare this article\n")
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(f"<html><body><nav>Home</nav><p>{body}</p></body></html>".encode()))
    assert aeb.main([str(tmp_path), "--only", "cleaner text", "c4 lines", "--json", str(tmp_path / "r.json")]) == 0
    rows = {r["method"]: r for r in json.loads((tmp_path / "r.json").read_text())}
    assert rows["cleaner text"]["recall"] == 1.0 and rows["c4 lines"]["f1"] == 1.0
    assert "cleaner text" in capsys.readouterr().out


@pytest.mark.slow
def test_throughput_benchmark_runs_every_row_on_a_small_folder(tmp_path, capsys):
    import throughput

    (tmp_path / "text").mkdir()
    (tmp_path / "html").mkdir()
    body = "The harbour ferry carried its first passengers of the year on Monday after four months of repairs."
    for n in range(3):
        (tmp_path / "text" / f"p{n}.txt").write_text(f"Home\nNews\n\n{body} Page {n}.\n\nShare this article\n")
        (tmp_path / "html" / f"p{n}.html.gz").write_bytes(gzip.compress(f"<html><body><p>{body}</p></body></html>".encode()))
    out = tmp_path / "t.json"
    assert throughput.main([str(tmp_path), "--copies", "2", "--jobs", "2", "--stream-mb", "0.002", "--json", str(out)]) == 0
    rows = {r["row"]: r for r in json.loads(out.read_text())}
    assert set(rows) == {
        "cleaner --jobs 1", "cleaner --jobs 2", "cleaner, spun off", "ftfy.fix_text", "c4 lines",
        "justext english", "justext lines", "trafilatura html", "stream --jobs 1", "stream --jobs 2",
    }
    assert all(r["docs_per_s"] > 0 and r["peak_tree_mb"] >= r["peak_process_mb"] > 0 for r in rows.values())
    shown = capsys.readouterr().out
    assert "6 documents" in shown
    for headline in ("of jusText's speed (English stoplist)", "of jusText's speed (language detected)",
                     "--jobs 2 against --jobs 1", "of bare ftfy's speed"):
        assert headline in shown
    # Each headline is the other row's time over ours, round by round.
    ratio = rows["justext english"]["seconds"] / rows["cleaner --jobs 1"]["seconds"]
    assert f"cleaner --jobs 1: {ratio:.2f}x of jusText's speed (English stoplist)" in shown


@pytest.mark.slow
def test_throughput_rounds_report_each_rows_median_and_the_paired_spun_cost(tmp_path, capsys):
    import throughput

    runs = [{"seconds": s, "peak_tree_mb": m, "peak_process_mb": m / 2, "peak_pss_mb": 40 - m}
            for s, m in ((3.0, 10), (1.0, 30), (2.0, 20))]
    assert throughput._median_run(runs) == {"seconds": 2.0, "peak_tree_mb": 30, "peak_process_mb": 15.0, "peak_pss_mb": 30}
    (tmp_path / "text").mkdir()
    (tmp_path / "html").mkdir()
    (tmp_path / "text" / "p.txt").write_text("The harbour ferry carried its first passengers of the year on Monday.\n")
    (tmp_path / "html" / "p.html.gz").write_bytes(gzip.compress(b"<html><body><p>Ferry.</p></body></html>"))
    out = tmp_path / "t.json"
    argv = [str(tmp_path), "--copies", "1", "--rounds", "2", "--only", "cleaner --jobs 1", "cleaner, spun off", "--json", str(out)]
    assert throughput.main(argv) == 0
    assert [r["row"] for r in json.loads(out.read_text())] == ["cleaner --jobs 1", "cleaner, spun off"]
    assert "(median of 2 rounds;" in capsys.readouterr().out


@pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
def test_development_pages_stay_above_the_floors(tmp_path):
    out = tmp_path / "r.json"
    aeb.main([str(BENCH), "--only", *FLOORS, "--json", str(out)])
    scores = {r["method"]: r["f1"] for r in json.loads(out.read_text())}
    for method, floor in FLOORS.items():
        assert scores[method] >= floor, f"{method}: F1 {scores[method]:.3f} < {floor}"


@pytest.mark.slow
@pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
def test_fitting_script_rederives_the_shipped_line_model():
    pytest.importorskip("numpy")
    import fit_line_model

    from cleaner.steps.linemodel import load_line_model

    model, held_out, _ = fit_line_model.fit(BENCH)
    shipped_text = (ROOT / "cleaner" / "data" / "line_model.json").read_text(encoding="utf-8")
    assert fit_line_model.model_json(model, BENCH, held_out, 80, 1.0) == shipped_text
    assert load_line_model().threshold == model.threshold


@pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
def test_cleaning_real_pages_twice_changes_nothing():
    import cleaner

    tool = cleaner.Cleaner()
    for path in sorted((BENCH / "text").glob("*.txt")):
        once = tool.clean(path.read_bytes(), content_type="text/plain").text
        assert tool.clean(once, content_type="text/plain").text == once, path.name
