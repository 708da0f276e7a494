"""The prefilter in front of the heuristics' and the rule files' patterns: it
may only say "no" where the pattern says "no" too."""
from __future__ import annotations

import re
import sys

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.prefilter import (
    FOLDS_ODDLY,
    Prefiltered,
    SearchNearRequired,
    may_match,
    one_of,
    prefilter_literals,
    prefiltered,
    required_characters,
    required_literals,
)
from cleaner.rulefile import builtin_rules_dir, load_rule_dirs
from cleaner.steps import linemodel
from cleaner.steps.heuristics import load_heuristics_data
from cleaner.steps.spun import load_spun_data


def _literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    return required_literals(re.compile(pattern, flags))


def test_literals_are_what_every_match_must_hold():
    assert _literals(r"\bclick here\b") == {"click here"}
    # Each alternative gives its own; the most selective part of a sequence wins.
    assert _literals(r"\bfree trial\b|\b(?:a|an) (?:offer|deal)\b") == {"free trial", "offer", "deal"}
    assert _literals(r"[»›→]\s*$") == {"»", "›", "→"}
    assert _literals(r"(?:ab)+c") == {"ab"}
    assert _literals(r"x(?-i:[A-Z])yz") == {"yz"}
    # A run goes on through a set of a few characters.
    assert _literals(r"\w [.,](?:\s|$)") == {" .", " ,"}


def test_no_literals_where_a_match_can_do_without():
    assert _literals(r"\bfree trial\b|^\W*$") is None  # the second alternative needs no letter
    assert _literals(r"(?:ab)?\d+") is None  # optional
    assert _literals(r"[^ab]+") is None  # a negated set
    assert _literals(r"(?=ab)\w+") is None  # a look-ahead may look past the match
    assert _literals(r"a b|\s") is None  # the second alternative needs no letter
    assert _literals(r"\w \w") is None  # a bare space would pass every line


def test_a_literal_that_case_folding_would_miss_gives_only_its_other_part():
    # "ſ" (long s) matches "s" case-insensitively, but lower-cases to itself:
    # what every match holds besides it is "top".
    assert prefiltered(re.compile("\u017ftop", re.IGNORECASE)).literals == ("top",)
    assert prefiltered(re.compile("stop", re.IGNORECASE)).literals == ("stop",)
    assert prefiltered(re.compile("\u017f", re.IGNORECASE)).literals is None  # nothing beside it
    # Turkish dotless i, a Greek letter: the longest part without one.
    assert prefiltered(re.compile("ne aram\u0131\u015ft\u0131n\u0131z", re.IGNORECASE)).literals == ("ne aram",)
    assert prefiltered(re.compile("\u03c0\u03ac\u03c1\u03ba\u03bf park", re.IGNORECASE)).literals == (" park",)


def test_letters_of_latin_languages_and_cyrillic_keep_their_literals():
    assert prefilter_literals(re.compile("Stra\u00dfe gesperrt", re.IGNORECASE)) == ("stra\u00dfe gesperrt",)
    assert prefilter_literals(re.compile("\u041f\u041e\u0418\u0421\u041a", re.IGNORECASE)) == ("\u043f\u043e\u0438\u0441\u043a",)
    poisk = prefiltered(re.compile("\u043f\u043e\u0438\u0441\u043a", re.IGNORECASE))  # "поиск"
    assert poisk.search("\u041f\u041e\u0418\u0421\u041a") and not poisk.search("\u043f\u043e\u0438\u043a")
    # The old variant form of "о" matches "о": a line holding it is searched as it is.
    assert poisk.search("\u043f\u1c82\u0438\u0441\u043a") is not None


