"""prefilter: a cheap test in front of a costly search, which says "no
match" only where the pattern surely has none.

Python's `re` tries every alternative of a pattern such as
``\\bclick here\\b|\\bfree trial\\b|...`` at every position of a line;
searched case-insensitively, the heuristics' advert group took 12 to 16 µs
a line of the development pages. But every match of it contains one of a few
literal strings ("click here", "free trial", ...), and looking for those in
the lower-cased line costs a fraction of that. Most lines hold none of them,
and those are answered by that test alone.

The strings are read off the pattern's own parse tree, so they stay right
when a pattern changes: for each alternative, the literal text every match of
it must contain (a run of literal characters, through character sets of a
few characters too, or one of a group's alternatives). A pattern with an
alternative that needs no literal text gets no prefilter. Besides the
heuristics, it serves the rule files and the spun scorer's artifacts; and
`required_characters` reads, the same way, the characters one of which
every match of a case-sensitive pattern holds (ftfy's mojibake pattern,
for repair).

The test lower-cases the line, which is `re`'s case rule for IGNORECASE but
for a few characters: "İ", "ı" and "ſ" match "i" and "s" case-insensitively
yet lower-case to something else, and so do the old variant forms of seven
Cyrillic letters (U+1C80-U+1C88, "ᲀ" for "в") and one letter `regex` folds
to "ß" (tests check that no other character does, for `re` and for `regex`,
against every ASCII letter and every cased letter of Latin-1, Latin
Extended-A and -B and Cyrillic). A line holding one of them is searched as
it is. The literals themselves keep only characters whose case rule is that
simple: ASCII, those letters, or characters without case ("©", "»", Chinese,
Japanese and Korean); a pattern with another (a Greek letter, say, whose
lower case depends on its place in a word) gets no prefilter.

Rule-file patterns are compiled with the `regex` module, whose syntax is a
superset of `re`'s. Its parse tree is read with `re`'s parser too, but only
for patterns where the two read the same: `re` must parse it, with no
literal brace or bracket (`regex` reads "{e<=1}" as fuzzy matching and
"[[:alpha:]]" as a class, where `re` sees literal text), and with no flag
beyond those `re` has (full case-folding, say, lets "ß" match "ss").
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Hashable
from dataclasses import dataclass

try:  # the parser `re` compiles with (named sre_parse before Python 3.11)
    from re import _constants as _c
    from re import _parser as _parse
except ImportError:  # pragma: no cover - another Python: no prefilters, same answers
    _c = _parse = None

# Characters that `re` matches with "i" or "s" case-insensitively (`regex`
# the first and the last), while str.lower() makes them something else: the
# lower-cased test cannot see through them.
FOLDS_ODDLY = "\u0130\u0131\u017f" + "".join(map(chr, range(0x1C80, 0x1C89))) + "\U0001df95"  # İ ı ſ, ᲀ-ᲈ, ...
_FOLDS_ODDLY = re.compile("[" + FOLDS_ODDLY + "]")
# Cased letters besides ASCII whose case-insensitive matches are exactly the
# letters that lower-case alike, but those in FOLDS_ODDLY: Latin-1, Latin
# Extended-A and -B, Cyrillic (checked against every character, as above).
_SIMPLY_CASED = re.compile("[\u00c0-\u024f\u0400-\u04ff]")


@dataclass(frozen=True)
class Prefiltered:
    """`pattern`, searched only where the line may hold one of `literals`
    (see `may_match`); `search` gives exactly `pattern.search`'s answer.

    A pattern joined from several (`one_of`) keeps them as `alternatives`,
    each with its own prefilter, for `found`."""

    pattern: re.Pattern[str]
    literals: tuple[str, ...] | None
    alternatives: tuple[Prefiltered, ...] = ()

    def search(self, text: str) -> re.Match[str] | None:
        if not may_match(self.literals, text):
            return None
        return self.pattern.search(text)

    def found(self, text: str) -> bool:
        """Whether the pattern matches `text` (`search`'s answer, as a
        bool). A joined pattern is not searched: each alternative is, where
        its own literals are. Joined, every alternative was tried at every
        position of any line holding a literal of any of them. The lines
        the heuristics send to a group (best of five passes): the advert
        group's, 13.4 µs a line joined against 4.4 by pattern on 200 Debian
        documentation files ("for " and "now" send 6,006 lines there), 24.4
        against 8.2 on the development pages; the comment signatures' (one
        of which needs only a "." or a ":"), 4.3 against 1.9 and 5.0
        against 2.9."""
        if not self.alternatives:
            return self.search(text) is not None
        for alternative in self.alternatives:
            if alternative.search(text) is not None:
                return True
        return False


def prefiltered(pattern: re.Pattern[str]) -> Prefiltered:
    """`pattern` with the prefilter its literals allow."""
    return Prefiltered(pattern, prefilter_literals(pattern))


def one_of(patterns: list[str], flags: int = 0) -> Prefiltered:
    """The patterns joined into one alternation, which matches where one of
    them does, with each kept for `Prefiltered.found`."""
    joined = prefiltered(re.compile("|".join(f"(?:{p})" for p in patterns), flags))
    if len(patterns) < 2:
        return joined
    return Prefiltered(joined.pattern, joined.literals, tuple(prefiltered(re.compile(p, flags)) for p in patterns))


def may_match(literals: tuple[str, ...] | None, text: str) -> bool:
    """False only if `text` holds none of `literals` (from
    `prefilter_literals`): then the pattern they came from cannot match it."""
    if literals is None:
        return True
    lowered = _lowered(text)
    if lowered is None:
        return True
    if len(literals) > MANY_LITERALS:
        return _finder(literals).holds_any(lowered)
    for literal in literals:
        if literal in lowered:
            return True
    return False


try:  # an Aho-Corasick automaton, compiled (pyahocorasick's wheels)
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover - the pattern below gives the same answers
    _ahocorasick = None

# Beyond this many literals, one pass for all of them is cheaper than a test
# for each. On the lines of the development pages: the automaton took about
# half the time of the tests from five literals up (0.4 against 0.9 µs a
# line for 4 to 14), the pattern only from a few dozen (373 literals: 0.26 s
# by test, 0.09 s so).
MANY_LITERALS = 4 if _ahocorasick is not None else 24


class _AnyOfAutomaton:
    """Finds any of the literals in one pass over the text, however many
    there are: 0.8 µs a line of the development pages for the 373 literals
    of the shipped rules' drops, against 7 µs for the pattern below."""

    def __init__(self, literals: tuple[str, ...]) -> None:
        self._automaton = _ahocorasick.Automaton()
        for literal in literals:
            self._automaton.add_word(literal, None)
        self._automaton.make_automaton()

    def holds_any(self, lowered: str) -> bool:
        for _ in self._automaton.iter(lowered):
            return True
        return False


