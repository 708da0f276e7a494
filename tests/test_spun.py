"""The spun scorer (cleaner/steps/spun.py): its evidence, its data files and
its tables."""
from __future__ import annotations

import gzip
import json
import math
import tomllib
from importlib import resources

import pytest

from conftest import ROOT

from cleaner.result import Line
from cleaner.steps import spun
from cleaner.steps.spun import (
    load_reference_tables,
    load_spun_data,
    model_from,
    passage_evidence,
    score_spun,
    score_text,
)

DATA = ROOT / "cleaner" / "data"
PROSE = "The council met on Tuesday evening and approved the budget for the coming year after a long debate."


def _notes(text: str) -> list[str]:
    return passage_evidence(text, load_spun_data()).notes


# --- evidence a person can check ---------------------------------------------------------


def test_scars_are_evidence_and_other_languages_are_not_scored():
    scarred = Line(1, "During the COVID-1 9 pandemic the firm spent $ 4 million on R& D, and also more on ads.")
    result = score_spun([scarred], "en", 0.5)
    assert any("split_number: 'COVID-1 9'" in e for e in result.passages[0].evidence)
    # The passage on its own evidence; a document of one line is too short
    # to judge as a document (it counts as DOCUMENT_MIN_WORDS), a page of
    # such lines is not.
    assert result.passages[0].score >= 0.5 and not result.flagged
    assert score_spun([Line(2 * i + 1, scarred.text) for i in range(6)], "en", 0.5).flagged
    assert not score_spun([Line(2, PROSE)], "en", 0.5).flagged
    other = score_spun([scarred], "de", 0.5)
    assert other.score is None and not other.flagged and other.passages == () and "not covered" in other.reason
    assert score_spun([scarred], None, 0.5).score is None


def test_a_swapped_word_is_named_with_the_word_it_probably_replaced():
    notes = _notes("The district tribunal issued its ruling on Monday.")
    assert any(n.startswith("better_synonym: 'district tribunal issued' ('district court issued' fits") for n in notes)
    original = passage_evidence("The district court issued its ruling on Monday.", load_spun_data())
    assert not any("court" in note for note in original.notes)
    swapped = passage_evidence("The district tribunal issued its ruling on Monday.", load_spun_data())
    assert swapped.counts["better_synonym_6"] == original.counts["better_synonym_6"] + 1


def test_a_neighbour_counts_only_if_listed_and_one_space_away():
    """A word is read against the words next to it with a single space
    between them, and only those the tables list."""
    def named(text):
        return [n.split("'")[1] for n in _notes(text) if n.startswith("better_synonym") and "tribunal" in n]

    assert named("The district tribunal issued its ruling on Monday.") == ["district tribunal issued"]
    assert named("The district tribunal  issued its ruling on Monday.") == ["district tribunal"]
    assert "district tribunal" not in " ".join(named("The district, tribunal issued its ruling on Monday."))
    assert "district tribunal" not in " ".join(named("The district  tribunal issued its ruling on Monday."))
    assert "xqzzyv" not in " ".join(named("The xqzzyv tribunal issued its ruling on Monday."))


def test_a_common_paraphrase_is_not_reported_as_a_million_times_better():
    # "too loud" is far commoner than "excessively loud", but the writer's
    # word is weighed against its own frequency, and "too" is a function
    # word, never a candidate.
    notes = _notes("The music at the party was excessively loud for the neighbours.")
    assert not any("'too loud'" in n for n in notes)
    factors = [float(n.rsplit("(", 1)[1].split("'")[2].split("x")[0].replace(",", "")) for n in notes if "fits" in n]
    assert all(f < 1000 for f in factors), notes


def test_british_and_american_spellings_and_a_words_own_forms_are_never_evidence():
    assert spun.same_word("neighbour", "neighbor") and spun.same_word("centre", "center")
    assert spun.same_word("organise", "organize") and spun.same_word("uses", "using")
    assert not spun.same_word("court", "tribunal")
    tables = load_reference_tables()
    for word in ("neighbour", "colour", "centre"):
        if word in tables.choices:
            slate = tables.choices[word][0]
            assert not any(spun.same_word(word, other) for other in slate[1:]), slate


