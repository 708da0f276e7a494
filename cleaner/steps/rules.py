"""rules: pick the document's source rule set and apply rule files to lines.

The matched source's rules come first, then the generic files'. Within a
file: `keep` rules protect a line from every later step, then `drop_block`,
`drop`, and finally `cut`, which removes phrases from lines that stay.

A `keep`, `drop` or `cut` pattern is searched only in lines that hold one
of the literal strings every match of it holds (cleaner/prefilter.py): one
automaton pass over a line finds which of a file's rules those are
(`RuleSet.line_prefilter`). A line ruled out that way is never searched, so
it cannot run out of time on a slow pattern either.
"""
from __future__ import annotations

import time
from typing import NamedTuple
from urllib.parse import urlsplit

from ..prefilter import may_match
from ..result import Cut, Decision, Line
from ..rulefile import RuleSet
from .base import Document


def url_host(url: str) -> str | None:
    """The host of `url` ("example.com/a" counts as a host too), or None if
    the URL cannot be read."""
    try:
        return urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:  # e.g. "Invalid IPv6 URL"
        return None


def select_source(rule_sets: list[RuleSet], text: str, host: str | None, source: str | None) -> RuleSet | None:
    """The document's source rule set: the one named, else the one whose host
    matches, else the one with the most fingerprints in the text."""
    specific = [r for r in rule_sets if not r.generic]
    if source is not None:
        for rule_set in specific:
            if rule_set.id == source:
                return rule_set
        known = ", ".join(sorted(r.id for r in specific)) or "none"
        raise ValueError(f"unknown source {source!r} (known: {known})")
    if host:
        for rule_set in specific:
            if rule_set.matches_host(host):
                return rule_set
    best, best_hits = None, 0
    for rule_set in specific:
        hits = rule_set.fingerprint_hits(text) if rule_set.fingerprints else 0
        if hits > best_hits:
            best, best_hits = rule_set, hits
    return best


class RulesOutcome(NamedTuple):
    decisions: dict[int, Decision]  # the lines the rules claim
    lines: list[Line]  # the lines after cuts
    cuts: list[Cut]
    warnings: list[str]  # rules that ran out of time, by id


