"""rules: pick the document's source rule set and apply rule files to lines.

The matched source's rules come first, then the generic files'. Within a
file: `keep` rules protect a line from every later step, then `drop_block`,
`drop`, and finally `cut`, which removes phrases from lines that stay.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..result import Cut, Decision, Line
from ..rulefile import RuleSet

def select_source(rule_sets: list[RuleSet], text: str, url: str | None, source: str | None) -> RuleSet | None:
    """The document's source rule set: the one named, else the one whose host
    matches the URL, else the one with the most fingerprints in the text."""
    specific = [r for r in rule_sets if not r.generic]
    if source is not None:
        for rule_set in specific:
            if rule_set.id == source:
                return rule_set
        known = ", ".join(sorted(r.id for r in specific)) or "none"
        raise ValueError(f"unknown source {source!r} (known: {known})")
    if url:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
        for rule_set in specific:
            if host and rule_set.matches_host(host):
                return rule_set
    best, best_hits = None, 0
    for rule_set in specific:
        hits = rule_set.fingerprint_hits(text) if rule_set.fingerprints else 0
        if hits > best_hits:
            best, best_hits = rule_set, hits
    return best


def apply_rules(lines: list[Line], rule_sets: list[RuleSet]) -> tuple[dict[int, Decision], list[Line], list[Cut]]:
    """Decisions for the lines the rules claim, the lines after cuts, and the cuts."""
    decisions: dict[int, Decision] = {}
    content = [line for line in lines if not line.blank]

    for rule_set in rule_sets:
        for rule in rule_set.keep:
            for line in content:
                if line.number not in decisions and rule.pattern.search(line.text):
                    decisions[line.number] = Decision(True, f"rule:{rule_set.id}/{rule.id}")

    for rule_set in rule_sets:
        for block in rule_set.drop_block:
            _drop_block(content, block, rule_set.id, decisions)
        for rule in rule_set.drop:
            for line in content:
                if line.number not in decisions and rule.pattern.search(line.text):
                    decisions[line.number] = Decision(False, f"rule:{rule_set.id}/{rule.id}")

    cuts: list[Cut] = []
    cut_lines: list[Line] = []
    for line in lines:
        decision = decisions.get(line.number)
        if line.blank or (decision is not None and not decision.keep):
            cut_lines.append(line)
            continue
        text = line.text
        for rule_set in rule_sets:
            for rule in rule_set.cut:
                text, removed = _cut(text, rule.pattern)
                cuts.extend(Cut(line.number, phrase, f"rule:{rule_set.id}/{rule.id}") for phrase in removed)
        if text != line.text:
            if not text.strip():  # the whole line was spam: that is a drop, not a cut
                decisions[line.number] = Decision(False, cuts.pop().reason)
                while cuts and cuts[-1].line == line.number:
                    cuts.pop()
                cut_lines.append(line)
                continue
            line = Line(line.number, text)
        cut_lines.append(line)
    return decisions, cut_lines, cuts


def _cut(text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
    """Remove every match; where that leaves two spaces (or a space at the
    start or end), keep one, so the rest of the line is untouched."""
    removed: list[str] = []
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(text):
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


def _drop_block(content: list[Line], block, source_id: str, decisions: dict[int, Decision]) -> None:
    reason = f"rule:{source_id}/{block.id}"
    inside = False
    for line in content:
        if not inside:
            if block.start.search(line.text) and line.number not in decisions:
                inside = True
            else:
                continue
        elif block.end is not None and block.end.search(line.text):
            inside = False
            continue
        if line.number not in decisions:  # a keep rule still wins inside a block
            decisions[line.number] = Decision(False, reason)