def test_identifiers_hosts_addresses_and_names_are_not_read():
    text = "Call sethostname or set_host_name with connmand running, mail admin@mailhost.example.org, see os.path, use fooBar."
    evidence = passage_evidence(text, load_spun_data())
    for word in ("sethostname", "connmand", "mailhost", "example", "path", "fooBar"):
        assert not any(word in note for note in evidence.notes), evidence.notes
    # A capitalised word inside a sentence is a name; at its start, any word.
    sentence = "Sales rose. The Tribunal Gazette said so, Mr Holded too; see fooBar, NASA and os.path (or f(x))."
    read = {m.group(): spun._is_prose(sentence, m) for m in spun._WORD.finditer(sentence)}
    assert read["Sales"] and read["The"] and read["rose"] and read["see"] and read["or"]
    assert not read["Tribunal"] and not read["Holded"] and not read["fooBar"] and not read["NASA"]
    assert not read["os"] and not read["path"] and not read["f"]


def test_a_documents_own_terms_are_read_in_its_sense():
    # "kernel" three times is what the document is about, not a swap for "core".
    lines = [Line(1, "The kernel loads the driver at boot, and the kernel logs each step."),
             Line(3, "When the kernel panics, the log shows which driver failed to load.")]
    assert "kernel" in spun.topic_words(line.text for line in lines)
    result = score_spun(lines, "en", 0.5)
    assert not any("kernel" in e for p in result.passages for e in p.evidence)


def test_parenthesised_plurals_and_calls_are_not_scars():
    model = load_spun_data()
    glued = next(a for a in model.artifacts if a.name == "glued_parenthesis")
    assert glued.pattern.search("the market was patchy( the council said")
    for text in ("Give the example(s) in order.", "Call print(x) to see it.", "See fork(2) for details."):
        assert not glued.pattern.search(text), text


def test_spinner_inflections_count_but_typos_unknown_words_and_names_do_not():
    model = load_spun_data()
    spun_text = passage_evidence("The firm holded its meeting while the workers were switchings jobs with new zeal.", model)
    assert "malformed_word: 'holded' ('hold' with a suffix it does not take)" in spun_text.notes
    assert spun_text.counts["malformed_word"] == 2
    # A daemon's name is not a past tense ("systemd"), a coinage is not a swap.
    other = passage_evidence("The systemd unit and the frobnicational outgrabe were both counicl matters, Mr Holded said.", model)
    assert other.counts["malformed_word"] == 0 and not other.notes


def test_typos_leave_no_synonym_evidence():
    typo = "The counicl said the new brigde would open next yaer after a long delay in the work."
    evidence = passage_evidence(typo, load_spun_data())
    assert not any(("counicl" in note or "brigde" in note or "yaer" in note) for note in evidence.notes)
    assert score_text(typo) < 0.5


def test_a_tortured_phrase_is_named_with_the_term_it_replaced_and_flags_a_short_paragraph():
    text = ("In this study we apply profound learning to the problem of sorting satellite images of farmland by crop, "
            "and we compare it with the older methods on the same images.")
    notes = _notes(text)
    assert "tortured_phrase: 'profound learning' (a paraphrase of 'deep learning')" in notes
    assert score_text(text) >= 0.5
    assert score_text(text.replace("profound learning", "deep learning")) < 0.5


def test_a_heavily_spun_short_paragraph_is_caught_on_its_own_evidence():
    # 60 words, spun by hand the way a WordNet spinner spins: every line of
    # evidence is its own, with no document around it.
    spun_text = ("The municipality functionaries aforesaid the yearly turnover of the bazaar had an acute rise, "
                 "as well as the merchandisers likewise stated the ordinances were altogether unjust as well as costly "
                 "for purchasers, and the functionaries undoubtedly design to interrupt the ordinances and also "
                 "levy mulcts on wrongdoers following calendar month.")
    assert 40 <= len(spun_text.split()) <= 80
    result = score_spun([Line(1, spun_text)], "en", 0.5)
    assert result.passages[0].score >= 0.5 and result.flagged


def test_spun_passage_is_read_with_its_document():
    # A heading has too few words to judge alone; in a spun document it is
    # read with the document's evidence, in a clean one it is not raised.
    heading = Line(1, "Council plans new market")
    spun_body = [Line(3 + 2 * i, text) for i, text in enumerate([
        "The municipality functionaries aforesaid the yearly turnover of the bazaar had an acute rise as well as a drop.",
        "Merchandisers likewise stated the ordinances were altogether unjust, as well as costly for purchasers.",
        "The functionaries undoubtedly design to interrupt the ordinances and also levy mulcts on wrongdoers.",
    ])]
    result = score_spun([heading, *spun_body], "en", 0.5)
    clean = score_spun([heading, Line(3, PROSE)], "en", 0.5)
    alone = score_text(heading.text)
    assert result.flagged and not clean.flagged
    assert result.passages[0].score > alone and result.passages[0].score >= 0.5
    assert "read with its document" in result.passages[0].evidence[0]
    assert clean.passages[0].score < 0.5


