"""Rule files: the built-in files' own test cases, and the loader's refusals."""
from __future__ import annotations

import pytest

from cleaner import Cleaner, RuleFileError
from cleaner.rulefile import (
    MAX_EXPANDED_SIZE,
    MAX_FILE_EXPANDED_SIZE,
    builtin_rules_dir,
    expanded_size,
    load_rule_dirs,
    load_rule_file,
)
from cleaner.ruletests import run_rule_tests

BUILTIN = sorted(builtin_rules_dir().glob("*.toml"))


@pytest.mark.parametrize("path", BUILTIN, ids=[p.stem for p in BUILTIN])
def test_builtin_rule_file_passes_its_own_tests(cleaner, path):
    rule_set = load_rule_file(path)
    assert rule_set.tests, f"{path.name} has no [[test]] cases"
    assert run_rule_tests(cleaner, rule_set) == []


def test_builtin_rules_include_a_generic_file():
    assert any(r.generic for r in load_rule_dirs([builtin_rules_dir()]))


MINIMAL = '''
[source]
id = "example-news"
hosts = ["news.example.com"]
'''


def write(tmp_path, text, name="example.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message",
    [
        ("[source\nid = 1", "not valid TOML"),
        ('[source]\nid = "x"\nhost = ["a.com"]', "unknown key 'host'"),
        ('[source]\nid = "x"', "needs hosts, fingerprints, or generic = true"),
        ('[source]\nid = "Bad Id"\ngeneric = true', "[source] id must be"),
        (MINIMAL + '[[drop]]\npattern = "x"', "needs an id"),
        (MINIMAL + '[[drop]]\nid = "a"\npattern = "(unclosed"', "bad regex in pattern"),
        (MINIMAL + '[[drop]]\nid = "a"\npattern = "x"\n[[drop]]\nid = "a"\npattern = "y"', "used twice"),
        (MINIMAL + '[[drop]]\nid = "a"\npattern = "x*"', "matches the empty string"),
        (MINIMAL + '[[drop]]\nid = "a"\npatern = "x"', "unknown key 'patern'"),
        (MINIMAL + '[[drop_block]]\nid = "a"\nend = "x"', "needs start"),
        (MINIMAL + '[heuristics]\nno_such_threshold = 3', "unknown key 'no_such_threshold'"),
        (MINIMAL + '[heuristics]\ninline_headline_min_words = "ten"', "must be a number"),
        (MINIMAL + '[[test]]\nname = "t"', "needs text"),
        ('drop = "x"\n' + MINIMAL, "array of tables"),
    ],
)
def test_broken_rule_file_is_refused_with_file_and_problem(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text


def test_error_names_the_line_of_the_bad_rule(tmp_path):
    body = MINIMAL + '\n[[drop]]\nid = "good"\npattern = "x"\n\n[[drop]]\nid = "bad"\npattern = "[z"\n'
    path = write(tmp_path, body)
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    bad_header_line = body.split("\n").index("[[drop]]", body.split("\n").index("[[drop]]") + 1) + 1
    assert info.value.line == bad_header_line
    assert f"{path}:{bad_header_line}:" in str(info.value)


@pytest.mark.parametrize(
    "pattern, size",
    [
        ("abc", 3),
        ("a|b", 3),  # alternatives add up, with one for the branch
        ("x{3}", 4),  # three copies and the repeat
        ("(?:x{3}){3}", 16),  # nested repeats multiply
        ("(?:x{3})(?:x{3})", 10),  # repeats one after another add up
        ("x{2,9}", 4),  # the least count, and one more for the loop
        ("x{0,9}", 2),
        ("x+", 3),  # a "+" writes its part out twice
        ("x+?", 3),  # a lazy or possessive mark adds nothing
        ("(?i)(?#note)x", 1),  # flags and comments add nothing
        ("[abc]{2}", 7),  # a set counts its members
        (r"\p{L}{2}", 3),  # an escape is one, braces and all
        ("x{,}", 2),  # loaded before as "{,}" raised TypeError
    ],
)
def test_expanded_size_counts_what_the_regex_module_writes_out(pattern, size):
    assert expanded_size(pattern) == size


def test_expanded_size_is_at_most_the_length_without_counted_repeats_or_plus():
    # So the limits cannot refuse a pattern that would not already cost
    # its own length in memory.
    for path in BUILTIN:
        rule_set = load_rule_file(path)
        rules = [*rule_set.keep, *rule_set.drop, *rule_set.cut]
        for pattern in [r.pattern.pattern for r in rules if "+" not in r.pattern.pattern]:
            assert expanded_size(pattern) <= len(pattern), pattern


def test_builtin_rule_files_are_well_within_the_size_limits():
    for path in BUILTIN:
        rule_set = load_rule_file(path)
        patterns = [r.pattern.pattern for r in (*rule_set.keep, *rule_set.drop, *rule_set.cut)]
        patterns += [p.pattern for b in rule_set.drop_block for p in (b.start, b.end) if p is not None]
        assert max(map(expanded_size, patterns)) * 10 < MAX_EXPANDED_SIZE, path.name
        assert sum(map(expanded_size, patterns)) * 10 < MAX_FILE_EXPANDED_SIZE, path.name


@pytest.mark.parametrize(
    "pattern",
    ["x{100000}", "(?:x{9999})" * 11, "|".join(["x{9999}"] * 11), "(" * 17 + "x" + ")+" * 17, "[abc]{33334}"],
    ids=["one-repeat", "sequence", "alternatives", "nested-plus", "set"],
)
def test_a_pattern_over_the_size_limit_is_refused_with_its_line(tmp_path, pattern):
    path = write(tmp_path, MINIMAL + f"[[keep]]\nid = \"ok\"\npattern = \"fine\"\n[[cut]]\nid = \"big\"\npattern = '''{pattern}'''\n")
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    assert info.value.line == 8 and f"{MAX_EXPANDED_SIZE:,}" in str(info.value) and "'big'" in str(info.value)


def test_a_pattern_at_the_size_limit_loads(tmp_path):
    pattern = "x{%d}" % (MAX_EXPANDED_SIZE - 1)
    assert expanded_size(pattern) == MAX_EXPANDED_SIZE
    write(tmp_path, MINIMAL + f"[[drop]]\nid = \"big\"\npattern = '''{pattern}'''\n")
    assert load_rule_file(tmp_path / "example.toml").drop[0].id == "big"


def test_patterns_under_the_limit_one_by_one_are_refused_together(tmp_path):
    each = "x{%d}" % (MAX_EXPANDED_SIZE // 2)
    count = MAX_FILE_EXPANDED_SIZE // expanded_size(each) + 1
    rules = "".join(f"[[drop]]\nid = \"r{n}\"\npattern = '''y{n}{each}'''\n" for n in range(count))
    path = write(tmp_path, MINIMAL + rules)
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    assert f"'r{count - 1}'" in str(info.value) and "together" in str(info.value)
    assert info.value.line == 5 + 3 * (count - 1)


def test_cleaner_refuses_a_folder_with_a_broken_file(tmp_path):
    write(tmp_path, "[source]\nid = 'x'\ngeneric = true\nwat = 1\n")
    with pytest.raises(RuleFileError):
        Cleaner(rules_dirs=(str(tmp_path),))


def test_missing_rules_folder_is_an_error(tmp_path):
    with pytest.raises(RuleFileError, match="does not exist"):
        Cleaner(rules_dirs=(str(tmp_path / "nope"),))


def test_user_file_overrides_builtin_file_with_the_same_id(tmp_path):
    write(tmp_path, '[source]\nid = "generic"\ngeneric = true\n[[drop]]\nid = "only"\npattern = "^only this$"\n')
    cleaner = Cleaner(rules_dirs=(str(tmp_path),))
    generic = [r for r in cleaner.rule_sets if r.id == "generic"]
    assert len(generic) == 1 and [d.id for d in generic[0].drop] == ["only"]


def test_user_rules_drop_keep_cut_and_block(tmp_path):
    write(
        tmp_path,
        MINIMAL
        + """
[[keep]]
id = "protect-quote"
pattern = '''^Editor's note'''

[[drop]]
id = "promo"
pattern = '''^Promo:'''

[[drop_block]]
id = "footer"
start = '''^--- footer ---$'''
end = '''^--- end ---$'''

[[cut]]
id = "tracking"
pattern = '''\\s*\\[tracked\\]'''
""",
    )
    cleaner = Cleaner(rules_dirs=(str(tmp_path),))
    text = "\n".join(
        [
            "Promo: half price sofas this weekend only",
            "The bridge reopened on Monday after a month of repairs to its deck and railings. [tracked]",
            "Editor's note",
            "--- footer ---",
            "Contact us",
            "--- end ---",
            "Traffic was back to normal by the evening rush hour, the council said in a statement.",
        ]
    )
    result = cleaner.clean(text, url="https://news.example.com/bridge")
    assert result.source == "example-news"
    reasons = {d.line: d.reason for d in result.dropped}
    assert reasons == {1: "rule:example-news/promo", 4: "rule:example-news/footer", 5: "rule:example-news/footer"}
    assert "[tracked]" not in result.text and "repairs to its deck and railings." in result.text
    assert [c.reason for c in result.cuts] == ["rule:example-news/tracking"]
    kept = {l.line: l.reason for l in result.labels if l.keep}
    assert kept[3] == "rule:example-news/protect-quote"
    assert 6 in kept  # the end marker is not part of the block


def test_rule_test_runner_catches_a_rule_that_stopped_matching(tmp_path, cleaner):
    """A rule file's test must fail when its rule no longer drops the line."""
    write(
        tmp_path,
        MINIMAL
        + """
[[drop]]
id = "promo"
pattern = '''^Promotion:'''

[[test]]
name = "promo line"
text = '''
The bridge reopened on Monday after a month of repairs to its deck and railings.
Promo: half price sofas
The council said traffic was back to normal by the evening rush hour on Monday.
'''
drop = ["Promo: half price sofas"]
""",
    )
    user = Cleaner(rules_dirs=(str(tmp_path),))
    rule_set = next(r for r in user.rule_sets if r.id == "example-news")
    failures = run_rule_tests(user, rule_set)
    assert len(failures) == 1 and "Promo: half price sofas" in failures[0]


def test_source_is_chosen_by_host_including_subdomains(tmp_path):
    write(tmp_path, MINIMAL)
    cleaner = Cleaner(rules_dirs=(str(tmp_path),))
    text = "The bridge reopened on Monday after a month of repairs."
    assert cleaner.clean(text, url="https://www.news.example.com/a").source == "example-news"
    assert cleaner.clean(text, url="https://othernews.example.com/a").source is None
    with pytest.raises(ValueError, match="unknown source"):
        cleaner.clean(text, source="no-such-source")


def test_a_catastrophically_slow_rule_is_reported_by_id_and_cleaning_goes_on(tmp_path):
    write(tmp_path, '[source]\nid = "slow"\ngeneric = true\n[[drop]]\nid = "backtracker"\npattern = "(a|aa)+$"\n')
    cleaner = Cleaner(rules_dirs=(str(tmp_path),), rule_timeout=0.2)
    text = "The council met on Tuesday and approved the budget.\n" + "a" * 60 + "b\n"
    result = cleaner.clean(text)
    assert any(w.startswith("slow rule slow/backtracker") and "line 2" in w for w in result.warnings)
    assert "The council met on Tuesday" in result.text


def _rules_without_prefilters(lines, rule_sets):
    """What `apply_rules` must decide, every rule searched in every line it
    may reach (no prefilter, no time budget): keeps, then drops, then cuts,
    line by line (a line cut to nothing is dropped by its last cut)."""
    from cleaner.steps.rules import _cut

    decisions = {}
    content = [l for l in lines if l.text.strip()]
    for kind, keep in (("keep", True), ("drop", False)):
        for rule_set in rule_sets:
            for rule in getattr(rule_set, kind):
                for l in content:
                    if l.number not in decisions and rule.pattern.search(l.text):
                        decisions[l.number] = (keep, f"rule:{rule_set.id}/{rule.id}")
    texts, cuts = {}, []
    for l in content:
        if decisions.get(l.number, (True,))[0]:
            text, made = l.text, []
            for rule_set in rule_sets:
                for rule in rule_set.cut:
                    text, removed = _cut(text, rule.pattern)
                    made += [(l.number, phrase, f"rule:{rule_set.id}/{rule.id}") for phrase in removed]
            if made and not text.strip():
                decisions[l.number] = (False, made[-1][2])
            else:
                texts[l.number] = text
                cuts += made
    return decisions, texts, cuts


def test_rules_read_through_the_line_prefilter_decide_as_every_rule_searched(tmp_path):
    """Each rule searched only where the rule set's one-pass prefilter says it
    may match gives what searching every rule in every line gives, for the
    shipped generic file and for a file whose rules share literals, have none
    (a pattern the prefilter cannot read; one with a back-reference to its
    own group, after a rule with a group of its own), and cut text that
    another cut's literal then appears in."""
    import random

    from cleaner.result import Line
    from cleaner.steps.rules import apply_rules

    write(
        tmp_path,
        MINIMAL
        + """
[[keep]]
id = "note"
pattern = '''^Editor's note|sponsored by the council'''
[[drop]]
id = "promo"
pattern = '''^(promo):|\\bsponsored\\b'''
[[drop]]
id = "no-literal"
pattern = '''^\\W+$'''
[[drop]]
id = "repeated-letter"
pattern = '''(\\w)\\1{3}'''
[[cut]]
id = "tag"
pattern = '''\\[x\\]'''
[[cut]]
id = "joined"
pattern = '''\\bspam ?bot\\b'''
""",
    )
    user = load_rule_file(tmp_path / "example.toml")
    generic = next(r for r in load_rule_dirs([builtin_rules_dir()]) if r.generic)
    pieces = [
        "Editor's note", "sponsored", "Sponsored by the council", "promo:", "PROMO: sofas", "spam[x]bot", "spam bot",
        "[x]", "***", "click here to subscribe", "Share on Facebook", "get free instagram followers", "İstanbul",
        "the bridge reopened", "Advertisement", "cookies", "", "  ", "—", "Read more", "zzzz", "Hmmmm",
    ]
    rng = random.Random(7)
    for _ in range(300):
        lines = [Line(n, " ".join(rng.sample(pieces, rng.randint(0, 4)))) for n in range(1, rng.randint(1, 12))]
        for rule_sets in ([user, generic], [generic], [user]):
            outcome = apply_rules(lines, rule_sets)
            decisions, texts, cuts = _rules_without_prefilters(lines, rule_sets)
            assert {n: (d.keep, d.reason) for n, d in outcome.decisions.items()} == decisions, lines
            assert [(c.line, c.text, c.reason) for c in outcome.cuts] == cuts, lines
            assert {l.number: l.text for l in outcome.lines if l.number in texts} == texts, lines


def test_a_cut_that_joins_a_phrase_lets_the_next_cut_rule_find_it(tmp_path):
    write(
        tmp_path,
        MINIMAL + "[[cut]]\nid = \"tag\"\npattern = '''\\[x\\]'''\n[[cut]]\nid = \"bot\"\npattern = '''\\s*spambot'''\n",
    )
    from cleaner.result import Line
    from cleaner.steps.rules import apply_rules

    outcome = apply_rules([Line(1, "The bridge reopened. spam[x]bot")], [load_rule_file(tmp_path / "example.toml")])
    assert outcome.lines[0].text == "The bridge reopened."
    assert [c.reason for c in outcome.cuts] == ["rule:example-news/tag", "rule:example-news/bot"]
