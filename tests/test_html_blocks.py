"""HTML mode's blocks, their reading against an extraction, and the block model."""
from __future__ import annotations

import json
import random
import time
import tomllib
from importlib import resources

import pytest
from trafilatura.utils import load_html

from cleaner.steps import htmlblocks
from cleaner.steps.blockmodel import EXTRACTIONS, BlockModel, load_block_model
from cleaner.steps.extract import PageTables, extract_html, select_blocks

PARAGRAPHS = [
    "The harbour ferry carried its first passengers of the year on Monday, after four months in the yard.",
    "Its new engines are quieter, the crew said, and the crossing now takes eleven minutes instead of fifteen.",
    "The council, which owns the boat, paid for the repairs from the reserve it keeps for the pier and the slipway.",
    "Regular passengers were waiting on the quay before seven, some with flasks of tea and most with bicycles.",
    "The timetable for the summer, with the late boats on Fridays and Saturdays, is pinned up at both landings.",
]


def page(body: str, head: str = "") -> str:
    return f"<html lang='en-GB'><head>{head}</head><body>{body}</body></html>"


def blocks_of(html: str) -> list[htmlblocks.Block]:
    return htmlblocks.segment(load_html(html)).blocks


def test_blocks_follow_the_page_and_hold_their_inline_text():
    html = page(
        "<div class='articleBody'><h2>Ferry back</h2><p>First <a href='/x'>link</a> here.<br>After a break</p>"
        "tail of the div<table><tr><td>Cell one</td><td>cell two</td></tr></table>"
        "<script>var x = 'not text';</script><p hidden>hidden text</p><p style='display: none'>unseen</p>"
        "<!-- a comment --><p>Last</p></div>"
    )
    found = blocks_of(html)
    assert [b.text for b in found] == ["Ferry back", "First link here.", "After a break", "tail of the div", "Cell one cell two", "Last"]
    assert [b.tag for b in found] == ["h2", "p", "p", "div", "tr", "p"]
    assert found[1].link_chars == len("link")
    tree = load_html(html)
    segmented = htmlblocks.segment(tree)
    assert [segmented.tags[n] for n in segmented.blocks[4].path[:3]] == ["tr", "table", "div"]


def test_a_deeply_nested_page_is_read():
    # libxml2 keeps at most 256 levels of an HTML page; all of them are read.
    html = page("<div>" * 240 + "<p>Deep down.</p>" + "</div>" * 240)
    assert [b.text for b in blocks_of(html)] == ["Deep down."]


def test_class_and_id_words_are_cut_at_case_and_punctuation():
    assert htmlblocks.class_words("articleBody rail-wrapper_2 RELATED") == ["article", "body", "rail", "wrapper", "related"]


def test_cue_groups_are_lower_case_words_a_class_can_yield():
    raw = tomllib.loads(resources.files("cleaner").joinpath("data/html_cues.toml").read_text(encoding="utf-8"))
    for group, words in raw["groups"].items():
        assert words and len(words) == len(set(words)), group
        assert all(htmlblocks.class_words(w) == [w] for w in words), group


def test_coverage_gives_each_passage_to_one_block_in_the_pages_order():
    paragraph = "the council approved the budget on tuesday after a long debate about the pier".split()
    quote = paragraph[3:10]  # a pull quote repeating part of the paragraph, before it
    assert htmlblocks.coverage([quote, paragraph], " ".join(paragraph)) == [0.0, 1.0]
    # A block repeated down the page is found as often as the text has it.
    assert htmlblocks.coverage([paragraph, paragraph], " ".join(paragraph)) == [1.0, 0.0]
    # Half a block found: half its 4-grams.
    half = paragraph[:8] + "and then something else entirely was said".split()
    assert htmlblocks.coverage([half], " ".join(paragraph))[0] == pytest.approx(5 / 12)


def _short_blocks_by_scanning(block_words, words, spans):
    """The plain search `_short_blocks_found` replaces: from the end of what
    was found before each short block (less two words), word by word."""
    following, nearest = [len(words)] * len(block_words), len(words)
    for b in range(len(block_words) - 1, -1, -1):
        following[b] = nearest
        nearest = spans[b][0] if spans[b] else nearest
    found, done = [], 0
    for b, block in enumerate(block_words):
        if spans[b]:
            done = max(done, spans[b][1])
        elif 0 < len(block) < htmlblocks.N:
            for i in range(max(0, done - 2), min(len(words), following[b] + 2) - len(block) + 1):
                if words[i : i + len(block)] == block:
                    found.append(b)
                    done = max(done, i + len(block))
                    break
    return found


def test_short_blocks_are_looked_up_where_a_scan_would_find_them():
    rng = random.Random(7)
    for _ in range(3000):
        vocabulary = "abcde"[: rng.randint(1, 5)]
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 30))]
        blocks = [[rng.choice(vocabulary) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(0, 8))]
        spans = [(s, s + rng.randint(1, 6)) if rng.random() < 0.2 else None for s in
                 (rng.randint(0, 30) for _ in blocks)]
        spans = [None if span and len(block) < htmlblocks.N else span for span, block in zip(spans, blocks)]
        assert htmlblocks._short_blocks_found(blocks, words, spans) == _short_blocks_by_scanning(blocks, words, spans)


