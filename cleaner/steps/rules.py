"""rules: pick the document's source rule set and apply rule files to lines.

The matched source's rules come first, then the generic files'. Within a
file: `keep` rules protect a line from every later step, then `drop_block`,
`drop`, and finally `cut`, which removes phrases from lines that stay.

A `keep`, `drop` or `cut` pattern is searched only in lines that hold one
of the literal strings every match of it holds (cleaner/prefilter.py), and
the file's `drop` patterns only in lines that hold one of theirs: a line
ruled out that way is never searched, so it cannot run out of time on a slow
pattern either.
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
    takes all of it or every line a little. `literals` (a rule's, see
    cleaner/prefilter.py) rule most lines out before any search, and the
    clock is read only around the searches they let through."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.warnings: list[str] = []
        self._slow: set[str] = set()
        self._spent: dict[str, float] = {}  # seconds each rule (or prefilter key) has searched this document

    def search(self, pattern, literals, text: str, rule_id: str, line: int) -> bool:
        if rule_id in self._slow or not may_match(literals, text):
            return False
        try:
            return self._timed(rule_id, lambda left: pattern.search(text, timeout=left)) is not None
        except TimeoutError:
            self._report(rule_id, line)
            return False

    def might_match(self, pattern, literals, text: str, key: str) -> bool:
        """A prefilter: False only when the pattern surely does not match.
        Running out of time counts as "might", so the rules themselves run
        and the slow one is reported by its id; the prefilter itself (`key`)
        is then not used again in this document."""
        if key in self._slow:
            return True
        if not may_match(literals, text):
            return False
        try:
            return self._timed(key, lambda left: pattern.search(text, timeout=left)) is not None
        except TimeoutError:
            self._slow.add(key)
            return True

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
    content = [line for line in lines if line.text.strip()]
    searcher = _Searcher(timeout)
    # Per rule set, each content line's prefilter bits.
    masks = [[rule_set.line_prefilter.may_match(line.text) for line in content] for rule_set in rule_sets]

    for rule_set, mask in zip(rule_sets, masks):
        bits = rule_set.line_prefilter.bits
        for k, rule in enumerate(rule_set.keep):
            rule_id, bit = f"{rule_set.id}/{rule.id}", bits["keep", k]
            for line, may in zip(content, mask):
                if may & bit and line.number not in decisions:
                    if searcher.search(rule.pattern, None, line.text, rule_id, line.number):
                        decisions[line.number] = Decision(True, f"rule:{rule_id}")

    for rule_set, mask in zip(rule_sets, masks):
        bits = rule_set.line_prefilter.bits
        for block in rule_set.drop_block:
            _drop_block(content, block, rule_set.id, decisions, searcher)
        if not rule_set.drop:
            continue
        drop_bits = 0
        for k in range(len(rule_set.drop)):
            drop_bits |= bits["drop", k]
        # The lines some drop rule may match; if a rule has no prefilter of
        # its own (its bit always set), the lines the union pattern matches.
        # One search of the union costs more than a rule's own prefilter where
        # some rules are long alternations that are not anchored (the cookie
        # notices of thirteen languages).
        candidates = [(l, may) for l, may in zip(content, mask) if may & drop_bits and l.number not in decisions]
        if not all(rule.literals is not None for rule in rule_set.drop):
            key = f"{rule_set.id}/(any drop)"
            candidates = [
                (l, may)
                for l, may in candidates
                if searcher.might_match(rule_set.any_drop, rule_set.any_drop_literals, l.text, key)
            ]
        for k, rule in enumerate(rule_set.drop):
            rule_id, bit = f"{rule_set.id}/{rule.id}", bits["drop", k]
            for line, may in candidates:
                if may & bit and line.number not in decisions:
                    if searcher.search(rule.pattern, None, line.text, rule_id, line.number):
                        decisions[line.number] = Decision(False, f"rule:{rule_id}")

    cuts: list[Cut] = []
    cut_lines: list[Line] = list(lines)
    cutters = [(rule_set, mask) for rule_set, mask in zip(rule_sets, masks) if rule_set.cut]
    if cutters:
        at = {line.number: k for k, line in enumerate(content)}
        for index, line in enumerate(lines):
            k = at.get(line.number)
            decision = decisions.get(line.number)
            if k is None or (decision is not None and not decision.keep):
                continue
            text = line.text
            for rule_set, mask in cutters:
                bits = rule_set.line_prefilter.bits
                for c, rule in enumerate(rule_set.cut):
                    # The bits are the line's as written: once a cut has
                    # changed it, each rule's own prefilter reads the new text.
                    if text is line.text and not mask[k] & bits["cut", c]:
                        continue
                    literals = rule.literals if text is not line.text else None
                    text, removed = searcher.cut(rule.pattern, literals, text, f"{rule_set.id}/{rule.id}", line.number)
                    cuts.extend(Cut(line.number, phrase, f"rule:{rule_set.id}/{rule.id}") for phrase in removed)
            if text != line.text:
                if not text.strip():  # the whole line was spam: that is a drop, not a cut
                    decisions[line.number] = Decision(False, cuts.pop().reason)
                    while cuts and cuts[-1].line == line.number:
                        cuts.pop()
                    continue
                cut_lines[index] = Line(line.number, text)
    return RulesOutcome(decisions, cut_lines, cuts, searcher.warnings)


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
            if line.number not in decisions and searcher.search(block.start, None, line.text, rule_id, line.number):
                inside = []
            else:
                continue
        elif block.end is not None and searcher.search(block.end, None, line.text, rule_id, line.number):
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