class _AnyOfPattern:
    """The same answer without the compiled automaton: a pattern of the
    literals as a tree of their common beginnings, so that the engine reads
    each position once per letter, not once per literal. Where a literal
    begins another, the shorter suffices."""

    def __init__(self, literals: tuple[str, ...]) -> None:
        tree: dict = {}
        for literal in literals:
            node = tree
            for ch in literal:
                node = node.setdefault(ch, {})
            node[""] = {}

        def branch(node: dict) -> str:
            if "" in node:  # a literal ends here: any continuation is found by it
                return ""
            parts = [re.escape(ch) + branch(child) for ch, child in sorted(node.items())]
            return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

        self._pattern = re.compile(branch(tree))

    def holds_any(self, lowered: str) -> bool:
        return self._pattern.search(lowered) is not None


AnyOf = _AnyOfAutomaton if _ahocorasick is not None else _AnyOfPattern

# The finders made so far, by the identity of their literals' tuple: a long
# tuple's hash is recomputed on every lookup (0.5 µs for 373 literals, most
# of a search). Each entry keeps its tuple alive, so no other tuple can take
# its identity; the few tuples a run uses (its patterns' and rules') are
# made once, and the table is emptied if callers keep making new ones.
_FINDERS: dict[int, tuple[tuple[str, ...], _AnyOfAutomaton | _AnyOfPattern]] = {}
_FINDERS_KEPT = 256


def _finder(literals: tuple[str, ...]) -> _AnyOfAutomaton | _AnyOfPattern:
    entry = _FINDERS.get(id(literals))
    if entry is not None and entry[0] is literals:
        return entry[1]
    if len(_FINDERS) >= _FINDERS_KEPT:
        _FINDERS.clear()
    finder = AnyOf(literals)
    _FINDERS[id(literals)] = (literals, finder)
    return finder


