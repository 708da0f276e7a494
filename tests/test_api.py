"""The library call that ingest jobs make: clean(), Cleaner, Config, CleanResult."""
from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest

import cleaner
from cleaner import Cleaner, Config, NotTextError
from conftest import FIXTURES

ARTICLE = (FIXTURES / "articles/harbour-ferry.txt").read_bytes()


def test_clean_accepts_str_and_bytes_alike():
    from_bytes = cleaner.clean(ARTICLE)
    from_str = cleaner.clean(ARTICLE.decode("utf-8"))
    assert from_bytes.text == from_str.text and from_bytes.dropped == from_str.dropped
    assert "Skip to main content" not in from_bytes.text
    assert "The harbour ferry carried its first passengers" in from_bytes.text


def test_result_carries_every_field_the_report_needs():
    result = cleaner.clean(ARTICLE)
    record = result.to_dict()
    for key in ("source", "language", "language_confidence", "dropped", "cuts", "repairs", "spun", "chars_in", "chars_out"):
        assert key in record
    assert record["chars_in"] == len(ARTICLE.decode("utf-8")) and record["chars_out"] == len(result.text)
    assert record["dropped"][0] == {"line": 1, "text": "Skip to main content", "reason": "rule:generic/skip-link", "detail": ""}
    assert set(record["spun"]) == {"score", "flagged", "reason", "passages"}
    assert result.language.code == "en" and 0 < result.language.confidence <= 1


def test_report_records_hold_every_field_of_dropped_lines_and_cuts():
    """to_dict writes the records out by hand: a field added to DroppedLine or
    Cut must reach the report too."""
    from dataclasses import asdict

    result = cleaner.clean((FIXTURES / "articles/spun-blog.txt").read_bytes() + b"\nBuy cheap instagram likes here, it says.\n")
    record = result.to_dict()
    assert result.dropped and result.cuts
    assert record["dropped"] == [asdict(d) for d in result.dropped]
    assert record["cuts"] == [asdict(c) for c in result.cuts]


def test_every_non_blank_line_is_labelled_once():
    result = cleaner.clean(ARTICLE)
    non_blank = [n for n, line in enumerate(ARTICLE.decode().split("\n"), start=1) if line.strip()]
    assert [l.line for l in result.labels] == non_blank


def test_config_is_immutable_and_overrides_are_checked():
    config = Config()
    with pytest.raises(AttributeError):
        config.spun_threshold = 0.1  # type: ignore[misc]
    assert Cleaner(spun_threshold=0.9).config.spun_threshold == 0.9
    with pytest.raises(TypeError, match="unknown option"):
        Cleaner(spun_treshold=0.9)


def test_drop_spun_removes_flagged_passages_only_when_asked():
    spun = (FIXTURES / "articles/spun-blog.txt").read_bytes()
    reported = cleaner.clean(spun)
    dropped = cleaner.clean(spun, drop_spun=True)
    assert reported.spun.flagged
    flagged_lines = {p.line for p in reported.spun.passages if p.score >= 0.5}
    assert flagged_lines and not flagged_lines & {d.line for d in reported.dropped}
    assert {d.line for d in dropped.dropped if d.reason == "spun"} == flagged_lines


def test_spun_scoring_turned_off_changes_nothing_else():
    spun = (FIXTURES / "articles/spun-blog.txt").read_bytes()
    scored, unscored = cleaner.clean(spun), cleaner.clean(spun, score_spun=False)
    assert scored.spun.score is not None and unscored.spun.score is None
    assert unscored.spun.reason == "not scored: spun scoring turned off" and not unscored.spun.flagged
    assert unscored.text == scored.text and unscored.labels == scored.labels
    assert cleaner.clean(spun, score_spun=False, drop_spun=True).text == scored.text  # nothing flagged, nothing dropped


def test_cleaner_pickles_and_gives_the_same_results():
    original = Cleaner()
    copy = pickle.loads(pickle.dumps(original))
    assert copy.clean(ARTICLE) == original.clean(ARTICLE)


def test_cleaner_is_safe_to_share_between_threads():
    shared = Cleaner()
    documents = [p.read_bytes() for p in sorted((FIXTURES / "articles").glob("*.txt"))] * 3
    reference = Cleaner()
    expected = [reference.clean(d) for d in documents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(shared.clean, documents)) == expected


def test_binary_input_raises_not_text():
    with pytest.raises(NotTextError):
        cleaner.clean(b"PK\x03\x04\x00\x00binary zip")


def test_html_is_detected_by_content():
    html = (FIXTURES / "pages/garden-show.html").read_bytes()
    result = cleaner.clean(html)
    assert result.extracted and "<p>" not in result.text
    assert "Garden show returns to the park" in result.text
    assert cleaner.clean(html, content_type="text/plain").extracted is False


def test_undecodable_bytes_are_reported_not_raised():
    result = cleaner.clean(b"The council met on Tuesday \xff\xfe\xfa and approved the budget for next year.")
    assert result.text  # something came back
    assert result.decoding.method in {"detected", "fallback"}


def test_a_malformed_url_is_a_warning_not_a_failure():
    """Found by fuzzing: urlsplit raises on some strings."""
    result = cleaner.clean("The council met on Tuesday and approved the budget.", url="\n[:")
    assert result.text and any("URL not understood" in w for w in result.warnings)
