"""The line model: a fitted score of how much a line reads like article text.

Two logistic regressions over features a plain-text line has without its
HTML. The first reads the line itself and where it stands in the page's mass
of prose; the second reads the first's scores of the lines around it (the
learned form of jusText's context pass: a line among article lines is
article). The weights are data (``data/line_model.json``), fitted on the
development pages by ``bench/fit_line_model.py``, which says how.

Pure Python at run time: a page of a few hundred lines costs well under a
millisecond more than the rules.
"""
from __future__ import annotations

import json
import math
import re
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import NamedTuple

from ..prefilter import prefiltered

_WORD = re.compile(r"\w+")
_SENTENCE_PUNCT = re.compile(r"[.,;:!?]")
# Searched behind a prefilter of the literals their matches hold (most lines
# hold none); see cleaner/prefilter.py. Every match of _DATE holds a digit,
# which `_text_features` relies on (a test draws matches of it to check).
_DATE = prefiltered(
    re.compile(
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}:\d\d\b|\b(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?\b",
        re.IGNORECASE,
    )
)
_LINKISH = prefiltered(re.compile(r"https?://|www\.|\S+@\S+\.\w+|\s[|•·]\s|^\s*[|•·]|»|›"))

# Stage-1 features: the line alone, and where it stands among the page's prose.
LINE_FEATURES = (
    "log_words",
    "terminal",
    "ends_colon",
    "stop_density",
    "no_stoplist",
    "title_ratio",
    "upper_ratio",
    "digit_ratio",
    "symbol_ratio",
    "has_comma",
    "long_unpunctuated",
    "repeated",
    "dateish",
    "linkish",
    "prose_like",
    "prose_before",
    "prose_after",
    "prose_depth",
    "log_distance_to_prose",
    "near_prose_share",
    "neighbour_hard_bad",
)
# Stage-2 features: stage-1 scores (logits) around the line.
CONTEXT_FEATURES = (
    "own",
    "prev1",
    "next1",
    "prev2",
    "next2",
    "mean_window_3",
    "mean_window_10",
    "min_adjacent",
    "max_adjacent",
)
# A neighbour's score where there is none (before the first line, after the last).
EDGE_LOGIT = -4.0
# Character ratios are read from this much of a line: they are settled long
# before, and a megabyte-long line must not cost a megabyte of Python loops.
RATIO_SAMPLE_CHARS = 2000


@dataclass(frozen=True)
class LineModel:
    """The weights as fitted, on standardised features: (x - mean) / scale."""

    line_weights: tuple[float, ...]  # bias first, then LINE_FEATURES
    context_weights: tuple[float, ...]  # bias first, then CONTEXT_FEATURES
    threshold: float  # keep a prose-like line whose stage-2 probability reaches this
    means: tuple[float, ...]  # feature standardisation, as fitted
    scales: tuple[float, ...]

    # The same two models on raw features, worked out once: standardising is
    # linear, so it folds into the weights and the bias.
    @cached_property
    def line_stage(self) -> tuple[float, tuple[float, ...]]:
        k = len(LINE_FEATURES)
        return _fold(self.line_weights, self.means[:k], self.scales[:k])

    @cached_property
    def context_stage(self) -> tuple[float, tuple[float, ...]]:
        k = len(LINE_FEATURES)
        return _fold(self.context_weights, self.means[k:], self.scales[k:])


def _fold(weights, means, scales) -> tuple[float, tuple[float, ...]]:
    coefficients = tuple(w / s for w, s in zip(weights[1:], scales))
    return weights[0] - sum(c * m for c, m in zip(coefficients, means)), coefficients


def neutral_model() -> LineModel:
    """A model that keeps every line (what the fitting script starts from)."""
    k, c = len(LINE_FEATURES), len(CONTEXT_FEATURES)
    return LineModel((10.0,) + (0.0,) * k, (10.0,) + (0.0,) * c, 0.5, (0.0,) * (k + c), (1.0,) * (k + c))


@lru_cache(maxsize=1)
def load_line_model() -> LineModel:
    raw = json.loads(resources.files("cleaner").joinpath("data/line_model.json").read_text(encoding="utf-8"))
    if tuple(raw["line_features"]) != LINE_FEATURES or tuple(raw["context_features"]) != CONTEXT_FEATURES:
        raise ValueError("data/line_model.json was fitted for other features: run bench/fit_line_model.py again")
    return LineModel(
        tuple(raw["line_weights"]),
        tuple(raw["context_weights"]),
        float(raw["threshold"]),
        tuple(raw["means"]),
        tuple(raw["scales"]),
    )