class GroupPrefilter:
    """The prefilters of several named patterns, answered together: which of
    them may match a text (`may_match`'s answer for each), from one pass of
    an automaton over the lower-cased text rather than one test a pattern.

    The heuristics read a short line against a dozen groups of patterns; a
    call, a lower-casing check and a finder look-up a group cost more than
    the one pass (reading a line's facts, patterns and all, took 8.5 to 9.6
    us a line of the development pages so, against 13 to 16 us with a test
    a group). Without the automaton, each group is asked `may_match` in
    turn: the same answers. Names are any hashable keys."""

    def __init__(self, literals_by_name: dict[Hashable, tuple[str, ...] | None]) -> None:
        self.bits = {name: 1 << k for k, name in enumerate(literals_by_name)}
        # Patterns with no prefilter may always match.
        self._always = 0
        for name, literals in literals_by_name.items():
            if literals is None or "" in literals:
                self._always |= self.bits[name]
        self._everything = (1 << len(literals_by_name)) - 1
        self._literals = dict(literals_by_name)
        self._automaton = None
        if _ahocorasick is not None:
            masks: dict[str, int] = {}
            for name, literals in literals_by_name.items():
                for literal in literals or ():
                    masks[literal] = masks.get(literal, 0) | self.bits[name]
            if masks:
                self._automaton = _ahocorasick.Automaton()
                for literal, mask in masks.items():
                    self._automaton.add_word(literal, mask)
                self._automaton.make_automaton()

    def may_match(self, text: str) -> int:
        """The bits (`self.bits`) of the patterns that may match `text`: a
        pattern whose bit is clear surely does not."""
        if self._automaton is None:
            found = 0
            for name, literals in self._literals.items():
                if may_match(literals, text):
                    found |= self.bits[name]
            return found
        lowered = _lowered(text)
        if lowered is None:
            return self._everything
        found = self._always
        for _, mask in self._automaton.iter(lowered):
            found |= mask
        return found


# The last text asked about and its lower-cased form: one line is tested
# against many patterns in a row (a dozen heuristics and rules, the spun
# scorer's artifacts), and is lower-cased once. A tuple, swapped whole, so
# threads sharing it see a matching pair; it keeps that one string alive,
# so no other string can take its identity.
_LAST: tuple[str, str | None] = ("", "")


def _lowered(text: str) -> str | None:
    """`text` lower-cased for `may_match`, or None where lower-casing is not
    the engines' case rule (see FOLDS_ODDLY)."""
    global _LAST
    last = _LAST
    if last[0] is text:
        return last[1]
    lowered: str | None = text.lower()
    if not text.isascii() and _FOLDS_ODDLY.search(text):
        lowered = None
    _LAST = (text, lowered)
    return lowered


def prefilter_literals(pattern) -> tuple[str, ...] | None:
    """The lower-cased literals for `may_match`, longest first, or None where
    `pattern` (an `re` or a `regex` pattern) allows no prefilter."""
    literals = required_literals(pattern)
    if literals is None:
        return None
    if any(_unsafe(ch) for literal in literals for ch in literal):  # cannot be: _sequence cut them out
        return None
    return _longest_first({s.lower() for s in literals})


def _longest_safe_part(literal: str) -> str:
    """The longest part of `literal` without a character `_unsafe` names: a
    part of a string every match holds is held by every match too."""
    parts, start = [], 0
    for position, ch in enumerate(literal):
        if _unsafe(ch):
            parts.append(literal[start:position])
            start = position + 1
    parts.append(literal[start:])
    return max(parts, key=len)


def _longest_first(literals: set[str]) -> tuple[str, ...]:
    # One fixed order (longest first), so every run tests a line the same way.
    return tuple(sorted(literals, key=lambda s: (-len(s), s)))


def _unsafe(ch: str) -> bool:
    """A character with a case other than ASCII's or the simply cased
    letters': its case-insensitive matches may not all be what str.lower()
    makes of them (a Greek sigma lower-cases by its place in the word; the
    Kelvin sign lower-cases to "k")."""
    if ch.isascii() or (ch.lower() == ch and ch.upper() == ch):
        return False
    return ch in FOLDS_ODDLY or not _SIMPLY_CASED.match(ch)


