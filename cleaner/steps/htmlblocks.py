"""htmlblocks: an HTML page cut into blocks of text, each with what its HTML says of it.

A block is the text of one paragraph-like element (``p``, a heading, a list
item, a table row, a ``div`` with text of its own...), with its inline
elements' text (links, emphasis, table cells) in it. Scripts, styles, forms'
controls and hidden elements hold no text a reader sees and are skipped.

What a block knows that a line of plain text does not: how much of it is
link text, which elements it sits in (their tags, and the words of their
class and id attributes: ``comment``, ``related``, ``caption``...), how deep
and where in the page it is, and whether trafilatura's extraction of the
page holds it, and how much of its neighbours and containers it holds.
`block_features` reads these as numbers for the block model
(``blockmodel.py``).

`coverage` finds which blocks a text holds (trafilatura's output, or a
ground truth when the model is fitted): the share of each block's word
4-grams found in the text, each place in the text given to one block, in
the page's order.
"""
from __future__ import annotations

import math
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"\w+")
# Elements whose text is not shown as text, or that are controls.
SKIPPED_TAGS = frozenset(
    """script style noscript template svg math iframe frame frameset head title meta link select option
    optgroup button input textarea object embed canvas video audio map area source track datalist""".split()
)
# Elements that start and end a block (their text is not run into the text
# around them).
BLOCK_TAGS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table tbody thead tfoot caption blockquote pre section
    article header footer nav aside main figure figcaption form fieldset legend address hr br center details
    summary body html menu hgroup dialog""".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Table cells are read into their row, a space between them: a row is one
# record, and a cell alone is often a word or a number.
CELL_TAGS = frozenset({"td", "th"})
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CLASS_WORD = re.compile(r"[^a-zA-Z]+|(?<=[a-z])(?=[A-Z])")
_TERMINAL = re.compile(r"""[.!?…]['"’”»)\]]*\s*$""")
# Ratios of a block's text are read from this much of it: settled long before.
SAMPLE_CHARS = 2000
SAMPLE_WORDS = 400
# 4-grams, as the benchmark's metric counts them.
N = 4
# Words a passage may drift from its place in the other text and still be
# one passage (inline bits one side has and the other lacks).
DRIFT = 8


@dataclass(frozen=True)
class Cues:
    """The groups of class and id words (``data/html_cues.toml``)."""

    groups: tuple[str, ...]
    masks: dict[str, int]  # word -> bit mask of the groups it belongs to


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = tomllib.loads(resources.files("cleaner").joinpath("data/html_cues.toml").read_text(encoding="utf-8"))
    groups = tuple(raw["groups"])
    masks: dict[str, int] = {}
    for bit, name in enumerate(groups):
        for word in raw["groups"][name]:
            masks[word] = masks.get(word, 0) | 1 << bit
    return Cues(groups, masks)


def class_words(value: str) -> list[str]:
    """The words of a class or id attribute, lower-cased.

    >>> class_words("articleBody rail-wrapper_2")
    ['article', 'body', 'rail', 'wrapper']
    """
    return [w.lower() for w in _CLASS_WORD.split(value) if w]


@dataclass(slots=True)
class Block:
    text: str
    tag: str  # the nearest enclosing block element's tag
    path: tuple[int, ...]  # the enclosing elements (indexes into Page.tags/cues), nearest first
    link_chars: int  # characters of the text inside <a> elements


_TAG_GROUPS = (
    ("tag_p", frozenset({"p"})),
    ("tag_heading", HEADING_TAGS),
    ("tag_list_item", frozenset({"li", "dt", "dd"})),
    ("tag_table_row", frozenset({"tr"})),
    ("tag_caption", frozenset({"figcaption", "caption"})),
    ("tag_quote", frozenset({"blockquote", "pre"})),
)
_ANCESTOR_GROUPS = (
    ("in_article", frozenset({"article"})),
    ("in_main", frozenset({"main"})),
    ("in_aside", frozenset({"aside"})),
    ("in_nav", frozenset({"nav"})),
    ("in_page_edge", frozenset({"header", "footer"})),
    ("in_form", frozenset({"form"})),
    ("in_figure", frozenset({"figure"})),
    ("in_list", frozenset({"ul", "ol", "li", "dl"})),
    ("in_table", frozenset({"table"})),
    ("in_link", frozenset({"a"})),
)
# Each ancestor group's bit, by tag.
_ANCESTOR_BITS: dict[str, int] = {}
for _bit, (_, _tags) in enumerate(_ANCESTOR_GROUPS):
    for _tag_name in _tags:
        _ANCESTOR_BITS[_tag_name] = _ANCESTOR_BITS.get(_tag_name, 0) | 1 << _bit


@dataclass(slots=True)
class Page:
    blocks: list[Block]
    tags: list[str]  # of every element entered, by index
    cues: list[int]  # the cue groups of its class and id (a bit mask)
    kinds: list[int]  # its tag and class attribute, as a number (equal for equal pairs)
    cues_above: list[int]  # the cue groups of it and every element around it
    groups_above: list[int]  # the ancestor groups (_ANCESTOR_GROUPS) of it and every element around it
    articles_above: list[int]  # <article> elements among it and the elements around it


def segment(root, cues: Cues | None = None) -> Page:
    """The blocks of an lxml tree, in document order."""
    cues = cues or load_cues()
    blocks: list[Block] = []
    tags: list[str] = []
    masks: list[int] = []
    kinds: list[int] = []
    cues_above: list[int] = []
    groups_above: list[int] = []
    articles_above: list[int] = []
    element_kind: dict[tuple, tuple[int, int, int, int]] = {}  # (tag, class, id) -> what enter() works out
    kind_of: dict[tuple[str, str], int] = {}
    parts: list[str] = []
    link_parts: list[str] = []
    open_nodes: list[int] = []  # indexes of the open elements, outermost first
    open_blocks: list[int] = []  # positions in open_nodes of the open block elements
    in_link = 0

    def flush() -> None:
        if not parts:
            return
        text = " ".join("".join(parts).split())
        link = len(" ".join("".join(link_parts).split()))
        parts.clear()
        link_parts.clear()
        if not text:
            return
        owner = open_blocks[-1] if open_blocks else 0
        path = tuple(open_nodes[m] for m in range(owner, -1, -1))
        blocks.append(Block(text, tags[open_nodes[owner]] if open_nodes else "", path, min(link, len(text))))

    def add(text: str) -> None:
        parts.append(text)
        if in_link:
            link_parts.append(text)

    def enter(el, tag: str) -> None:
        nonlocal in_link
        is_block = tag in BLOCK_TAGS
        if is_block:
            flush()
        css, ident = el.get("class"), el.get("id")
        key = (tag, css, ident)
        known = element_kind.get(key)
        if known is None:
            mask = 0
            for word in class_words(f"{css or ''} {ident or ''}"):
                mask |= cues.masks.get(word, 0)
            kind = kind_of.setdefault((tag, css or ""), len(kind_of))
            known = element_kind[key] = (mask, kind, _ANCESTOR_BITS.get(tag, 0), int(tag == "article"))
        mask, kind, group, article = known
        tags.append(tag)
        masks.append(mask)
        kinds.append(kind)
        if open_nodes:
            parent = open_nodes[-1]
            cues_above.append(mask | cues_above[parent])
            groups_above.append(group | groups_above[parent])
            articles_above.append(article + articles_above[parent])
        else:
            cues_above.append(mask)
            groups_above.append(group)
            articles_above.append(article)
        open_nodes.append(len(tags) - 1)
        if is_block:
            open_blocks.append(len(open_nodes) - 1)
        elif tag == "a":
            in_link += 1
        elif tag in CELL_TAGS:
            add(" ")
        text = el.text
        if text:
            add(text)

    def leave(tag: str) -> None:
        nonlocal in_link
        if tag in BLOCK_TAGS:
            flush()
            open_blocks.pop()
        elif tag == "a":
            in_link -= 1
        open_nodes.pop()

    tag = _tag(root)
    if tag is None or _skipped(root, tag):
        return Page([], [], [], [], [], [], [])
    enter(root, tag)
    stack = [(root, tag, iter(root))]
    while stack:
        element, tag, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            leave(tag)
            if stack and element.tail:  # the tail follows the element, inside its parent
                add(element.tail)
            continue
        child_tag = child.tag
        if child_tag.__class__ is not str or child_tag in SKIPPED_TAGS or _hidden(child):
            if child.tail:  # a comment, a script...: only its tail is text
                add(child.tail)
            continue
        enter(child, child_tag)
        stack.append((child, child_tag, iter(child)))
    flush()
    return Page(blocks, tags, masks, kinds, cues_above, groups_above, articles_above)


def _tag(el) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _skipped(el, tag: str) -> bool:
    return tag in SKIPPED_TAGS or _hidden(el)


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and _DISPLAY_NONE.search(style) is not None


class PageTooRepetitive(ValueError):
    """A page whose blocks' 4-grams recur in an extraction so often that
    reading which blocks the extraction holds would take too long."""


def coverage(block_words: list[list[str]], text: str | list[str]) -> list[float]:
    """For each block (its words), the share of it that `text` holds: of its
    word 4-grams, those found in one passage of `text` (a block shorter than
    4 words: 1.0 if its words stand in `text` between the passages of the
    blocks around it, else 0.0).

    Each passage of `text` is given to at most one block, and the blocks'
    passages keep the page's order: a pull quote that repeats a paragraph's
    sentence does not take the paragraph's place, and a block repeated down
    the page is not found as often as it repeats unless `text` repeats it.

    Raises `PageTooRepetitive` when the blocks' 4-grams are found in `text`
    more than `HITS_PER_WORD` times a word (see there).

    >>> coverage([["a", "b", "c", "d", "e"], ["x"], ["q", "r", "s", "t"]], "a b c d e x")
    [1.0, 1.0, 0.0]
    """
    words = _WORD.findall(text) if isinstance(text, str) else text
    places: dict[tuple[str, ...], list[int]] = {}
    for i, gram in enumerate(zip(words, words[1:], words[2:], words[3:])):
        places.setdefault(gram, []).append(i)
    _check_hits(block_words, words, places)
    candidates = _candidates(block_words, places)
    share = [0.0] * len(block_words)
    spans: list[tuple[int, int] | None] = [None] * len(block_words)
    for b, start, end, found in _heaviest_chain(candidates, len(words)):
        share[b] = found / (len(block_words[b]) - N + 1)
        spans[b] = (start, end)
    for b in _short_blocks_found(block_words, words, spans):
        share[b] = 1.0
    return share


# The most places a page's blocks' 4-grams may be found at in one text, for
# each word of the text and the blocks: every place found is a step of
# `coverage`'s work (about half a microsecond), and a block repeated down a
# page that the text repeats too is found at every repeat, so a page of n
# copies of one paragraph costs n squared (6,000 copies took 50 s). The 80
# development pages are at most 1.9 a word (236 HTML pages of Debian's
# documentation, not used to set it, at most 5.4); 64 still lets through a forum
# page of 2,000 posts that share a line of 5 words, and holds the work to a
# few seconds for the largest page the tag limit lets through.
HITS_PER_WORD = 64
# ... and whatever the page's size, this many (a fraction of a second).
MIN_HITS = 1_000_000


def _check_hits(block_words: list[list[str]], words: list[str], places: dict[tuple[str, ...], list[int]]) -> None:
    """Raise PageTooRepetitive when `_candidates` would go through more places
    than the limit; counted from the lists' lengths, without going through them."""
    hits = sum(len(places.get(gram, ())) for block in block_words for gram in zip(block, block[1:], block[2:], block[3:]))
    limit = max(MIN_HITS, HITS_PER_WORD * (len(words) + sum(map(len, block_words))))
    if hits > limit:
        raise PageTooRepetitive(
            f"HTML too repetitive: its blocks' word 4-grams are found {hits:,} times in its extraction"
            f" (at most {limit:,}: {HITS_PER_WORD} a word)"
        )


def _candidates(block_words: list[list[str]], places: dict[tuple[str, ...], list[int]]) -> list[tuple[int, int, int, int]]:
    """Candidate passages, (block, start, end, 4-grams found), in block order:
    for each block, its 4-grams' places grouped by how far they lie from the
    block's start (one passage, one offset)."""
    candidates: list[tuple[int, int, int, int]] = []
    for b, block in enumerate(block_words):
        if len(block) < N:
            continue
        grams = map(places.get, zip(block, block[1:], block[2:], block[3:]))
        hits = sorted((place - i, i, place) for i, found in enumerate(grams) if found for place in found)
        start = 0
        for end in range(1, len(hits) + 1):
            if end == len(hits) or hits[end][0] - hits[end - 1][0] > DRIFT:
                run = hits[start:end]
                found = len({i for _, i, _ in run})
                candidates.append((b, min(p for _, _, p in run), max(p for _, _, p in run) + N, found))
                start = end
    return candidates


def _heaviest_chain(candidates: list[tuple[int, int, int, int]], text_words: int) -> list[tuple[int, int, int, int]]:
    """The heaviest chain of `candidates` in block order whose places do not
    overlap (by more than the drift): best chain ending at or before each
    place, kept in a Fenwick tree of maxima."""
    size = text_words + N + DRIFT + 2
    tree = [(0, -1)] * (size + 1)

    def best_before(place: int) -> tuple[int, int]:
        found = (0, -1)
        place = min(place, size)
        while place > 0:
            if tree[place] > found:
                found = tree[place]
            place -= place & -place
        return found

    def record(place: int, value: tuple[int, int]) -> None:
        place += 1
        while place <= size:
            if value > tree[place]:
                tree[place] = value
            place += place & -place

    chain: list[tuple[int, int]] = [(0, -1)] * len(candidates)  # (weight of the best chain ending here, previous)
    k = 0
    while k < len(candidates):
        same = k
        while same < len(candidates) and candidates[same][0] == candidates[k][0]:
            same += 1
        for c in range(k, same):  # a block's passages are alternatives: none follows another
            _, start, _, found = candidates[c]
            weight, previous = best_before(start + DRIFT + 1)
            chain[c] = (weight + found, previous)
        for c in range(k, same):
            record(candidates[c][2], (chain[c][0], c))
        k = same
    chosen = []
    c = max(range(len(candidates)), key=lambda c: chain[c][0], default=-1)
    while c >= 0:
        chosen.append(candidates[c])
        c = chain[c][1]
    return chosen


def _short_blocks_found(block_words: list[list[str]], words: list[str], spans: list[tuple[int, int] | None]) -> list[int]:
    """The blocks shorter than 4 words whose words stand in `words` between
    the passages of the blocks around them: for each, the first place at or
    after the end of what was found before it (less two words of overlap)
    and before the next block's passage (plus two)."""
    following = [len(words)] * len(block_words)
    nearest = len(words)
    for b in range(len(block_words) - 1, -1, -1):
        following[b] = nearest
        if spans[b] is not None:
            nearest = spans[b][0]
    # Each short block's places, looked up rather than searched for from
    # `done` on: a page of short blocks the text does not hold (readability
    # runs a page's paragraphs together) would search the whole text once a
    # block, and 24,000 such paragraphs took 76 s.
    starts = _places_of(block_words, words)
    found = []
    done = 0
    for b, block in enumerate(block_words):
        span = spans[b]
        if span is not None:
            done = max(done, span[1])
            continue
        if not block or len(block) >= N:
            continue
        stop = min(len(words), following[b] + 2) - len(block)
        at = starts.get(tuple(block), [])
        k = bisect_left(at, max(0, done - 2))
        if k < len(at) and at[k] <= stop:
            found.append(b)
            done = max(done, at[k] + len(block))
    return found


def _places_of(block_words: list[list[str]], words: list[str]) -> dict[tuple[str, ...], list[int]]:
    """Where in `words` each block shorter than 4 words starts, in order."""
    wanted = {tuple(block) for block in block_words if 0 < len(block) < N}
    places: dict[tuple[str, ...], list[int]] = {}
    for length in {len(block) for block in wanted}:
        for i, gram in enumerate(zip(*(words[k:] for k in range(length)))):
            if gram in wanted:
                places.setdefault(gram, []).append(i)
    return places


# --- what the block model reads ---------------------------------------------------------

# Containers whose share of extracted text is read: the block's own element,
# then these many levels up.
CONTAINER_LEVELS = (1, 2, 3, 4, 6)
# The cue groups of the block's own element and of this many around it.
NEAR_LEVELS = 3


_EXTRACTION_FEATURES = (
    "share",
    "kept",
    *(f"container_{n}" for n in CONTAINER_LEVELS),
    "kind",
    "kind_any",
    "page",
    "previous",
    "next",
    "between",
    "log_distance",
)


def feature_names(extractions: tuple[str, ...], cues: Cues | None = None) -> tuple[str, ...]:
    """The names of `block_features`' columns, with `extractions` the names
    of the extractions it reads the blocks against."""
    cues = cues or load_cues()
    return (
        "log_words",
        "link_density",
        "terminal",
        "stop_density",
        "no_stoplist",
        "title_ratio",
        "digit_ratio",
        "comma_ratio",
        *(name for name, _ in _TAG_GROUPS),
        *(name for name, _ in _ANCESTOR_GROUPS),
        "nested_article",
        *(f"cue_{g}" for g in cues.groups),
        *(f"near_cue_{g}" for g in cues.groups),
        "position",
        "log_depth",
        *(f"{e}_{f}" for e in extractions for f in _EXTRACTION_FEATURES),
    )


def block_words(page: Page) -> list[list[str]]:
    return [_WORD.findall(b.text) for b in page.blocks]


def block_features(
    page: Page,
    words: list[list[str]],
    extractions: list[list[float]],
    stoplist: frozenset[str] | None,
    cues: Cues | None = None,
) -> list[list[float]]:
    """One row per block, in `feature_names` order: what the block's text and
    its place in the HTML say, then for each extraction (each block's share
    in the extraction's text, from `coverage`) what it says."""
    cues = cues or load_cues()
    blocks = page.blocks
    chars = [len(b.text) for b in blocks]
    total = sum(chars) or 1
    groups = len(cues.groups)
    cue_floats = _BitFloats(groups)
    group_floats = _BitFloats(len(_ANCESTOR_GROUPS))
    tag_floats = {tag: tuple(float(tag in group) for _, group in _TAG_GROUPS) for tag in {b.tag for b in blocks}}
    in_stoplist = stoplist.__contains__ if stoplist is not None else None
    rows = []
    position = 0
    for b, block in enumerate(blocks):
        text = block.text
        path = block.path
        sample = words[b][:SAMPLE_WORDS]
        count = len(sample) or 1
        head = text[:SAMPLE_CHARS]
        own = path[0]
        parent = path[1] if len(path) > 1 else -1
        near = page.cues[own]
        for node in path[1:NEAR_LEVELS]:
            near |= page.cues[node]
        letters = sum(map(str.isalpha, sample))
        rows.append(
            [
                math.log1p(len(words[b])),
                block.link_chars / len(text),
                float(_TERMINAL.search(text[-12:]) is not None),
                sum(map(in_stoplist, map(str.lower, sample))) / count if in_stoplist else 0.0,
                float(in_stoplist is None),
                sum(map(str.istitle, sample)) / letters if letters else 0.0,
                sum(map(str.isdigit, sample)) / count,
                head.count(",") / count,
                *tag_floats[block.tag],
                *group_floats[page.groups_above[parent] if parent >= 0 else 0],
                float(page.articles_above[own] > 1),
                *cue_floats[page.cues_above[own]],
                *cue_floats[near],
                position / total,
                math.log1p(len(path)),
            ]
        )
        position += chars[b]
    layout = _layout(page, chars)
    for shares in extractions:
        for row, extra in zip(rows, _extraction_features(page, chars, total, shares, layout)):
            row.extend(extra)
    return rows


class _BitFloats(dict):
    """A bit mask -> its bits as floats (0.0 or 1.0), lowest first; made once
    per mask (a page has few)."""

    def __init__(self, bits: int) -> None:
        super().__init__()
        self.bits = bits

    def __missing__(self, mask: int) -> tuple[float, ...]:
        value = self[mask] = tuple(float(mask >> bit & 1) for bit in range(self.bits))
        return value


def _layout(page: Page, chars: list[int]) -> tuple:
    """What every extraction's features read of the page alike: each block's
    containers (at CONTAINER_LEVELS) and kind, and their characters."""
    containers_of = []
    inside_of = []
    kind_of = []
    held_chars: dict[int, int] = {}
    kind_chars: dict[tuple[int, int], int] = {}
    deepest = max(CONTAINER_LEVELS) + 1
    for b, block in enumerate(page.blocks):
        path = block.path
        containers_of.append([path[min(level, len(path) - 1)] for level in CONTAINER_LEVELS])
        inside_of.append(path[:deepest])
        for node in path[:deepest]:
            held_chars[node] = held_chars.get(node, 0) + chars[b]
        kind = _kind(page, block)
        kind_of.append(kind)
        kind_chars[kind] = kind_chars.get(kind, 0) + chars[b]
    return containers_of, inside_of, kind_of, held_chars, kind_chars


def _extraction_features(page: Page, chars: list[int], total: int, shares: list[float], layout: tuple) -> list[list[float]]:
    """What one extraction says of each block: whether it holds the block,
    and how much of the block's containers, of its kind of block, of the
    page and of the blocks around it."""
    blocks = page.blocks
    n = len(blocks)
    kept = [share >= 0.5 for share in shares]
    kept_chars = [c * share for c, share in zip(chars, shares)]
    containers_of, inside_of, kind_of, held_chars, kind_chars = layout
    held: dict[int, float] = dict.fromkeys(held_chars, 0.0)
    by_kind: dict[tuple[int, int], float] = dict.fromkeys(kind_chars, 0.0)
    for b in range(n):
        if kept_chars[b]:
            for node in inside_of[b]:
                held[node] += kept_chars[b]
        by_kind[kind_of[b]] += kept_chars[b]
    page_share = sum(kept_chars) / total
    before = [math.inf] * n  # blocks back to the nearest kept one
    last = -math.inf
    for b in range(n):
        before[b] = b - last
        if kept[b]:
            last = b
    after = [math.inf] * n
    following = math.inf
    for b in range(n - 1, -1, -1):
        after[b] = following - b
        if kept[b]:
            following = b
    containers = [
        [held[node] / held_chars[node] if held_chars[node] else 0.0 for node in (row[level] for row in containers_of)]
        for level in range(len(CONTAINER_LEVELS))
    ]
    kinds = [(kind_chars[k], by_kind[k]) for k in kind_of]
    columns = [
        shares,
        [float(k) for k in kept],
        *containers,
        [k[1] / k[0] if k[0] else 0.0 for k in kinds],
        [float(k[1] > 0) for k in kinds],
        [page_share] * n,
        [0.0] + [float(k) for k in kept[:-1]],
        [float(k) for k in kept[1:]] + [0.0],
        [float(a < math.inf and z < math.inf) for a, z in zip(before, after)],
        [math.log1p(min(a, z, n)) for a, z in zip(before, after)],
    ]
    return [list(row) for row in zip(*columns)] if n else []


def _kind(page: Page, block: Block) -> tuple[int, int]:
    """The block's element's kind and its parent's: blocks of one kind in
    one kind of container are one part of a template (the paragraphs of an
    article body split into several containers, the items of a list)."""
    own = page.kinds[block.path[0]]
    parent = page.kinds[block.path[1]] if len(block.path) > 1 else -1
    return own, parent


_LANGUAGE_CODE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")


def declared_language(root) -> str | None:
    """The language the page declares (``<html lang>``, else a
    content-language meta element), as a lower-case code: 'en' for 'en-US'."""
    values = [root.get("lang"), root.get("xml:lang")]
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            values.append(meta.get("content"))
    for value in values:
        match = _LANGUAGE_CODE.match(value or "")
        if match:
            return match.group(1).lower()
    return None