class LineView(NamedTuple):
    """What the model needs to know of a line (built by the heuristics step,
    for every line in every pass: a named tuple is made in a third of the
    time of a frozen dataclass)."""

    text: str
    words: int
    terminal: bool
    stop_density: float | None
    hard_bad: bool  # already boilerplate by a rule or a sure heuristic
    prose_like: bool  # the heuristics' "good" class


def _text_features(text: str, words: int) -> tuple[str, tuple[float, ...]]:
    """What a line's text alone gives: its repeat key, and the features from
    `ends_colon` to `linkish` but `stop_density`, `no_stoplist` and `repeated`."""
    whole = len(text) <= RATIO_SAMPLE_CHARS
    sample = text if whole else text[:RATIO_SAMPLE_CHARS]
    alpha = _alphabetic_words(sample)
    pieces = sample.split()
    chars = "".join(pieces) or " "
    digits, alphanumeric = _count_digits_and_alphanumerics(chars)
    # Every match of _DATE holds a digit (\d, a decimal digit, which
    # str.isdigit counts too): a line no longer than its sample, with no
    # digit in it, cannot hold a date, and is not searched.
    dateish = (digits or not whole) and _DATE.search(text) is not None
    return " ".join(pieces if whole else text.split()).casefold(), (
        float(text.rstrip().endswith(":")),
        len([t for t in alpha if t[0].isupper()]) / len(alpha) if alpha else 0.0,
        len([t for t in alpha if len(t) > 1 and t.isupper()]) / len(alpha) if alpha else 0.0,
        digits / len(chars),
        1.0 - alphanumeric / len(chars),
        float("," in text),
        float(words >= 15 and not _SENTENCE_PUNCT.search(text)),
        float(dateish),
        float(bool(_LINKISH.search(text))),
    )


_ASCII_DIGITS = b"0123456789"
_ASCII_ALPHANUMERICS = _ASCII_DIGITS + b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _count_digits_and_alphanumerics(chars: str) -> tuple[int, int]:
    """How many of `chars` are digits (`str.isdigit`) and how many letters or
    digits (`str.isalnum`). For ASCII text (most lines), which those are is
    [0-9] and [0-9A-Za-z]: counted by deleting them from the bytes (in C,
    by table) rather than by a call per character; the answer is the same
    (a test checks every ASCII character)."""
    if chars.isascii():
        data = chars.encode("ascii")
        return (
            len(data) - len(data.translate(None, _ASCII_DIGITS)),
            len(data) - len(data.translate(None, _ASCII_ALPHANUMERICS)),
        )
    return sum(map(str.isdigit, chars)), sum(map(str.isalnum, chars))


# \w+ runs made of letters only, in ASCII text (where \w is [0-9A-Za-z_]):
# what `_alphabetic_words` keeps of `_WORD`'s matches, found in one pass.
_ASCII_ALPHABETIC_WORD = re.compile(r"(?<![0-9A-Za-z_])[A-Za-z]+(?![0-9A-Za-z_])")


def _alphabetic_words(text: str) -> list[str]:
    """The `_WORD` matches of `text` that are all letters (`str.isalpha`)."""
    if text.isascii():
        return _ASCII_ALPHABETIC_WORD.findall(text)
    return [t for t in _WORD.findall(text) if t.isalpha()]