def test_coverage_of_many_short_blocks_the_text_lacks_takes_linear_time():
    # readability runs a page's paragraphs together ("word hereword here"):
    # every short block was searched for through the whole text, and 24,000
    # of them took 76 s.
    blocks = [["word", "here"]] * 48_000
    started = time.perf_counter()
    assert htmlblocks.coverage(blocks, "word " + "hereword " * 48_000) == [0.0] * 48_000
    assert time.perf_counter() - started < 5


def test_a_block_repeated_down_a_page_and_its_text_is_refused_not_read_for_minutes():
    paragraph = "one two three four five six".split()
    with pytest.raises(htmlblocks.PageTooRepetitive, match="HTML too repetitive: .* found 27,000,000 times"):
        htmlblocks.coverage([paragraph] * 3000, " ".join(paragraph * 3000))
    # A few hundred repeats, as a forum page's "Reply Quote" lines, are read.
    assert sum(htmlblocks.coverage([paragraph] * 300, " ".join(paragraph * 300))) > 0


def test_declared_language_reads_the_html_element_then_the_meta_element():
    assert htmlblocks.declared_language(load_html(page("<p>x</p>"))) == "en"
    meta = "<html><head><meta http-equiv='Content-Language' content='pt-BR'></head><body><p>x</p></body></html>"
    assert htmlblocks.declared_language(load_html(meta)) == "pt"
    assert htmlblocks.declared_language(load_html("<html><body><p>x</p></body></html>")) is None


def test_features_read_links_nesting_and_the_extraction():
    html = page(
        "<article class='post'><div class='entry-content'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
        + "</div><article class='teaser'><p><a href='/other'>Another story about boats</a></p></article></article>"
    )
    tree = load_html(html)
    segmented = htmlblocks.segment(tree)
    words = htmlblocks.block_words(segmented)
    shares = htmlblocks.coverage(words, " ".join(PARAGRAPHS[:2]))
    rows = htmlblocks.block_features(segmented, words, [shares], frozenset({"the", "of", "and", "in", "on"}))
    names = htmlblocks.feature_names(("x",))
    assert all(len(r) == len(names) for r in rows)
    got = [dict(zip(names, r)) for r in rows]
    assert [g["x_kept"] for g in got] == [1.0, 1.0, 0.0]
    assert got[2]["link_density"] == 1.0 and got[0]["link_density"] == 0.0
    assert got[2]["nested_article"] == 1.0 and got[0]["nested_article"] == 0.0
    assert got[0]["cue_article"] == 1.0 and got[2]["near_cue_related"] == 1.0
    assert got[2]["x_previous"] == 1.0 and got[2]["x_between"] == 0.0
    assert got[0]["stop_density"] > 0.1 and got[0]["no_stoplist"] == 0.0


def test_block_model_data_matches_the_code_and_was_judged_on_left_out_sites():
    raw = json.loads(resources.files("cleaner").joinpath("data/block_model.json").read_text(encoding="utf-8"))
    assert raw["extractions"] == list(EXTRACTIONS) and raw["features"] == list(htmlblocks.feature_names(EXTRACTIONS))
    assert raw["leave_one_site_out_f1"] > 0.96 and raw["threshold"] == 0.5
    model = load_block_model()
    assert len(model.weights) == len(raw["features"]) + 1


ARTICLE_PAGE = page(
    "<header class='site-header'><nav class='main-menu'><ul>"
    + "".join(f"<li><a href='/{w}'>{w}</a></li>" for w in ("News", "Sport", "Weather", "Travel", "Contact"))
    + "</ul></nav></header><main><article class='story'><h1 class='headline'>Ferry back in service</h1>"
    "<div class='story-body'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    "<aside class='related-stories'><h3>Related stories</h3><ul>"
    + "".join(f"<li><a href='/s{i}'>Another headline about the harbour, number {i}</a></li>" for i in range(5))
    + "</ul></aside></article></main><footer class='site-footer'><p>Copyright 2019 The Harbour Gazette</p></footer>"
)


def test_html_mode_keeps_an_articles_paragraphs_and_drops_the_page_around_them():
    text = extract_html(ARTICLE_PAGE, "https://example.org/news/ferry")
    lines = text.split("\n")
    assert all(p in lines for p in PARAGRAPHS)
    assert not any(word in lines for word in ("News", "Sport", "Weather"))
    assert "Copyright" not in text and "number 3" not in text


def test_a_model_that_keeps_no_block_leaves_trafilaturas_text():
    tables = PageTables([htmlblocks.Block("Menu", "li", (0,), 4)], [[0.0]], "trafilatura's text")
    never = BlockModel((-5.0, 0.0), (0.0,), (1.0,), 0.5)
    always = BlockModel((5.0, 0.0), (0.0,), (1.0,), 0.5)
    assert select_blocks(tables, never) == "trafilatura's text"
    assert select_blocks(tables, always) == "Menu"


def test_folded_block_model_scores_like_the_standardised_formula():
    import math

    model = BlockModel((0.5, 2.0, -1.0), (1.0, 3.0), (2.0, 0.5), 0.5)
    row = [4.0, 2.0]
    z = 0.5 + 2.0 * (4.0 - 1.0) / 2.0 - 1.0 * (2.0 - 3.0) / 0.5
    assert model.probabilities([row]) == pytest.approx([1 / (1 + math.exp(-z))])
