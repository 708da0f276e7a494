"""heuristics: generic boilerplate line classification, for sources with no rules.

First every line gets a class from itself and the structures it is part of:

- ``bad``: it says what it is (a photo credit, an advert, a navigation arrow,
  a list of sources, a box header such as "Related posts"), or it belongs to a
  structure that is boilerplate (a directory listing, the box under a header,
  a reader comment thread);
- ``good``: it reads as prose (long enough, ends like a sentence, dense with
  the language's stopwords);
- ``short``: anything else, to be decided by its neighbours.

On a whole page (plain text as scraped) two more passes follow. The line
model (``linemodel.py``) demotes prose that stands outside the article:
teasers, comments, site blurbs. Then, as in jusText, each short line is
judged by the nearest non-short lines around it: a short line between
boilerplate is boilerplate; one directly before prose is a heading or title;
one between prose is content ("And that was that."). Captions, credits and
adverts float inside articles, so they are *transparent* to this pass: they
neither start nor end the article around them.

Lines that earlier steps (rule files) decided are not relabelled, but they
count as context: a rule-dropped line is boilerplate, a rule-kept line prose.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..datafiles import read_toml
from ..prefilter import GroupPrefilter, Prefiltered, one_of
from ..result import Decision, Line
from .base import Document
from .linemodel import LineModel, LineView, load_line_model, score_lines

GOOD, SHORT, BAD = "good", "short", "bad"
# Boxes of links or prompts, which end at two prose lines in a row (see _mark_boxes).
BOXES_ENDING_AT_PARAGRAPHS = frozenset({"related_list", "newsletter_box"})
# Kinds of boilerplate that float inside an article rather than bound it.
TRANSPARENT = frozenset({"caption", "advert", "inline_link"})
# Han ideographs (with the iteration marks) and kana, letters only (not the
# katakana middle dot). Chinese and Japanese put no spaces between words, so
# a run of them counts as one word every two characters (about their words'
# average length), not as one word however long; other text is \w+ runs.
_CJK = "\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9\uff66-\uff9f"
_WORD = re.compile(f"[{_CJK}]{{1,2}}|[^\\W{_CJK}]+")
# The same matches in ASCII text, which holds no CJK (see `_words`).
_ASCII_WORD = re.compile(r"\w+")
# A line ends like a sentence: terminal punctuation (Chinese and Japanese
# full stops and full-width marks too), maybe inside quotes/brackets.
_TERMINAL = re.compile(r"""[.!?…。！？]['"’”»)\]」』）]*\s*$""")


# The pattern groups a line may be claimed by, in the order they are tried:
# (reason, pattern group, the threshold of the most words it may have).
PATTERN_CHECKS = (
    ("caption", "credit", "caption_max_words"),
    ("advert", "advert", "advert_max_words"),
    ("navigation", "navigation", "navigation_max_words"),
    ("source_list", "source_list", "source_list_max_words"),
    ("inline_link", "inline_link", "inline_link_max_words"),
    ("author_blurb", "author_blurb", "author_blurb_max_words"),
)


@dataclass(frozen=True)
class HeuristicsData:
    thresholds: dict[str, float]
    # Each group's patterns joined into one alternation, whose literals the
    # line is read for once per group (most lines hold none); a line that
    # holds some is searched with the patterns whose literals it holds
    # (`Prefiltered.found`).
    patterns: dict[str, Prefiltered]
    box_headers: dict[str, Prefiltered]
    # All of them tested on a line at once (see `_line_facts`): made from the
    # patterns, and passed on with them when only thresholds change.
    prefilter: GroupPrefilter | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.prefilter is None:
            literals = {("box", k): p.literals for k, p in self.box_headers.items()}
            literals.update({("group", k): p.literals for k, p in self.patterns.items()})
            object.__setattr__(self, "prefilter", GroupPrefilter(literals))

    @cached_property
    def longest_claimable(self) -> int:
        """The most words a line may have for a box header or a pattern
        group to claim it (`_line_facts`): longer lines are not tested."""
        return max(self.thresholds["header_max_words"], *(self.thresholds[limit] for _, _, limit in PATTERN_CHECKS))

    def with_thresholds(self, overrides: tuple[tuple[str, float], ...]) -> HeuristicsData:
        """The same data with some thresholds replaced (a source's `[heuristics]`).
        The patterns and their prefilter are shared, not made again (making
        the prefilter's automaton took 0.16 ms, once a document of such a
        source)."""
        if not overrides:
            return self
        return HeuristicsData({**self.thresholds, **dict(overrides)}, self.patterns, self.box_headers, self.prefilter)


_read_data = read_toml


#: langdetect's language code -> the name of jusText's stoplist for it.
STOPLIST_NAMES: dict[str, str] = _read_data("stoplists.toml")["stoplists"]


@lru_cache(maxsize=16)
def stoplist_for(language: str | None) -> frozenset[str] | None:
    """jusText's stopwords of `language` (lower-case), or None where there are none."""
    name = STOPLIST_NAMES.get(language or "")
    if name is None:
        return None
    return _justext_stoplist(name)


def _justext_stoplist(name: str) -> frozenset[str]:
    """`justext.get_stoplist(name)`: the words of the file jusText ships,
    read (as it reads them) from where the package is installed, without
    importing it. Importing jusText imports lxml and urllib's HTTP client,
    0.03 s of every process's start."""
    spec = importlib.util.find_spec("justext")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    path = Path(folders[0], "stoplists", f"{name}.txt") if folders else None
    if path is None or not path.is_file():  # installed some other way (in a zip, say): ask jusText
        import justext

        return justext.get_stoplist(name)
    return frozenset(w.decode("utf8").lower() for w in path.read_bytes().splitlines())


@lru_cache(maxsize=1)
def load_heuristics_data() -> HeuristicsData:
    raw = _read_data("heuristics.toml")

    def compile_all(table: dict[str, list[str]]) -> dict[str, Prefiltered]:
        return {name: one_of(pats, re.IGNORECASE) for name, pats in table.items()}

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
    stop_density: float | None  # share of the words that are stopwords; None: no stoplist
    cls: str
    reason: str = ""
    detail: str = ""
    decided: bool = False  # claimed by an earlier step: context only
    box: str = ""  # the box kind if this line is a box header
    dateline: bool = False  # a short line with a date (see _mark_datelines)
    byline: bool = False  # a short line that names the author ("By ...")
    # The pattern groups that may match the line (`GroupPrefilter` bits), or
    # None where it is too long for any to be asked (see `_line_facts`).
    may: int | None = None

    @property
    def transparent(self) -> bool:
        return self.cls == BAD and self.reason in TRANSPARENT


@dataclass(slots=True)
class LineMemo:
    """What the lines' own texts give, kept between the context passes over
    one document (which read the same lines again): the line's facts and
    class, and its line-model features. Only valid for one set of heuristics
    data and stoplist, so make one per document."""

    facts: dict[str, tuple] = field(default_factory=dict)
    features: dict[str, tuple] = field(default_factory=dict)


def label_heuristics(
    lines: list[Line],
    decided: dict[int, Decision],
    data: HeuristicsData | None = None,
    stoplist: frozenset[str] | None = None,
    model: LineModel | None = None,
    whole_page: bool = True,
    memo: LineMemo | None = None,
) -> dict[int, Decision]:
    """Decisions for the non-blank lines that `decided` does not hold yet.

    `stoplist` is the document language's stopwords (see `stoplist_for`):
    prose is dense with them, menus, tag clouds and lists of names are not.

    `whole_page` says the text is a whole page (plain text as scraped), whose
    article must be found among menus and footers: the line model and the
    context pass run. Text that an extractor already cut down to the article
    (HTML mode) gets only the evidence lines carry themselves and the boxes:
    there, its first and last lines are the article's, not the page's edges.
    """
    data = data or load_heuristics_data()
    memo = memo or LineMemo()
    infos = classify_lines(lines, decided, data, stoplist, memo.facts)
    if whole_page:
        _demote_prose_outside_article(infos, model or load_line_model(), memo.features)
        _judge_short_lines(infos, data.thresholds)

    decisions: dict[int, Decision] = {}
    for info in infos:
        if info.decided:
            continue
        if info.cls == BAD:
            decisions[info.line.number] = Decision(False, f"heuristic:{info.reason}", info.detail)
    return decisions


def classify_lines(
    lines: list[Line],
    decided: dict[int, Decision],
    data: HeuristicsData,
    stoplist: frozenset[str] | None,
    memo: dict[str, tuple] | None = None,
) -> list[_Info]:
    """The first pass: each line's class from itself and from the structures
    it belongs to (directory listings, captions, boxes)."""
    t = data.thresholds
    memo = {} if memo is None else memo
    infos = []
    for line in lines:
        if line.blank:
            continue
        facts = memo.get(line.text)
        if facts is None:
            facts = memo[line.text] = _line_facts(line.text, data, stoplist)
        infos.append(_classify(line, facts, decided.get(line.number)))
    _mark_directory_listings(infos, t)
    _mark_captions(infos, data)
    _mark_boxes(infos, t)
    _mark_comment_thread(infos, data)
    _mark_datelines(infos, data)
    return infos


def line_views(infos: list[_Info]) -> list[LineView]:
    """What the line model reads of each line."""
    return [LineView(i.line.text, i.words, i.terminal, i.stop_density, i.cls == BAD, i.cls == GOOD) for i in infos]


def _demote_prose_outside_article(infos: list[_Info], model: LineModel, memo: dict | None = None) -> None:
    """Prose-like lines that the line model places outside the article
    (teasers of other articles, comments, site blurbs) become boilerplate.
    Short lines are left to the context pass, which reads the result.

    If the model would demote every prose line, it has not found an article
    to be outside of, and nothing is demoted: a page is never emptied of its
    prose on the model's word alone."""
    at = [k for k, info in enumerate(infos) if info.cls == GOOD]  # only their scores are read
    prose = [(infos[k], p) for k, p in zip(at, score_lines(line_views(infos), model, memo, at))]
    if not any(p >= model.threshold for _, p in prose):
        return
    for info, probability in prose:
        if not info.decided and probability < model.threshold:
            _set_bad(info, "outside_article", f"line model score {probability:.2f}")


def _line_facts(text: str, data: HeuristicsData, stoplist: frozenset[str] | None) -> tuple:
    """(words, terminal, stopword density, box kind, class, reason, prefilter
    bits): what the line's text alone says, the class being for a line no
    step has claimed."""
    tokens = _words(text)
    words = len(tokens)
    terminal = _ends_like_a_sentence(text)
    density = None
    if stoplist is not None and words:
        density = sum(map(stoplist.__contains__, map(str.lower, tokens))) / words
    t = data.thresholds
    if words > data.longest_claimable:  # a paragraph (most of a page's text): no pattern may claim it
        return _prose_or_short(words, terminal, density, t, None)
    may = data.prefilter.may_match(text)
    bits = data.prefilter.bits
    if words <= t["header_max_words"]:
        for kind, pattern in data.box_headers.items():
            if may & bits["box", kind] and pattern.found(text):
                return words, terminal, density, kind, BAD, kind, may
    for reason, group, limit in PATTERN_CHECKS:
        if words <= t[limit] and may & bits["group", group] and data.patterns[group].found(text):
            if reason == "advert" and words > t["advert_plain_max_words"] and not _shouts(text):
                continue
            return words, terminal, density, "", BAD, reason, may
    return _prose_or_short(words, terminal, density, t, may)


def _prose_or_short(words: int, terminal: bool, density: float | None, t: dict[str, float], may: int | None) -> tuple:
    """`_line_facts` of a line that no pattern claims."""
    prose_like = density is None or density >= t["good_min_stopword_density"]
    if prose_like and ((words >= t["good_words_terminal"] and terminal) or words >= t["good_words_any"]):
        return words, terminal, density, "", GOOD, "", may
    return words, terminal, density, "", SHORT, "", may


def _classify(line: Line, facts: tuple, decision: Decision | None) -> _Info:
    words, terminal, density, box, cls, reason, may = facts
    info = _Info(line, words, terminal, density, SHORT, box=box, may=may)
    if decision is not None:
        info.decided = True
        info.cls = GOOD if decision.keep else BAD
        info.reason = decision.reason
    else:
        info.cls, info.reason = cls, reason
    return info


def _words(text: str) -> list[str]:
    """The line's words (`_WORD`'s matches). A line in ASCII, as most are,
    holds no CJK, and a plain run of word characters finds the same words
    in about half the time (1.4 µs an ASCII line of the development pages
    and 1.7 of Debian documentation files, against 2.9 and 3.0 for the
    two-branch pattern)."""
    return (_ASCII_WORD if text.isascii() else _WORD).findall(text)


def _ends_like_a_sentence(text: str) -> bool:
    # Only the tail is read: an end-anchored search would try every position
    # of a long line.
    return bool(_TERMINAL.search(text.rstrip()[-12:]))


def _shouts(text: str) -> bool:
    """Ends in "!" or is mostly Capitalised Words: how banners are written."""
    if text.rstrip().endswith("!"):
        return True
    words = [w for w in _words(text) if w.isalpha() and len(w) > 3]
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
    """Everything under a box header up to the next real paragraph: a long
    one, or (for a list of links or prompts) the first of two prose lines
    in a row. A list of teasers alternates headlines with blurbs, so two
    paragraphs one after the other are an article's text, however short;
    reader comments are paragraphs in a row, so a comment box ends only at
    a long paragraph."""
    for k, header in enumerate(infos):
        if not header.box:
            continue
        runs_to_paragraphs = header.box in BOXES_ENDING_AT_PARAGRAPHS
        for m in range(k + 1, len(infos)):
            other = infos[m]
            if other.box or (other.decided and other.cls == GOOD):
                break
            if other.cls == GOOD and other.words >= t["box_stop_words"]:
                break
            if runs_to_paragraphs and other.cls == GOOD and m + 1 < len(infos) and infos[m + 1].cls == GOOD:
                break
            _set_bad(other, header.box, f"under the header on line {header.line.number}")


def _mark_comment_thread(infos: list[_Info], data: HeuristicsData) -> None:
    """Readers' comments under the article: from the first comment signature
    to the end of the page, once the signatures show it is a thread."""
    t = data.thresholds
    pattern = data.patterns["comment_signature"]
    bit = data.prefilter.bits["group", "comment_signature"]
    limit = t["comment_signature_max_words"]
    signatures = [
        k
        for k, info in enumerate(infos)
        if info.words <= limit and _matches(info, pattern, bit)
    ]
    if len(signatures) < t["comment_min_signatures"]:
        return
    start = signatures[0]
    if sum(i.words for i in infos[:start] if i.cls == GOOD) < t["comment_min_prose_before"]:
        return
    for info in infos[start:]:
        _set_bad(info, "comment_thread", f"from the comment on line {infos[start].line.number}")


def _mark_datelines(infos: list[_Info], data: HeuristicsData) -> None:
    """Short lines that hold a date ("Published 12 March 2024, 10:30"): a
    headline's dateline, which stands between the headline and the article
    and must not cut the headline off from it (`_headline_over_dateline`)."""
    limit = data.thresholds["dateline_max_words"]
    dateline, byline = data.patterns["dateline"], data.patterns["byline"]
    dateline_bit, byline_bit = data.prefilter.bits["group", "dateline"], data.prefilter.bits["group", "byline"]
    for info in infos:
        if info.cls == SHORT and not info.decided and info.words <= limit:
            info.dateline = _matches(info, dateline, dateline_bit)
            info.byline = _matches(info, byline, byline_bit)


def _matches(info: _Info, pattern: Prefiltered, bit: int) -> bool:
    """Whether the pattern group (its `bit` in the prefilter) matches the
    line: searched only if the bits read with the line's facts allow it, or
    behind its own prefilter for a line too long for those to be read."""
    return (info.may is None or bool(info.may & bit)) and pattern.found(info.line.text)


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
        heading = _next_opaque(infos, k) == GOOD or _headline_over_dateline(infos, k)
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


def _next_opaque(infos: list[_Info], k: int, past_datelines: bool = False) -> str | None:
    """The class of the next line that is not transparent boilerplate (nor,
    with `past_datelines`, a dateline)."""
    for other in infos[k + 1 :]:
        if not other.transparent and not (past_datelines and other.dateline):
            return other.cls
    return None


def _headline_over_dateline(infos: list[_Info], k: int) -> bool:
    """A headline whose dateline stands between it and the article is a
    heading all the same. What stands there is a headline, not a byline or a
    name, if it holds a stopword of the page's language (names and agency
    credits hold none), or the language has no stoplist, and does not start
    the way bylines do ("By", "Von", "Por" ...)."""
    info = infos[k]
    reads_like_a_headline = (info.stop_density is None or info.stop_density > 0) and not info.byline
    return reads_like_a_headline and _next_opaque(infos, k, past_datelines=True) == GOOD


def _set_bad(info: _Info, reason: str, detail: str = "") -> None:
    """Label a line boilerplate, unless something already has: the first claim wins."""
    if info.decided or info.cls == BAD:
        return
    info.cls, info.reason, info.detail = BAD, reason, detail


class HeuristicsStep:
    """The line heuristics (see `label_heuristics`), with the thresholds of
    the document's source rule file and its language's stoplist."""

    name = "heuristics"

    def __init__(self, data: HeuristicsData, model: LineModel) -> None:
        self.data = data
        self.model = model

    def __call__(self, document: Document) -> dict[int, Decision]:
        memo = document.memo.get(self.name)
        if memo is None:  # once a document: its passes share the thresholds, stoplist and line memo
            source = document.source_rules
            data = self.data.with_thresholds(source.heuristics if source else ())
            memo = document.memo[self.name] = (data, stoplist_for(document.language.code), LineMemo())
        data, stoplist, lines_memo = memo
        return label_heuristics(
            document.lines, document.decisions, data, stoplist, self.model, not document.extracted, lines_memo
        )