@pytest.mark.parametrize("engine", ["re", "regex"])
def test_cased_letters_allowed_in_literals_fold_simply_but_for_the_odd_ones(engine):
    """What test_only_three_characters_fold_oddly checks for ASCII, for every
    cased letter a literal may hold beyond it (Latin-1, Latin Extended-A and
    -B, Cyrillic): every character that matches it case-insensitively
    lower-cases to its lower case, or is in FOLDS_ODDLY."""
    from cleaner.prefilter import _unsafe

    module = re if engine == "re" else regex
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    allowed = [c for c in map(chr, range(0x80, 0x0530)) if not _unsafe(c) and (c.lower() != c or c.upper() != c)]
    assert len(allowed) > 500 and "\u00e9" in allowed and "\u0436" in allowed and "\u0131" not in allowed
    for letter in allowed:
        assert len(letter.lower()) == 1
        for found in module.compile(re.escape(letter), module.IGNORECASE).findall(every):
            assert found.lower() == letter.lower() or found in FOLDS_ODDLY, (letter, found)


@given(
    st.lists(st.text(alphabet="abcé ж语\U0001f600", min_size=1, max_size=4), min_size=1, max_size=40),
    st.text(alphabet="abcé жx语\U0001f600", max_size=30),
)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_many_literals_are_found_as_each_one_is(literals, text):
    """Past MANY_LITERALS, may_match looks for all the literals in one pass
    (an automaton, or a pattern of them without it); the answer is that of
    testing each, and both ways agree."""
    from cleaner.prefilter import MANY_LITERALS, _AnyOfAutomaton, _AnyOfPattern

    literals = tuple(sorted(set(literals), key=lambda s: (-len(s), s)))
    padded = literals + tuple(f"zz{n}zz" for n in range(MANY_LITERALS + 1))  # none of them in the text
    expected = any(literal in text.lower() for literal in literals)
    assert may_match(padded, text) is expected
    assert may_match(literals, text) is expected
    assert _AnyOfPattern(literals).holds_any(text.lower()) is expected
    assert _AnyOfAutomaton(literals).holds_any(text.lower()) is expected


def test_the_compiled_automaton_is_what_runs_when_installed():
    """pyahocorasick is a dependency: a missing or broken install would run
    the slower pattern silently."""
    from cleaner import prefilter

    assert prefilter.AnyOf is prefilter._AnyOfAutomaton


def test_a_finder_is_made_once_per_tuple_and_never_confused_with_another():
    from cleaner import prefilter

    first = tuple(f"word{n}" for n in range(30))
    assert prefilter._finder(first) is prefilter._finder(first)
    for n in range(prefilter._FINDERS_KEPT + 5):  # more tuples than are kept: the table starts again
        other = tuple(f"other{n}-{k}" for k in range(30))
        assert may_match(other, f"xx other{n}-7 xx") and not may_match(other, "word3 only")
    assert may_match(first, "a word12 b") and not may_match(first, "other1-1")


@pytest.mark.parametrize("engine", ["re", "regex"])
def test_only_three_characters_fold_oddly(engine):
    """Every character that an ASCII one matches case-insensitively
    lower-cases to that ASCII character's lower case, but those in
    FOLDS_ODDLY: lower-casing is the engines' case rule everywhere else."""
    module = re if engine == "re" else regex
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    odd = set()
    for ascii_char in map(chr, range(128)):
        for found in module.compile(re.escape(ascii_char), module.IGNORECASE).findall(every):
            if found.lower() != ascii_char.lower():
                odd.add(found)
    assert odd <= set(FOLDS_ODDLY) and odd


def test_text_beyond_ascii_is_tested_too_but_for_the_odd_characters():
    assert not may_match(("stop",), "Caf\u00e9 \u00bb menu")
    assert may_match(("stop",), "\u00bb STOP")
    assert may_match(("stop",), "\u0130 any text")  # holds a character that folds oddly: cannot tell