class _Searcher:
    """Searches within a time budget: each rule may spend `timeout` seconds
    searching one document, its searches' times summed, and each search is
    given what is left of it. A rule that spends it is reported once, by its
    id, and not searched again in this document, so a document costs at most
    about `timeout` per rule however many lines it has, whether one line
    takes all of it or every line a little. The rules' prefilters (see
    cleaner/prefilter.py) rule most lines out before any search, and the
    clock is read only around the searches they let through."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.warnings: list[str] = []
        self._slow: set[str] = set()
        self._spent: dict[str, float] = {}  # seconds each rule has searched this document

    def search(self, pattern, text: str, rule_id: str, line: int) -> bool:
        if rule_id in self._slow:
            return False
        try:
            return self._timed(rule_id, lambda left: pattern.search(text, timeout=left)) is not None
        except TimeoutError:
            self._report(rule_id, line)
            return False

    def cut(self, pattern, literals, text: str, rule_id: str, line: int) -> tuple[str, list[str]]:
        if rule_id in self._slow or not may_match(literals, text):
            return text, []
        try:
            return self._timed(rule_id, lambda left: _cut(text, pattern, left))
        except TimeoutError:
            self._report(rule_id, line)
            return text, []

    def gave_up(self, rule_id: str) -> bool:
        return rule_id in self._slow

    def _timed(self, key: str, search):
        """`search(seconds)`, given what is left of `key`'s budget, and its
        time added to what `key` has spent. Raises TimeoutError, without
        searching, when nothing is left: the regex module reads a timeout of
        0 as "out of time", but a negative one as "no limit"."""
        spent = self._spent.get(key, 0.0)
        left = self.timeout - spent
        if left <= 0:
            raise TimeoutError
        started = time.perf_counter()
        try:
            return search(left)
        finally:
            self._spent[key] = spent + time.perf_counter() - started

    def _report(self, rule_id: str, line: int) -> None:
        self._slow.add(rule_id)
        self.warnings.append(
            f"slow rule {rule_id}: its searches took more than {self.timeout}s in this document "
            f"(out of time on line {line}); treated as not matching, and not tried again in this document"
        )


def apply_rules(lines: list[Line], rule_sets: list[RuleSet], timeout: float = 1.0) -> RulesOutcome:
    """Apply the rule sets in order; `timeout` bounds the time each rule may
    spend searching these lines, all of its searches together.

    Each line is read once per rule set by the set's `line_prefilter`, which
    says which of its rules may match it (most lines: none); each rule is
    then searched in those lines only, in the order the rules come."""
    decisions: dict[int, Decision] = {}
    content = [line for line in lines if not line.blank]
    searcher = _Searcher(timeout)
    # Per rule set, each content line with its prefilter bits.
    read = [
        list(zip(content, map(rule_set.line_prefilter.may_match, (l.text for l in content))))
        if rule_set.line_prefilter.bits
        else [(line, 0) for line in content]
        for rule_set in rule_sets
    ]

    for rule_set, bits_of in zip(rule_sets, read):
        _claim_lines(rule_set, "keep", bits_of, decisions, searcher)

    for rule_set, bits_of in zip(rule_sets, read):
        for block in rule_set.drop_block:
            _drop_block(content, block, rule_set.id, decisions, searcher)
        _claim_lines(rule_set, "drop", bits_of, decisions, searcher)

    cuts: list[Cut] = []
    edited: dict[int, Line] = {}
    cutting = [(rule_set, bits_of) for rule_set, bits_of in zip(rule_sets, read) if rule_set.cut]
    for k, line in enumerate(content if cutting else ()):
        decision = decisions.get(line.number)
        if decision is not None and not decision.keep:
            continue
        text, changed = line.text, False
        for rule_set, bits_of in cutting:
            may = bits_of[k][1]
            for c, rule in enumerate(rule_set.cut):
                # The bits are the line's as written: once a cut has changed
                # it, each rule's own prefilter reads the new text.
                if not changed and not may & rule_set.line_prefilter.bits["cut", c]:
                    continue
                rule_id = f"{rule_set.id}/{rule.id}"
                text, removed = searcher.cut(rule.pattern, rule.literals if changed else None, text, rule_id, line.number)
                cuts.extend(Cut(line.number, phrase, f"rule:{rule_id}") for phrase in removed)
                changed = changed or bool(removed)
        if not changed:
            continue
        if not text.strip():  # the whole line was spam: that is a drop, not a cut
            decisions[line.number] = Decision(False, cuts.pop().reason)
            while cuts and cuts[-1].line == line.number:
                cuts.pop()
        else:
            edited[line.number] = Line(line.number, text)
    cut_lines = [edited.get(line.number, line) for line in lines]
    return RulesOutcome(decisions, cut_lines, cuts, searcher.warnings)


def _claim_lines(rule_set: RuleSet, kind: str, bits_of: list[tuple[Line, int]], decisions: dict[int, Decision],
                 searcher: _Searcher) -> None:
    """Each of the set's `kind` rules ("keep" or "drop"), in order, claims
    the unclaimed lines it matches among those its prefilter bit lets
    through."""
    rules = getattr(rule_set, kind)
    bits = [rule_set.line_prefilter.bits[kind, k] for k in range(len(rules))]
    # The lines some rule of this kind may match (most lines: none).
    any_bit = sum(bits)  # each rule has a bit of its own: their sum is their union
    bits_of = [(line, may) for line, may in bits_of if may & any_bit]
    for rule, bit in zip(rules, bits):
        rule_id = f"{rule_set.id}/{rule.id}"
        for line, may in bits_of:
            if may & bit and line.number not in decisions and searcher.search(rule.pattern, line.text, rule_id, line.number):
                decisions[line.number] = Decision(kind == "keep", f"rule:{rule_id}")


def _cut(text: str, pattern, timeout: float | None = None) -> tuple[str, list[str]]:
    """Remove every match; where that leaves two spaces (or a space at the
    start or end), keep one, so the rest of the line is untouched."""
    removed: list[str] = []
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(text, timeout=timeout):
        if not match.group(0):
            continue
        removed.append(match.group(0))
        pieces.append(text[position : match.start()])
        position = match.end()
    if not removed:
        return text, removed
    pieces.append(text[position:])
    result = pieces[0]
    for piece in pieces[1:]:
        if (not result.strip() or result[-1:].isspace()) and piece[:1].isspace():
            piece = piece.lstrip(" \t")
        result += piece
    if not pieces[-1].strip():
        result = result.rstrip(" \t")
    return result.lstrip(" \t") if not pieces[0].strip() else result, removed


def _drop_block(content: list[Line], block, source_id: str, decisions: dict[int, Decision], searcher: _Searcher) -> None:
    """Drop each block's lines, from a start line up to an end line. A block
    whose end pattern runs out of time drops nothing: where it ends is not
    known, and guessing "at the document's end" could drop the article."""
    rule_id = f"{source_id}/{block.id}"
    reason = f"rule:{rule_id}"
    inside: list[int] | None = None  # the open block's lines
    for line in content:
        if inside is None:
            if line.number not in decisions and searcher.search(block.start, line.text, rule_id, line.number):
                inside = []
            else:
                continue
        elif block.end is not None and searcher.search(block.end, line.text, rule_id, line.number):
            _drop(inside, decisions, reason)
            inside = None
            continue
        if searcher.gave_up(rule_id):
            return
        if line.number not in decisions:  # a keep rule still wins inside a block
            inside.append(line.number)
    if inside is not None:
        _drop(inside, decisions, reason)


def _drop(numbers: list[int], decisions: dict[int, Decision], reason: str) -> None:
    for number in numbers:
        decisions[number] = Decision(False, reason)


class RulesStep:
    """Picks the document's source rule file, then applies it and the
    generic files: their decisions, and the lines with their cuts made."""

    name = "rules"

    def __init__(self, rule_sets: list[RuleSet], timeout: float) -> None:
        self.rule_sets = rule_sets
        self.generic = [r for r in rule_sets if r.generic]
        self.timeout = timeout

    def __call__(self, document: Document) -> dict[int, Decision]:
        url = document.url
        host = url_host(url) if url else None
        if url and host is None:
            document.warnings.append(f"URL not understood, so no rule file is chosen by host: {url!r}")
        source_rules = select_source(self.rule_sets, document.text, host, document.source)
        document.source_rules = source_rules
        outcome = apply_rules(document.lines, ([source_rules] if source_rules else []) + self.generic, self.timeout)
        document.lines = outcome.lines
        document.cuts.extend(outcome.cuts)
        document.warnings.extend(outcome.warnings)
        return outcome.decisions