def _filler_only_model(shipped):
    """A scorer that counts nothing but filler ("and also" weighs 0.5: +5 to
    the logit), whose document model does the same, against a clean margin
    of 0 with a spread of 1 per 100 words."""
    weights = dict.fromkeys(shipped.weights, 0.0) | {"filler": 10.0}
    document = dict.fromkeys(shipped.document_weights, 0.0) | {"filler": 10.0}
    return model_from(shipped.artifacts, {
        "weights": weights, "bias": -6.0, "min_words": 1, "shrink_words": 0,
        "document": {"weights": document, "clean_per_100_words": {"margin": 0.0, "spread": 1.0}},
    })


def test_a_document_steadily_above_clean_text_is_flagged_though_no_passage_is_alone():
    model = _filler_only_model(load_spun_data())
    filler = "The council met on Monday and also talked about the roads of the town."
    plain = "The council met on Monday and talked about the roads of the town."
    alone = score_text(filler, model)
    assert alone < 0.5  # -6 + 5
    result = score_spun([Line(2 * i + 1, filler) for i in range(8)] + [Line(17, plain)], "en", 0.5, model)
    assert result.flagged
    by_line = {p.line: p.score for p in result.passages}
    assert all(by_line[2 * i + 1] >= 0.5 > alone for i in range(8))
    assert by_line[17] < 0.5
    clean = score_spun([Line(2 * i + 1, plain) for i in range(8)], "en", 0.5, model)
    assert not clean.flagged and all(p.score < 0.5 for p in clean.passages)