def test_where_lower_casing_is_not_the_case_rule_the_pattern_decides():
    stop = prefiltered(re.compile(r"\bstop\b", re.IGNORECASE))
    assert stop.literals == ("stop",)
    assert stop.search("\u017ftop here") is not None  # long s: re matches it, lower() keeps it
    assert stop.search("STOP") is not None and stop.search("sto p") is None
    king = prefiltered(re.compile("king", re.IGNORECASE))
    assert king.search("\u212aing") is not None  # the Kelvin sign


def _shipped() -> list[tuple[str, Prefiltered]]:
    data = load_heuristics_data()
    found = [(f"patterns.{k}", v) for k, v in data.patterns.items()]
    found += [(f"box_headers.{k}", v) for k, v in data.box_headers.items()]
    found += [(f"spun.{a.name}", Prefiltered(a.pattern, a.literals)) for a in load_spun_data().artifacts]
    return found + [("linemodel._DATE", linemodel._DATE), ("linemodel._LINKISH", linemodel._LINKISH)]


SHIPPED = _shipped()


def test_the_costly_shipped_patterns_have_prefilters():
    """The point of the module: the advert group (the costliest) and the
    line model's patterns get one."""
    named = dict(SHIPPED)
    for name in ("patterns.advert", "patterns.credit", "linemodel._DATE", "linemodel._LINKISH"):
        assert named[name].literals, name


# Mixed case, other scripts, and the characters whose case rules differ
# between re and str.lower (dotless i, long s, the Kelvin sign).
noise = st.text(alphabet=st.sampled_from(list("aAsSkKiI  .:/@|»1\u0131\u0130\u017f\u212a\u00e9")), max_size=8)


@pytest.mark.parametrize("name,compiled", SHIPPED, ids=[name for name, _ in SHIPPED])
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_prefiltered_search_is_the_patterns_own(name, compiled, data):
    """On text that holds a match (and on noise around it), the prefiltered
    search finds what the pattern finds."""
    match = data.draw(st.from_regex(compiled.pattern))
    text = data.draw(noise) + match + data.draw(noise)
    for candidate in (text, match, text.upper(), text.lower()):
        expected = compiled.pattern.search(candidate)
        found = compiled.search(candidate)
        assert (found and found.span()) == (expected and expected.span()), candidate
        assert compiled.found(candidate) is (expected is not None), candidate


def test_a_joined_pattern_is_found_by_its_alternatives_with_its_flags():
    joined = one_of([r"\bfree trial\b", r"^\W*get (?:the app|it now)\W*$", r"\d+ comments"], re.IGNORECASE)
    assert len(joined.alternatives) == 3 and joined.literals
    assert [a.literals for a in joined.alternatives] == [("free trial",), ("the app", "it now"), (" comments",)]
    for text, expected in (
        ("Start your FREE TRIAL", True),
        ("  Get The App!", True),
        ("get the app today", False),  # the second is anchored at both ends
        ("12 Comments", True),
        ("free trials for the app now", False),
    ):
        assert joined.found(text) is expected is (joined.pattern.search(text) is not None), text
    assert one_of(["abc"]).alternatives == ()  # one pattern: nothing to split


def _groups() -> dict:
    data = load_heuristics_data()
    return {**{("box", k): p for k, p in data.box_headers.items()}, **{("group", k): p for k, p in data.patterns.items()}}


HEURISTICS_GROUPS = [
    (kind, name, compiled)
    for kind, table in (("box", load_heuristics_data().box_headers), ("group", load_heuristics_data().patterns))
    for name, compiled in table.items()
]


