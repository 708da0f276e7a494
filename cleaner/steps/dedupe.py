"""dedupe: drop a paragraph the document already says.

Pages repeat themselves: a stand-first or pull quote that the body then
contains, a teaser printed twice. A line is a repeat when every sentence of it
stands in one other kept line: the contained (shorter) copy is dropped, and of
two equal copies the later one.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from ..result import Decision, Line
from .base import Document

# Below this many words a repeated line is a heading or a label, which other
# steps judge; repeating a short line is no evidence of boilerplate.
MIN_WORDS = 8
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’')\]])\s+")


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()).casefold() for s in _SENTENCE_END.split(text) if s.strip()]


def label_duplicates(
    lines: list[Line], decided: dict[int, Decision], memo: dict[str, tuple[list[str], int]] | None = None
) -> dict[int, Decision]:
    """`memo` (a line's text -> its sentences and their length as compared)
    may be shared by the calls for one document: the context passes read
    the same lines again."""
    memo = {} if memo is None else memo
    kept = [l for l in lines if not l.blank and ((d := decided.get(l.number)) is None or d.keep)]
    sentences: dict[int, list[str]] = {}
    length: dict[int, int] = {}
    for l in kept:
        read = memo.get(l.text)
        if read is None:
            parts = _sentences(l.text)
            read = memo[l.text] = (parts, len(" ".join(parts)))
        sentences[l.number], length[l.number] = read
    where: dict[str, list[int]] = {}  # a sentence -> the lines holding it, in order
    for number, parts in sentences.items():
        for part in dict.fromkeys(parts):
            where.setdefault(part, []).append(number)
    # The lines with a sentence that another line holds too: only these can
    # repeat one (most pages have none).
    sharing = {number for numbers in where.values() if len(numbers) > 1 for number in numbers}

    decisions: dict[int, Decision] = {}
    for line in kept:
        number = line.number
        if number not in sharing or number in decided or len(_WORD.findall(line.text)) < MIN_WORDS:
            continue
        witness = _first_witness(number, sentences[number], where, length, decisions)
        if witness is not None:
            decisions[number] = Decision(False, "dedupe:repeated", f"repeats line {witness}")
    return decisions


def _first_witness(
    number: int, parts: list[str], where: dict[str, list[int]], length: dict[int, int], dropped: dict[int, Decision]
) -> int | None:
    """The first line, other than `number` and not dropped, that holds every
    one of its sentences and is the copy to keep: a longer line, or an equal
    one that comes first. Lines are tried in order among those holding its
    rarest sentence, so a page of many repeats costs little more than one
    pass (testing every line against every other took 48 s on 10,000
    repeated paragraphs)."""
    rarest = min(parts, key=lambda p: len(where[p]))
    others = [where[p] for p in parts if p != rarest]
    own = length[number]
    for candidate in where[rarest]:
        if candidate == number or candidate in dropped:
            continue
        if not (length[candidate] > own or (length[candidate] == own and candidate < number)):
            continue
        if all(_holds(lines, candidate) for lines in others):
            return candidate
    return None


def _holds(lines: list[int], number: int) -> bool:
    """Whether the ordered `lines` include `number`."""
    at = bisect_left(lines, number)
    return at < len(lines) and lines[at] == number


class DedupeStep:
    """Drops a paragraph the document already says (see the module's docstring)."""

    name = "dedupe"

    def __call__(self, document: Document) -> dict[int, Decision]:
        memo = document.memo.setdefault(self.name, {})  # the context passes read the same lines again
        return label_duplicates(document.lines, document.decisions, memo)