def line_features(views: list[LineView], memo: dict | None = None) -> list[list[float]]:
    """Stage-1 feature rows, one per line, in LINE_FEATURES order.

    `memo` (a line -> what it gives whatever its neighbours) may be shared
    by the calls for one document: the context passes see the same lines
    again, and these features are most of the model's cost."""
    n = len(views)
    memo = {} if memo is None else memo
    own = []
    for v in views:
        line = (v.text, v.words, v.terminal, v.stop_density)  # what `_own_features` reads
        found = memo.get(line)
        if found is None:
            found = memo[line] = _own_features(v)
        own.append(found)
    counts: dict[str, int] = {}
    for key, *_ in own:
        counts[key] = counts.get(key, 0) + 1
    prose_words = [v.words if v.prose_like and not v.hard_bad else 0 for v in views]
    total_prose = sum(prose_words) or 1
    before = 0
    prose_positions = [k for k, w in enumerate(prose_words) if w]
    prose_lines = len(prose_positions)
    running = [0]  # prose words before each line, for the window sums
    for w in prose_words:
        running.append(running[-1] + w)
    hard = [v.hard_bad for v in views]
    rows: list[list[float]] = []
    pointer = 0
    for k, v in enumerate(views):
        key, leading, dateish, linkish = own[k]
        while pointer < prose_lines and prose_positions[pointer] < k:
            pointer += 1
        # The nearest prose line: the first at or after this one, or the last before it.
        if pointer < prose_lines:
            distance = prose_positions[pointer] - k
            if pointer:
                distance = min(distance, k - prose_positions[pointer - 1])
        else:
            distance = k - prose_positions[pointer - 1] if pointer else n
        after = total_prose - before - prose_words[k]
        near = (running[min(n, k + 6)] - running[max(0, k - 5)]) / total_prose  # the 5 lines each side
        if 0 < k < n - 1:
            neighbours = (hard[k - 1] + hard[k + 1]) / 2
        elif n > 1:
            neighbours = float(hard[1] if k == 0 else hard[k - 1])
        else:
            neighbours = 1.0
        rows.append(
            [
                *leading,
                float(counts[key] > 1),
                dateish,
                linkish,
                float(v.prose_like),
                before / total_prose,
                after / total_prose,
                min(before, after) / total_prose,
                math.log1p(distance),
                near,
                neighbours,
            ]
        )
        before += prose_words[k]
    return rows


def _own_features(view: LineView) -> tuple[str, tuple[float, ...], float, float]:
    """What a line gives whatever its neighbours: its repeat key, its
    features from `log_words` to `long_unpunctuated` (in LINE_FEATURES
    order), and `dateish` and `linkish`."""
    key, (ends_colon, title, upper, digit, symbol, comma, unpunctuated, dateish, linkish) = _text_features(
        view.text, view.words
    )
    density = view.stop_density
    leading = (
        math.log1p(view.words),
        float(view.terminal),
        ends_colon,
        density if density is not None else 0.0,
        float(density is None),
        title,
        upper,
        digit,
        symbol,
        comma,
        unpunctuated,
    )
    return key, leading, dateish, linkish


def context_features(logits: list[float], at: Sequence[int] | None = None) -> list[list[float]]:
    """Stage-2 feature rows from the stage-1 logits, in CONTEXT_FEATURES
    order: of every line, or of the lines at the positions `at`."""
    n = len(logits)
    # The logits with two EDGE_LOGITs on each side: line k's neighbour at
    # offset d is padded[k + 2 + d].
    padded = [EDGE_LOGIT, EDGE_LOGIT, *logits, EDGE_LOGIT, EDGE_LOGIT]
    prefix = [0.0]
    for value in logits:
        prefix.append(prefix[-1] + value)
    rows = []
    for k in range(n) if at is None else at:
        own, before, after = padded[k + 2], padded[k + 1], padded[k + 3]
        lo3, hi3 = max(0, k - 3), min(n, k + 4)
        lo10, hi10 = max(0, k - 10), min(n, k + 11)
        rows.append(
            [
                own,
                before,
                after,
                padded[k],
                padded[k + 4],
                (prefix[hi3] - prefix[lo3]) / (hi3 - lo3),
                (prefix[hi10] - prefix[lo10]) / (hi10 - lo10),
                min(before, after),
                max(before, after),
            ]
        )
    return rows


def _logit(stage: tuple[float, tuple[float, ...]], row: list[float]) -> float:
    bias, coefficients = stage
    return bias + sum(map(operator.mul, coefficients, row))


def score_lines(
    views: list[LineView], model: LineModel | None = None, memo: dict | None = None, at: Sequence[int] | None = None
) -> list[float]:
    """The probability that each line is article text, or each line at the
    positions `at` (`memo`: see `line_features`). Every line's first stage
    is computed either way: it is the others' context."""
    model = model or load_line_model()
    if not views:
        return []
    first = [_logit(model.line_stage, row) for row in line_features(views, memo)]
    second = [_logit(model.context_stage, row) for row in context_features(first, at)]
    return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) for z in second]