@pytest.mark.parametrize("kind,name,compiled", HEURISTICS_GROUPS, ids=[f"{k}.{n}" for k, n, _ in HEURISTICS_GROUPS])
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_heuristics_group_prefilter_answers_as_each_pattern_would(kind, name, compiled, data):
    """The heuristics test a line against all their groups in one pass
    (GroupPrefilter): a group's bit is clear only where its own prefilter
    says no, so only where its pattern finds nothing, with the automaton
    and without it."""
    from cleaner import prefilter

    grouped = load_heuristics_data().prefilter
    bit = grouped.bits[kind, name]
    match = data.draw(st.from_regex(compiled.pattern))
    text = data.draw(noise) + match + data.draw(noise)
    for candidate in (text, match, text.upper(), "no such words here", "\u0130stanbul " + text):
        expected = may_match(compiled.literals, candidate)
        assert bool(grouped.may_match(candidate) & bit) is expected, candidate
        if compiled.pattern.search(candidate):
            assert expected, candidate
    with pytest.MonkeyPatch.context() as patch:  # as built where pyahocorasick is missing
        patch.setattr(prefilter, "_ahocorasick", None)
        fallback = prefilter.GroupPrefilter({kind_name: p.literals for kind_name, p in _groups().items()})
    assert fallback._automaton is None
    assert bool(fallback.may_match(text) & fallback.bits[kind, name]) is may_match(compiled.literals, text)


def test_a_group_without_a_prefilter_may_always_match():
    from cleaner.prefilter import GroupPrefilter

    grouped = GroupPrefilter({"a": ("cat",), "b": None, "c": ("dog", "")})
    assert grouped.may_match("a cat") == grouped.bits["a"] | grouped.bits["b"] | grouped.bits["c"]
    assert grouped.may_match("nothing") == grouped.bits["b"] | grouped.bits["c"]
    assert grouped.may_match("\u0130 a dog") == grouped.bits["a"] | grouped.bits["b"] | grouped.bits["c"]


# --- rule files (the `regex` module) ---------------------------------------------


def test_regex_patterns_that_re_reads_otherwise_get_no_prefilter():
    assert prefilter_literals(regex.compile(r"\bclick here\b", regex.IGNORECASE)) == ("click here",)
    assert prefilter_literals(regex.compile(r"(?:colour){e<=1}")) is None  # fuzzy: "color" matches
    assert regex.search(r"(?:colour){e<=1}", "color")
    assert prefilter_literals(regex.compile(r"[[:digit:]]+ items")) is None  # a POSIX class
    assert prefilter_literals(regex.compile("stra\u00dfe", regex.IGNORECASE | regex.FULLCASE)) is None  # "strasse"
    assert prefilter_literals(regex.compile(r"\p{Lu}\w+ said")) is None  # not re's syntax
    assert prefilter_literals(regex.compile(r"(?V1)\bnews\b")) is None


def _rules():
    found = []
    for rule_set in load_rule_dirs([builtin_rules_dir()]):
        for rule in rule_set.drop + rule_set.cut:
            found.append((f"{rule_set.id}/{rule.id}", rule_set, rule))
    return found


RULES = _rules()


def test_the_shipped_rules_have_prefilters():
    assert all(rule.literals for _, _, rule in RULES)


@pytest.mark.parametrize("name,rule_set,rule", RULES, ids=[name for name, _, _ in RULES])
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_line_a_rule_matches_is_never_ruled_out(name, rule_set, rule, data):
    """Lines holding a match of a shipped rule pass its prefilter; so the
    rules step drops and cuts what it did without it."""
    match = data.draw(st.from_regex(re.compile(rule.pattern.pattern, re.IGNORECASE)))
    for text in (data.draw(noise) + match + data.draw(noise), match.upper()):
        if rule.pattern.search(text):
            assert may_match(rule.literals, text), text


def test_required_characters_are_those_every_match_holds_beyond_ascii():
    assert required_characters(re.compile("é|ü")) == {"é", "ü"}
    assert required_characters(re.compile("a[éè]b")) == {"é", "è"}
    # Of a sequence's sets, the smallest; a group and a repeat count too.
    assert required_characters(re.compile("[à-ÿ][éè]")) == {"é", "è"}
    assert required_characters(re.compile("x(?:ö|ß)+")) == {"ö", "ß"}
    assert required_characters(re.compile("[a-zé]é?€")) == {"€"}


