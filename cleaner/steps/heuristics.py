"""heuristics: generic boilerplate line classification, for sources with no rules.

Two passes, as in jusText. First every line gets a class from itself alone:

- ``bad``: it says what it is (a photo credit, an advert, a navigation arrow,
  a list of sources, a box header such as "Related posts"), or it belongs to a
  structure that is boilerplate (a directory listing, the box under a header);
- ``good``: it reads as prose (long enough, ends like a sentence);
- ``short``: anything else, to be decided by its neighbours.

Then each short line is judged by the nearest non-short lines around it: a
short line between boilerplate is boilerplate; one directly before prose is a
heading or title; one between prose is content ("And that was that.").
Captions, credits and adverts float inside articles, so they are *transparent*
to this pass: they neither start nor end the article around them.

Lines that earlier steps (rule files) decided are not relabelled, but they
count as context: a rule-dropped line is boilerplate, a rule-kept line prose.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..result import Decision, Line

GOOD, SHORT, BAD = "good", "short", "bad"
# Kinds of boilerplate that float inside an article rather than bound it.
TRANSPARENT = frozenset({"caption", "advert", "inline_link"})
_WORD = re.compile(r"\w+")
# A line ends like a sentence: terminal punctuation, maybe inside quotes/brackets.
_TERMINAL = re.compile(r"""[.!?…]['"’”»)\]]*\s*$""")


@dataclass(frozen=True)
class HeuristicsData:
    thresholds: dict[str, int]
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    box_headers: dict[str, tuple[re.Pattern[str], ...]]


    def with_thresholds(self, overrides: tuple[tuple[str, int], ...]) -> HeuristicsData:
        """The same data with some thresholds replaced (a source's `[heuristics]`)."""
        if not overrides:
            return self
        return HeuristicsData({**self.thresholds, **dict(overrides)}, self.patterns, self.box_headers)


@lru_cache(maxsize=1)
def load_heuristics_data() -> HeuristicsData:
    raw = tomllib.loads(resources.files("cleaner").joinpath("data/heuristics.toml").read_text(encoding="utf-8"))

    def compile_all(table: dict[str, list[str]]) -> dict[str, tuple[re.Pattern[str], ...]]:
        return {name: tuple(re.compile(p, re.IGNORECASE) for p in pats) for name, pats in table.items()}

    return HeuristicsData(
        thresholds=dict(raw["thresholds"]),
        patterns=compile_all(raw["patterns"]),
        box_headers=compile_all(raw["box_headers"]),
    )


@dataclass(slots=True)
class _Info:
    line: Line
    words: int
    terminal: bool
    cls: str
    reason: str = ""
    detail: str = ""
    decided: bool = False  # claimed by an earlier step: context only
    box: str = ""  # the box kind if this line is a box header

    @property
    def transparent(self) -> bool:
        return self.cls == BAD and self.reason in TRANSPARENT


def label_heuristics(
    lines: list[Line], decided: dict[int, Decision], data: HeuristicsData | None = None
) -> dict[int, Decision]:
    """Decisions for the non-blank lines that `decided` does not hold yet."""
    data = data or load_heuristics_data()
    t = data.thresholds
    infos = [_classify(line, decided.get(line.number), data) for line in lines if not line.blank]

    _mark_directory_listings(infos, t)
    _mark_captions(infos, data)
    _mark_boxes(infos, t)
    _judge_short_lines(infos, t)

    decisions: dict[int, Decision] = {}
    for info in infos:
        if info.decided:
            continue
        if info.cls == BAD:
            decisions[info.line.number] = Decision(False, f"heuristic:{info.reason}", info.detail)
    return decisions


def _classify(line: Line, decision: Decision | None, data: HeuristicsData) -> _Info:
    text = line.text
    words = len(_WORD.findall(text))
    terminal = bool(_TERMINAL.search(text))
    t = data.thresholds
    info = _Info(line, words, terminal, SHORT)
    if words <= t["header_max_words"]:
        for box, patterns in data.box_headers.items():
            if any(p.search(text) for p in patterns):
                info.box = box
                break
    if decision is not None:
        info.decided = True
        info.cls = GOOD if decision.keep else BAD
        info.reason = decision.reason
        return info
    if info.box:
        info.cls, info.reason = BAD, info.box
        return info
    checks = (
        ("caption", "credit", t["caption_max_words"]),
        ("advert", "advert", t["advert_max_words"]),
        ("navigation", "navigation", t["navigation_max_words"]),
        ("source_list", "source_list", t["source_list_max_words"]),
        ("inline_link", "inline_link", t["inline_link_max_words"]),
    )
    for reason, group, max_words in checks:
        if words <= max_words and any(p.search(text) for p in data.patterns[group]):
            if reason == "advert" and words > t["advert_plain_max_words"] and not _shouts(text):
                continue
            info.cls, info.reason = BAD, reason
            return info
    if (words >= t["good_words_terminal"] and terminal) or words >= t["good_words_any"]:
        info.cls = GOOD
    return info


def _shouts(text: str) -> bool:
    """Ends in "!" or is mostly Capitalised Words: how banners are written."""
    if text.rstrip().endswith("!"):
        return True
    words = [w for w in _WORD.findall(text) if w.isalpha() and len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _mark_directory_listings(infos: list[_Info], t: dict[str, int]) -> None:
    """Runs of "Name / Name / description" records (a supplier or member
    directory: a logo's alt text, the name, then a blurb)."""
    k = 0
    while k < len(infos):
        records: list[list[int]] = []
        j = k
        while _is_record_head(infos, j, t):
            record = [j, j + 1]
            j += 2
            if j < len(infos) and not _is_record_head(infos, j, t):
                record.append(j)  # the description
                j += 1
            records.append(record)
        if len(records) >= t["directory_min_records"]:
            for record in records:
                for m in record:
                    _set_bad(infos[m], "directory_listing")
            k = j
        else:
            k += 1


def _is_record_head(infos: list[_Info], j: int, t: dict[str, int]) -> bool:
    if j + 1 >= len(infos):
        return False
    a, b = infos[j], infos[j + 1]
    return a.words <= t["directory_name_max_words"] and a.line.text.strip() == b.line.text.strip()


def _mark_captions(infos: list[_Info], data: HeuristicsData) -> None:
    """A short line next to a photo credit is the photo's caption."""
    for k, info in enumerate(infos):
        if info.reason != "caption" or info.decided:
            continue
        for m in (k - 1, k + 1):
            if 0 <= m < len(infos):
                other = infos[m]
                if other.cls == SHORT and not other.terminal and other.words <= data.thresholds["caption_max_words"]:
                    _set_bad(other, "caption", f"next to the photo credit on line {info.line.number}")


def _mark_boxes(infos: list[_Info], t: dict[str, int]) -> None:
    """Everything under a box header up to the next real paragraph."""
    for k, header in enumerate(infos):
        if not header.box:
            continue
        for other in infos[k + 1 :]:
            if other.box or (other.decided and other.cls == GOOD):
                break
            if other.cls == GOOD and other.words >= t["box_stop_words"]:
                break
            _set_bad(other, header.box, f"under the header on line {header.line.number}")


def _judge_short_lines(infos: list[_Info], t: dict[str, int]) -> None:
    if not any(i.cls == GOOD for i in infos):
        return  # no article to be outside of: keep what is not boilerplate by itself
    anchors = [k for k, i in enumerate(infos) if i.cls != SHORT and not i.transparent]
    anchor_cls = {k: infos[k].cls for k in anchors}
    prev_anchor: list[int | None] = []
    last = None
    for k in range(len(infos)):
        prev_anchor.append(last)
        if k in anchor_cls:
            last = k
    next_anchor: list[int | None] = [None] * len(infos)
    nxt = None
    for k in range(len(infos) - 1, -1, -1):
        next_anchor[k] = nxt
        if k in anchor_cls:
            nxt = k

    for k, info in enumerate(infos):
        if info.cls != SHORT or info.decided:
            continue
        before = anchor_cls.get(prev_anchor[k]) if prev_anchor[k] is not None else BAD
        after = anchor_cls.get(next_anchor[k]) if next_anchor[k] is not None else BAD
        heading = _next_opaque(infos, k) == GOOD
        if before == GOOD and after == GOOD and _is_inline_headline(info, t):
            _set_bad(info, "inline_headline")
            continue
        if heading or (before == GOOD and after == GOOD):
            continue
        if before == GOOD and info.terminal:
            continue  # the article's closing sentence
        if before == BAD and after == BAD:
            _set_bad(info, "short_between_boilerplate")
        else:
            _set_bad(info, "short_outside_article")


def _is_inline_headline(info: _Info, t: dict[str, int]) -> bool:
    """A long line with no sentence ending, between paragraphs: on sites whose
    section headings are short, a link to another article. Off unless a
    source's rule file sets `inline_headline_min_words` (0 = off): on sites
    in general, such lines are as often list items and long headings."""
    limit = t["inline_headline_min_words"]
    return bool(limit) and info.words >= limit and not info.terminal and not info.line.text.rstrip().endswith(":")


def _next_opaque(infos: list[_Info], k: int) -> str | None:
    """The class of the next line that is not transparent boilerplate."""
    for other in infos[k + 1 :]:
        if not other.transparent:
            return other.cls
    return None


def _set_bad(info: _Info, reason: str, detail: str = "") -> None:
    """Label a line boilerplate, unless something already has: the first claim wins."""
    if info.decided or info.cls == BAD:
        return
    info.cls, info.reason, info.detail = BAD, reason, detail