def required_literals(pattern) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` (an `re` or a `regex`
    pattern) contains, compared case-insensitively, or None where the
    pattern does not say."""
    if _parse is None or not isinstance(pattern.pattern, str):
        return None
    flags = pattern.flags
    from_regex = not isinstance(pattern, re.Pattern)
    if from_regex:
        flags = _re_flags(flags)
        if flags is None:
            return None
    try:
        with warnings.catch_warnings():  # re's doubts about a `regex` set ("[[") are not the user's concern
            warnings.simplefilter("ignore")
            tree = _parse.parse(pattern.pattern, flags)
    except Exception:  # not re's syntax (or a parser that changed under us): no prefilter
        return None
    if from_regex and _reads_differently(list(tree)):
        return None
    return _sequence(list(tree))


def _re_flags(flags: int) -> int | None:
    """A `regex` pattern's flags as `re`'s, or None if it has others."""
    import regex

    same = (
        (regex.IGNORECASE, re.IGNORECASE),
        (regex.MULTILINE, re.MULTILINE),
        (regex.DOTALL, re.DOTALL),
        (regex.VERBOSE, re.VERBOSE),
        (regex.ASCII, re.ASCII),
        (regex.UNICODE, re.UNICODE),
    )
    converted = 0
    for theirs, ours in same:
        if flags & theirs:
            converted |= ours
            flags &= ~theirs
    return converted if (flags & ~regex.VERSION0) == 0 else None


def _reads_differently(items: list) -> bool:
    """Literal braces or brackets anywhere: where `regex` may read syntax
    that `re` takes for text."""
    for op, value in _nodes(items):
        if op is _c.LITERAL and chr(value) in "{}[]":
            return True
        if op is _c.IN and any(o is _c.LITERAL and chr(v) in "{}[]" for o, v in value):
            return True
    return False


def _nodes(items: list):
    """Every item of a parse tree, nested ones included."""
    for op, value in items:
        yield op, value
        if op is _c.SUBPATTERN:
            yield from _nodes(list(value[-1]))
        elif op is _c.ATOMIC_GROUP:
            yield from _nodes(list(value))
        elif op is _c.BRANCH:
            for alternative in value[1]:
                yield from _nodes(list(alternative))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            yield from _nodes(list(value[2]))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            yield from _nodes(list(value[1]))
        elif op is _c.GROUPREF_EXISTS:
            yield from _nodes(list(value[1]))
            if value[2] is not None:
                yield from _nodes(list(value[2]))


# A run of literals goes on through a character set of a few characters as
# the run's strings times the set's ("\w [.,]" needs " ." or " ,"), up to
# this many strings.
MAX_RUN_STRINGS = 16


def _sequence(items: list) -> frozenset[str] | None:
    """What every match of this sequence of parse items must contain: the most
    selective of its literal runs and required parts."""
    candidates: list[frozenset[str]] = []
    run = {""}
    for op, value in items:
        chars = _literal_chars(op, value)
        if chars is not None and len(run) * len(chars) <= MAX_RUN_STRINGS:
            run = {s + c for s in run for c in chars}
            continue
        if run != {""}:
            candidates.append(frozenset(run))
        run = {""} if chars is None else set(chars)
        inner = None if chars is not None else _item(op, value)
        if inner is not None:
            candidates.append(inner)
    if run != {""}:
        candidates.append(frozenset(run))
    # Where a character stands that the lower-cased test cannot see through
    # ("ı", a Greek letter), the part of the string beside it is what every
    # match holds; a string of spaces alone would let every line through.
    candidates = [frozenset(map(_longest_safe_part, c)) for c in candidates]
    candidates = [c for c in candidates if all(s.strip() for s in c)]
    if not candidates:
        return None
    # The set whose shortest string is longest is the rarest to find.
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _literal_chars(op, value) -> list[str] | None:
    """The characters one item matches, if it is a literal or a set of a few
    literals (none negated, no ranges or classes)."""
    if op is _c.LITERAL:
        return [chr(value)]
    if op is _c.IN and value and all(o is _c.LITERAL for o, _ in value):
        return [chr(v) for _, v in value]
    return None


def _item(op, value) -> frozenset[str] | None:
    """What every match of one (non-literal) parse item must contain, if anything."""
    if op is _c.SUBPATTERN:
        return _sequence(list(value[-1]))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(value))
    if op is _c.BRANCH:
        alternatives = [_sequence(list(alternative)) for alternative in value[1]]
        if any(a is None for a in alternatives):
            return None  # one alternative can match without a literal
        return frozenset().union(*alternatives)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, body = value
        return _sequence(list(body)) if low >= 1 else None
    return None  # anything else (a class, an anchor, a look-around) needs no literal


def required_characters(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which every match of `pattern` (an `re` pattern,
    matched case-sensitively) holds, none of them ASCII; None where the
    pattern does not say so.

    For a text with none of them, `pattern.search` surely finds nothing: a
    test of one character set (in C) in front of a search of a long pattern.
    Read off the parse tree: each alternative of the pattern (and of any
    group in it that every match goes through) must match some character
    of a set it names; of those without ASCII the smallest is taken."""
    if _parse is None or not isinstance(pattern.pattern, str) or pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = _parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser that changed under us: no prefilter
        return None
    return _required_chars(list(tree))


class SearchNearRequired:
    """Whether `pattern` (an `re` pattern, matched case-sensitively) matches
    anywhere in a text: the same answer as ``pattern.search(text) is not
    None``, found by searching only around the characters one of which every
    match holds (`required_characters`).

    A match holding such a character at position p starts no earlier than
    p - (reach - 1) and ends no later than p + reach, where `reach` is the
    longest match the pattern allows; so the pattern is searched from the
    first position to the last of those windows (windows that touch are
    searched as one), with `search`'s `pos` and `endpos`. That is the same
    answer only for patterns whose matches depend on the characters they
    take and on nothing around them: no look-around, no anchor but the
    start of the text (which `pos` never fakes: "^" matches only at the real
    start), no word boundary or end anchor (which `endpos` would fake). A
    pattern with any of those, an unbounded repeat, or no required
    characters is searched whole, after the test of its characters where
    it has them.

    ftfy's mojibake pattern has about 60 alternatives, tried at every
    position of a line; curly quotes, "©" and accented letters send many a
    correct English line to it, and around those characters it reads a few
    characters instead of the whole line. On the lines that reach it (best
    of five passes): 2,034 lines of 590 Debian documentation files (8 of
    them mojibake), 8.7 µs a line whole against 3.6 in windows; 891 lines
    of the 80 development pages (none), 29.4 against 7.2."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        chars = required_characters(pattern)
        self._required = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]") if chars else None
        self.reach = _reach(pattern) if chars else None

    def found(self, text: str) -> bool:
        if self._required is None:
            return self.pattern.search(text) is not None
        if self.reach is None:
            return self._required.search(text) is not None and self.pattern.search(text) is not None
        search, reach = self.pattern.search, self.reach
        start = stop = None
        for found in self._required.finditer(text):
            position = found.start()
            if stop is not None and position - reach + 1 <= stop:
                stop = position + reach  # this window touches the last: one search for both
                continue
            if stop is not None and search(text, start, stop) is not None:
                return True
            start, stop = max(0, position - reach + 1), position + reach
        return stop is not None and search(text, start, stop) is not None


# Past this, a window is most of a line: the whole pattern is searched.
MAX_REACH = 32


def _reach(pattern: re.Pattern[str]) -> int | None:
    """The longest match of `pattern`, if its matches depend on nothing
    outside them (see `SearchNearRequired`) and it is at most MAX_REACH;
    else None."""
    try:
        tree = _parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser that changed under us: searched whole
        return None
    for op, value in _nodes(list(tree)):
        if op in (_c.ASSERT, _c.ASSERT_NOT, _c.GROUPREF, _c.GROUPREF_EXISTS):
            return None
        if op is _c.AT and value not in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):  # what a window cannot fake
            return None
    longest = tree.getwidth()[1]
    return longest if 0 < longest <= MAX_REACH else None


def _required_chars(items: list) -> frozenset[str] | None:
    """`required_characters` of a sequence of parse items."""
    candidates: list[frozenset[str]] = []
    for op, value in items:
        chars = _class_chars(op, value)
        if chars is None and op is _c.SUBPATTERN:
            # A group that turns case-insensitive matching on ("(?i:é)") matches more than it names.
            chars = None if value[1] & _c.SRE_FLAG_IGNORECASE else _required_chars(list(value[-1]))
        elif chars is None and op is _c.BRANCH:
            alternatives = [_required_chars(list(alternative)) for alternative in value[1]]
            chars = None if any(a is None for a in alternatives) else frozenset().union(*alternatives)
        elif chars is None and op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and value[0] >= 1:
            chars = _required_chars(list(value[2]))
        if chars is not None and not any(ch.isascii() for ch in chars):
            candidates.append(chars)
    return min(candidates, key=len) if candidates else None


def _class_chars(op, value) -> frozenset[str] | None:
    """The characters one item matches, if it is a literal or a set of
    literals and ranges (not negated, no classes such as \\w)."""
    if op is _c.LITERAL:
        return frozenset(chr(value))
    if op is not _c.IN:
        return None
    chars: set[str] = set()
    for o, v in value:
        if o is _c.LITERAL:
            chars.add(chr(v))
        elif o is _c.RANGE:
            chars.update(map(chr, range(v[0], v[1] + 1)))
        else:
            return None
    return frozenset(chars)
