"""dedupe: drop a paragraph the document already says.

Pages repeat themselves: a stand-first or pull quote that the body then
contains, a teaser printed twice. A line is a repeat when every sentence of it
stands in one other kept line: the contained (shorter) copy is dropped, and of
two equal copies the later one.
"""
from __future__ import annotations

import re

from ..result import Decision, Line

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
    """`memo` (a line's text -> its sentences and number of words) may be
    shared by the calls for one document: the context passes read the same
    lines again."""
    memo = {} if memo is None else memo
    kept = [l for l in lines if not l.blank and decided.get(l.number, Decision(True, "")).keep]
    sentences: dict[int, list[str]] = {}
    words: dict[int, int] = {}
    for l in kept:
        read = memo.get(l.text)
        if read is None:
            read = memo[l.text] = (_sentences(l.text), len(_WORD.findall(l.text)))
        sentences[l.number], words[l.number] = read
    where: dict[str, set[int]] = {}
    for number, parts in sentences.items():
        for part in parts:
            where.setdefault(part, set()).add(number)

    length = {l.number: len(" ".join(sentences[l.number])) for l in kept}
    decisions: dict[int, Decision] = {}
    for line in kept:
        if line.number in decided or words[line.number] < MIN_WORDS:
            continue
        parts = sentences[line.number]
        holders = set.intersection(*(where[p] for p in parts)) - {line.number} - set(decisions)
        # The copy to keep is a longer line, or an equal line that comes first.
        witnesses = sorted(
            m for m in holders if length[m] > length[line.number] or (length[m] == length[line.number] and m < line.number)
        )
        if witnesses:
            decisions[line.number] = Decision(False, "dedupe:repeated", f"repeats line {witnesses[0]}")
    return decisions