def test_no_required_characters_where_a_match_can_do_without():
    assert required_characters(re.compile("é|a")) is None  # the second alternative is ASCII
    assert required_characters(re.compile(r"\wé?")) is None  # optional
    assert required_characters(re.compile("[^é]")) is None  # negated
    assert required_characters(re.compile("é", re.IGNORECASE)) is None  # É matches too
    assert required_characters(re.compile("a(?i:é)")) is None


mojibake_noise = st.text(alphabet=st.sampled_from(list("aZ1 ’–…é“”©\u00a0.\u0080Ã©Â")), max_size=12)


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mojibake_is_found_where_ftfy_finds_it_and_nowhere_else(data):
    """Repair searches ftfy's mojibake pattern only around the characters
    one of which every match holds: the answer is `is_bad`'s, for text
    holding a match (at its start, in its middle, at its end) and for text
    around it alone."""
    from ftfy.badness import BADNESS_RE, is_bad

    from cleaner.steps.repair import _is_mojibake, _mojibake_search

    assert _mojibake_search().reach is not None  # searched by windows: the shortcut is in effect
    match = data.draw(st.from_regex(BADNESS_RE, fullmatch=True))
    before, after = data.draw(mojibake_noise), data.draw(mojibake_noise)
    for text in (match, before + match, match + after, before + match + after, before + after):
        assert _is_mojibake(text) == is_bad(text), text


def test_common_typography_is_not_mojibake():
    from cleaner.steps.repair import _is_mojibake

    assert not _is_mojibake("It’s 9–5 work… and “no less” © 2024, café")
    assert _is_mojibake("It\u00e2\u20ac\u2122s broken")


def test_a_window_does_not_fake_the_start_of_the_text():
    """"^" matches only at the text's real start, however far into the
    text a window begins."""
    near = SearchNearRequired(re.compile("^é|xé"))
    assert near.reach == 2
    assert near.found("é") and near.found("aaaaxé")
    assert not near.found("aé") and not near.found("aaaaaaé")


WINDOW_PATTERNS = ("é", "ab?é", "^[éè]x", "(?:é|ü)[a-c]{2,4}", "a.é|é..b", "[0-9]é[0-9]|^é")
window_text = st.text(alphabet=st.sampled_from(list("abcxü0é9è ")), max_size=30)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pattern=st.sampled_from(WINDOW_PATTERNS), text=window_text)
def test_searching_near_the_required_characters_answers_as_the_whole_search(pattern, text):
    compiled = re.compile(pattern)
    near = SearchNearRequired(compiled)
    assert near.reach is not None
    assert near.found(text) == (compiled.search(text) is not None)


def test_the_longest_match_bounds_the_window():
    # A match of 5 characters with its required character first: a window
    # one short of it would miss "éabcd".
    near = SearchNearRequired(re.compile("é[a-d]{4}"))
    assert near.reach == 5
    assert near.found("xxéabcd") and not near.found("xxéabc")
    # Two required characters close together are searched as one window,
    # which must reach as far past the second as one window alone would.
    assert near.found("éxéabcd") and not near.found("éxéabc")
    near = SearchNearRequired(re.compile("[a-d]{4}é"))
    assert near.found("abcdé") and near.found("zzabcdéz") and not near.found("abcé")


def test_patterns_a_window_would_misread_are_searched_whole():
    """Look-arounds, word boundaries and end anchors read past a window's
    edges, an unbounded repeat has no longest match: no window, the same
    answers."""
    for pattern, text, expected in (
        ("é(?=b)", "aéb", True),
        ("(?<=a)é", "aé", True),
        ("é$", "aaé", True),
        (r"é\b", "é b", True),
        ("éa+", "é" + "a" * 40, True),
        ("é(?!b)", "éb", False),
    ):
        near = SearchNearRequired(re.compile(pattern))
        assert near.reach is None, pattern
        assert near.found(text) == expected, pattern
    assert SearchNearRequired(re.compile("a|é")).found("a")  # no required character: searched whole