def test_a_long_document_counts_as_at_most_document_max_words():
    # The same rate over twice the cap's length gives the same z as over the cap.
    model = _filler_only_model(load_spun_data())
    filler = "The council met on Monday and also talked about the roads of the town."
    per_line = len(filler.split())
    at_cap = [Line(i + 1, filler) for i in range(spun.DOCUMENT_MAX_WORDS // per_line)]
    twice = [Line(i + 1, filler) for i in range(2 * spun.DOCUMENT_MAX_WORDS // per_line)]
    assert spun.document_z(twice, model) == pytest.approx(spun.document_z(at_cap, model), rel=0.02)
    half = at_cap[: len(at_cap) // 2]
    assert spun.document_z(at_cap, model) > spun.document_z(half, model)


def test_a_headline_with_one_odd_word_is_not_a_spun_document():
    result = score_spun([Line(1, "Council approves district tribunal budget")], "en", 0.5)
    assert any("'district court budget'" in note for note in result.passages[0].evidence)
    assert not result.flagged and result.passages[0].score < 0.5


def test_spun_scores_never_reach_one_so_a_threshold_of_one_flags_nothing():
    text = "COVID-1 9 R& D $ 4 COVID-1 9 R& D as well as and also as well as also " * 20
    assert 0.99 <= score_text(text) < 1.0
    assert not score_spun([Line(1, text)], "en", 1.0).flagged


# --- data files ------------------------------------------------------------------------


def test_every_spun_artifact_finds_its_own_example():
    raw = tomllib.loads((DATA / "spun_artifacts.toml").read_text(encoding="utf-8"))
    names = [a.name for a in load_spun_data().artifacts]
    assert names == [a["name"] for a in raw["artifact"]]
    for artifact, entry in zip(load_spun_data().artifacts, raw["artifact"]):
        assert artifact.pattern.search(entry["example"]), artifact.name


def test_every_artifact_has_literals_and_every_match_holds_one():
    raw = tomllib.loads((DATA / "spun_artifacts.toml").read_text(encoding="utf-8"))
    texts = [entry["example"] for entry in raw["artifact"]]
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in sorted((ROOT / "fixtures" / "articles").glob("*.txt"))]
    matched = set()
    for artifact in load_spun_data().artifacts:
        assert artifact.literals, artifact.name
        for text in texts:
            for match in artifact.pattern.finditer(text):
                assert artifact.may_occur_in(match.group(0)), (artifact.name, match.group(0))
                matched.add(artifact.name)
    assert matched == {entry["name"] for entry in raw["artifact"]}
    assert not [a.name for a in load_spun_data().artifacts if a.may_occur_in("plain words only here")]


def test_every_tortured_phrase_is_rare_and_found_in_text():
    # A phrase the reference table lists as a common pair is ordinary English
    # and would flag honest text; each entry is found by the scorer as written.
    pairs = spun.read_tortured_phrases((DATA / "tortured_phrases.tsv").read_text(encoding="utf-8"))
    assert len(pairs) >= 60
    tables = load_reference_tables()
    model = load_spun_data()
    for phrase, original in pairs.items():
        words = [w.lower() for w in spun._WORD.findall(phrase)]
        assert len(words) >= 2 and phrase != original.lower(), phrase
        listed = [f"{a} {b}" for a, b in zip(words, words[1:]) if b in tables.followers.get(a, {}) and a not in spun.FUNCTION_WORDS and b not in spun.FUNCTION_WORDS]
        assert len(listed) < len(words) - 1 or len(words) == 1, (phrase, listed)
        evidence = passage_evidence(f"We then describe the {phrase} used here.", model)
        assert evidence.counts["tortured_phrase"] == 1, phrase


def test_a_malformed_tortured_phrase_file_is_refused():
    with pytest.raises(ValueError, match="tortured_phrases.tsv:2"):
        spun.read_tortured_phrases("# a comment\nno tab here\n")


def test_spun_model_file_must_weigh_every_input():
    shipped = json.loads((DATA / "spun_model.json").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="expected"):
        model_from((), {**shipped, "weights": {"scar": 1.0}})
    with pytest.raises(ValueError, match="document weights"):
        model_from((), {**shipped, "document": {**shipped["document"], "weights": {"scar": 1.0}}})
    assert set(shipped["weights"]) == set(spun.INPUTS)
    assert {k: shipped["weights"][k] for k in spun.HAND_SET_WEIGHTS} == spun.HAND_SET_WEIGHTS


def test_neighbours_file_is_sorted_lowercase_words_without_their_own_forms():
    lines = gzip.decompress((DATA / "neighbours.tsv.gz").read_bytes()).decode("utf-8").splitlines()
    words = [line.split("\t")[0] for line in lines]
    assert len(words) > 3000 and words == sorted(words)
    for line in lines:
        word, neighbours = line.split("\t")
        found = neighbours.split()
        assert word.isalpha() and word.islower() and 1 <= len(found) <= 8
        assert word not in found


# --- tables ----------------------------------------------------------------------------


def test_candidates_come_from_both_sources_and_a_typo_is_in_no_table():
    tables = load_reference_tables()
    slate, counts = tables.choices["functionaries"]
    assert slate[0] == "functionaries" and "officials" in slate[1:]
    assert tuple(counts) == tuple(tables.log_unigrams[word] for word in slate)
    assert "teh" not in tables.choices
    assert all(len(slate) <= spun.MAX_CANDIDATES + 1 for slate, _ in tables.choices.values())
    only_wordnet = load_reference_tables(("wordnet",))
    only_vectors = load_reference_tables(("vectors",))
    assert set(tables.choices) == set(only_wordnet.choices) | set(only_vectors.choices)
    # A vector neighbour counts both ways round.
    first = gzip.decompress((DATA / "neighbours.tsv.gz").read_bytes()).decode("utf-8").splitlines()[100]
    word, neighbours = first.split("\t")
    for other in neighbours.split():
        if other in only_vectors.choices and not spun.same_word(word, other) and word not in spun.FUNCTION_WORDS:
            assert word in only_vectors.choices[other][0] or len(only_vectors.choices[other][0]) > spun.MAX_CANDIDATES


def test_pair_tables_hold_every_listed_pair_and_an_unlisted_pair_is_rarer_than_any_listed():
    tables = load_reference_tables()
    assert "tribunal" not in tables.followers["district"] and tables.followers["district"]["court"] > 11.0
    with resources.files("wordsegment").joinpath("bigrams.txt").open(encoding="utf-8") as handle:
        rows = [line.rpartition("\t") for line in handle]
    counts = [int(count) for _, _, count in rows]
    assert sum(len(after) for after in tables.followers.values()) == len({pair for pair, _, _ in rows})
    # The right-hand look-up holds the pairs whose first word is on a slate.
    on_slates = {word for slate, _ in tables.choices.values() for word in slate}
    assert all(first in on_slates for before in tables.preceders.values() for first in before)
    assert all(tables.followers[first][second] == count for second, before in tables.preceders.items()
               for first, count in before.items())
    assert math.isclose(tables.log_unseen_pair, math.log(min(counts) / 2))
    listed = [count for after in tables.followers.values() for count in after.values()]
    assert min(listed) > 11.0  # every listed pair was seen 100,000+ times: `or` in _best_synonym relies on it
