"""Each pipeline step on its own."""
from __future__ import annotations

import codecs
import math
import tomllib
from importlib import resources

import pytest

from conftest import ROOT

from cleaner.result import Decision, Line
from cleaner.steps.assemble import assemble, split_lines
from cleaner.steps.decode import NotTextError, decode
from cleaner.steps.dedupe import label_duplicates
from cleaner.steps.heuristics import classify_lines, label_heuristics, line_views, load_heuristics_data
from cleaner.steps.language import LanguageDetector
from cleaner.steps.linemodel import neutral_model
from cleaner.steps.repair import repair_text
from cleaner.steps.spun import load_reference_tables, load_spun_data, model_from, passage_evidence, score_spun, score_text

PROSE = "The council met on Tuesday evening and approved the budget for the coming year after a long debate."
PROSE2 = "Residents who spoke at the meeting asked for more money for the library and for repairs to the roads."

# --- decode -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, method",
    [
        (codecs.BOM_UTF8 + "Café".encode("utf-8"), "bom"),
        ("Café".encode("utf-16"), "bom"),
        ("Café".encode("utf-32"), "bom"),
        ("Café".encode("utf-8"), "utf-8"),
    ],
)
def test_decode_unicode_with_and_without_marks(data, method):
    text, decoding = decode(data)
    assert text == "Café" and decoding.method == method


def test_decode_legacy_encoding_is_detected():
    text, decoding = decode(("Le café de la gare a rouvert ses portes à la fin de l'été, " * 3).encode("cp1252"))
    assert decoding.method == "detected" and "café" in text and "été" in text


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("gb18030", "新的大桥在周六正式通车，数百名市民前来参加开通仪式，市长为大桥剪彩。" * 3),
        ("shift_jis", "新しい橋が土曜日に開通し、数百人の市民が開通式に集まりました。市長がテープを切りました。" * 3),
        ("latin-1", "Le café de la gare a rouvert ses portes à la fin de l'été, après des travaux. " * 3),
    ],
)
def test_decode_legacy_encodings_of_other_scripts(encoding, text):
    decoded, decoding = decode(text.encode(encoding))
    assert decoded == text and decoding.method == "detected"


def test_decode_binary_is_not_text():
    with pytest.raises(NotTextError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_decode_str_passes_through():
    text, decoding = decode("already text \ufeff with odd characters \x00")
    assert text == "already text \ufeff with odd characters \x00"  # a str is never re-decoded or refused
    assert decoding.method == "str"


# --- repair -------------------------------------------------------------------


def test_repair_fixes_mojibake_and_entities_and_says_how():
    text, fixes = repair_text("The cafÃ© isnâ€™t open &amp; never was")
    assert text == "The café isn’t open & never was"
    assert "decode:utf-8" in fixes and "apply:unescape_html" in fixes


def test_repair_keeps_curly_quotes_and_plain_lines_untouched():
    assert repair_text("She said “no” and left.") == ("She said “no” and left.", ())
    assert repair_text("plain ascii line") == ("plain ascii line", ())


def test_repair_normalises_odd_spaces_but_keeps_joiners():
    text, fixes = repair_text("ten\u00a0pounds\u200b and\u2009more")
    assert text == "ten pounds and more" and fixes == ("normalize:spaces",)
    assert repair_text("می\u200cخواهم")[0] == "می\u200cخواهم"  # ZWNJ is part of the word


def test_repair_removes_control_characters():
    assert repair_text("bell\x07 and \x1b[31mred\x1b[0m")[0] == "bell and red"


# --- split and assemble ---------------------------------------------------------


def test_split_counts_lines_like_an_editor():
    lines = split_lines("a\r\nb\u2028still b\n\nc")
    assert [(l.number, l.text) for l in lines] == [(1, "a"), (2, "b\u2028still b"), (3, ""), (4, "c")]


def test_assemble_folds_the_gap_left_by_dropped_lines():
    lines = split_lines("A\n\nX\n\nB\nY\nC\n\n\nD\n")
    drop = {3: Decision(False, "r"), 6: Decision(False, "r")}
    assert assemble(lines, drop) == "A\n\nB\nC\n\n\nD\n"


def test_assemble_drops_leading_and_trailing_blank_lines():
    lines = split_lines("\n\nX\nA\n\nY\n\n")
    assert assemble(lines, {3: Decision(False, "r"), 6: Decision(False, "r")}) == "A\n"


# --- dedupe ---------------------------------------------------------------------


def test_dedupe_drops_a_stand_first_the_body_repeats():
    stand_first = "The council approved the budget after a long debate on Tuesday night."
    body = stand_first + " " + PROSE2
    lines = [Line(1, stand_first), Line(2, ""), Line(3, body), Line(4, PROSE)]
    decisions = label_duplicates(lines, {})
    assert decisions == {1: Decision(False, "dedupe:repeated", "repeats line 3")}


def test_dedupe_drops_the_later_of_two_equal_lines_and_ignores_short_ones():
    lines = [Line(1, PROSE), Line(2, "Read on."), Line(3, PROSE), Line(4, "Read on.")]
    assert set(label_duplicates(lines, {})) == {3}


def test_dedupe_leaves_lines_a_rule_protected():
    lines = [Line(1, PROSE), Line(2, PROSE)]
    assert label_duplicates(lines, {2: Decision(True, "rule:x/keep")}) == {}


# --- heuristics -------------------------------------------------------------------


def labels(texts: list[str], decided=None, whole_page=True) -> dict[int, str]:
    """The heuristics' drops, with a line model that keeps everything: these
    tests are about the rules of context, not about the fitted weights (which
    test_line_model_* and the benchmark tests cover)."""
    lines = [Line(n, t) for n, t in enumerate(texts, start=1)]
    decisions = label_heuristics(lines, decided or {}, model=neutral_model(), whole_page=whole_page)
    return {n: d.reason for n, d in decisions.items()}


def test_short_line_inside_the_article_is_content():
    assert labels([PROSE, "And then it rained.", PROSE2]) == {}


def test_heading_before_text_is_content_and_short_lines_between_boilerplate_are_not():
    result = labels(["Home", "News", "Sport", "Budget approved", PROSE, PROSE2, "Contact", "Jobs"])
    assert 4 not in result  # the heading right before the text
    assert {1, 2, 3, 7, 8} <= set(result)


def test_related_box_swallows_headlines_but_stops_at_a_paragraph():
    long_paragraph = " ".join([PROSE, PROSE2])
    result = labels([PROSE, "Related articles", "Budget row deepens", "Mayor resigns", long_paragraph], whole_page=False)
    assert result == {2: "heuristic:related_list", 3: "heuristic:related_list", 4: "heuristic:related_list"}


def test_a_list_box_ends_at_two_paragraphs_in_a_row_however_short():
    # A box header in a menu far above the article must not swallow it: the
    # article's short paragraphs come one after another, a teaser list's
    # blurbs come between headlines.
    teaser = "A short blurb of another story that reads like a sentence of its own."
    texts = ["Newsletters", "World", "Budget row deepens", teaser, "Mayor resigns", teaser, "Ferry back", PROSE, PROSE2]
    assert labels(texts, whole_page=False) == {n: "heuristic:newsletter_box" for n in range(1, 8)}
    # Reader comments are paragraphs in a row: a comment box runs on.
    comments = ["Comments", PROSE, PROSE2, "Closing remark of another reader who agreed with the council."]
    assert labels(comments, whole_page=False) == {n: "heuristic:comments_box" for n in range(1, 5)}


def test_caption_next_to_photo_credit():
    result = labels([PROSE, "The mayor at the opening of the new wing", "(Photo: Harbour Times)", PROSE2])
    assert result == {2: "heuristic:caption", 3: "heuristic:caption"}


def test_mention_of_boilerplate_words_in_prose_is_kept():
    text = "Readers were asked to click here to subscribe, the paper said, but most of them ignored the banner."
    assert labels([PROSE, text, PROSE2]) == {}


def test_author_blurb_is_known_by_its_shape_and_a_sentence_about_a_writer_is_not():
    blurb = "Jo Marsh is a freelance science writer based in Leeds, and her work has appeared in several papers."
    reach = "Jo Marsh can be reached at the newsroom on weekdays."
    quoted = "The mayor, who is a former sports reporter, said the ferry had never been busier than this summer."
    assert labels([PROSE, quoted, PROSE2, blurb, reach], whole_page=False) == {4: "heuristic:author_blurb", 5: "heuristic:author_blurb"}


def test_document_without_prose_keeps_its_short_lines():
    assert labels(["Shopping list", "eggs", "milk", "bread"]) == {}


def test_bullet_list_between_paragraphs_is_content():
    assert labels([PROSE + " These were the main items:", "a new roof for the library", "two more buses", PROSE2]) == {}


def test_inline_headline_only_when_turned_on():
    texts = [PROSE, "Mayor announces plan to rebuild the old harbour wall before next winter", PROSE2]
    lines = [Line(n, t) for n, t in enumerate(texts, start=1)]
    assert label_heuristics(lines, {}, model=neutral_model()) == {}
    data = load_heuristics_data().with_thresholds((("inline_headline_min_words", 10),))
    assert label_heuristics(lines, {}, data, model=neutral_model())[2].reason == "heuristic:inline_headline"


def test_directory_listing_is_found_by_its_shape():
    listing = []
    for name in ["Acme Backup", "Birch Security", "Cobalt Labs"]:
        listing += [name, name, f"{name} makes software that keeps company data safe from attackers and accidents."]
    result = labels([PROSE, PROSE2, *listing], whole_page=False)
    assert set(result) == set(range(3, 12)) and set(result.values()) == {"heuristic:directory_listing"}


def test_comment_thread_runs_from_the_first_signature_to_the_end():
    texts = [
        PROSE,
        PROSE2,
        "Sam on March 3, 2021 at 6:34 am said:",
        "I walked past the library last week and it was packed with families on a Sunday.",
        "Jo on March 4, 2021 at 9:12 pm said:",
        "Good news for the town, and about time too if you ask me.",
    ]
    result = labels([PROSE + " " + PROSE2] + texts[1:], whole_page=False)
    assert set(result) == {3, 4, 5, 6} and set(result.values()) == {"heuristic:comment_thread"}
    # Under comment_min_prose_before words of article above it, it is not a thread.
    assert labels(["The council met on Tuesday."] + texts[2:], whole_page=False) == {}


def test_one_quoted_signature_is_not_a_thread():
    texts = [PROSE, "The mayor on March 3, 2021 at 6:34 am said:", PROSE2]
    assert labels(texts, whole_page=False) == {}


def test_extracted_text_keeps_its_edges():
    """After an extractor, the first and last lines are the article's: a short
    closing line is not 'outside the article' there, as it is on a whole page."""
    texts = [PROSE, PROSE2, "Reporting from the harbour office"]
    assert labels(texts, whole_page=False) == {}
    assert labels(texts) == {3: "heuristic:short_outside_article"}


def test_line_model_never_empties_a_page_of_its_prose():
    from cleaner.steps.linemodel import load_line_model

    model = load_line_model()
    distrusting = model.__class__(model.line_weights, model.context_weights, 1.01, model.means, model.scales)
    lines = [Line(1, PROSE), Line(2, PROSE2)]
    assert label_heuristics(lines, {}, model=distrusting) == {}


def test_folded_line_model_scores_like_the_fitted_formula():
    """The weights are fitted on standardised features and folded into raw-
    feature weights at load: both ways must give the same probabilities."""
    import math

    from cleaner.steps import linemodel

    model = linemodel.load_line_model()
    k = len(linemodel.LINE_FEATURES)
    texts = ["Home", "News", PROSE, "Budget approved", PROSE2, "Share this article", "Contact us"]
    infos = classify_lines([Line(n, t) for n, t in enumerate(texts, 1)], {}, load_heuristics_data(), None)
    views = line_views(infos)

    def standardised(weights, row, means, scales):
        return weights[0] + sum(w * (x - m) / s for w, x, m, s in zip(weights[1:], row, means, scales))

    first = [standardised(model.line_weights, r, model.means[:k], model.scales[:k]) for r in linemodel.line_features(views)]
    second = [
        standardised(model.context_weights, r, model.means[k:], model.scales[k:]) for r in linemodel.context_features(first)
    ]
    expected = [1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) for z in second]
    assert linemodel.score_lines(views, model) == pytest.approx(expected, abs=1e-12)


def test_line_model_data_matches_the_code_and_was_judged_on_left_out_sites():
    import json
    from importlib import resources

    from cleaner.steps.linemodel import CONTEXT_FEATURES, LINE_FEATURES, load_line_model, score_lines

    raw = json.loads(resources.files("cleaner").joinpath("data/line_model.json").read_text())
    assert raw["line_features"] == list(LINE_FEATURES) and raw["context_features"] == list(CONTEXT_FEATURES)
    assert 0 < raw["threshold"] < 1 and raw["leave_one_site_out_f1"] > 0.9
    model = load_line_model()
    assert len(model.line_weights) == len(LINE_FEATURES) + 1
    # Article prose among menu lines scores higher than a teaser cut off from it.
    texts = ["Home", "News", "Sport", PROSE, PROSE2, PROSE, "Contact", "About us", "Jobs", "Privacy",
             "Terms", "Newsletter", "Archive", "Weather", "Travel", "Lottery",
             "A teaser for another story that is long enough to look like prose to anyone."]
    infos = classify_lines([Line(n, t) for n, t in enumerate(texts, 1)], {}, load_heuristics_data(), None)
    scores = score_lines(line_views(infos), model)
    assert min(scores[3:6]) > scores[-1]


def test_heuristics_data_patterns_compile_and_thresholds_are_numbers():
    data = load_heuristics_data()
    assert all(isinstance(v, (int, float)) and v >= 0 for v in data.thresholds.values())
    assert data.patterns and data.box_headers


# --- language -----------------------------------------------------------------------


def test_language_is_deterministic_and_bounded():
    detector = LanguageDetector()
    text = "Die neue Brücke wurde am Samstag für den Verkehr freigegeben, nach drei Jahren Bauzeit."
    first = detector.detect(text, 2000)
    assert first.code == "de"
    assert all(LanguageDetector().detect(text, 2000) == first for _ in range(3))
    assert detector.detect("ok", 2000).code is None


@pytest.mark.parametrize(
    "text",
    [
        "The ferry resumed service on Monday after four months of repairs to its hull.",
        "Die neue Brücke wurde am Samstag für den Verkehr freigegeben, nach drei Jahren Bauzeit.",
        "Le café de la gare a rouvert ses portes à la fin de l'été. BREAKING NEWS: see www.example.org",
        "Новый мост открыли в субботу после трёх лет строительства. The bridge opened.",
        "서울시는 토요일에 새 다리를 개통했다. 公共交通機関の運行が再開された。ΑΘΗΝΑ — Η γέφυρα άνοιξε.",
        "Cine a spus că ştiinţa şi țara nu se întâlnesc? Viața în orașul mic e liniștită.",
        "Mua sắm trực tuyến tăng mạnh trong năm nay, theo báo cáo của bộ công thương.",
    ],
)
def test_language_probabilities_are_langdetects_own(text):
    """The profiles read sparse and the inlined loops give langdetect's
    answer to the last digit."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from cleaner.steps.language import SEED, detector_factory, probabilities

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    ours, theirs = detector_factory().create(), factory.create()
    ours.append(text)
    theirs.append(text)
    assert [(l.lang, l.prob) for l in probabilities(ours)] == [(l.lang, l.prob) for l in theirs.get_probabilities()]


# --- spun ---------------------------------------------------------------------------


def test_spun_scores_scars_with_evidence_and_skips_other_languages():
    scarred = Line(1, "During the COVID-1 9 pandemic the firm spent $ 4 million on R& D, and also more on ads.")
    result = score_spun([scarred], "en", 0.5)
    assert any("split_number: 'COVID-1 9'" in e for e in result.passages[0].evidence)
    assert result.flagged and result.passages[0].score >= 0.5
    assert not score_spun([Line(2, PROSE)], "en", 0.5).flagged
    other = score_spun([scarred], "de", 0.5)
    assert other.score is None and not other.flagged and other.passages == () and "not covered" in other.reason
    assert score_spun([scarred], None, 0.5).score is None


def test_spun_names_the_synonym_that_fits_better_and_what_it_replaced():
    evidence = passage_evidence("Prices saw an acute rise in the spring.", load_spun_data())
    assert any(note.startswith("better_synonym: 'an acute rise' ('an sharp rise' fits") for note in evidence.notes)
    # The original fits its place: one word fewer at the step the swap reached.
    original = passage_evidence("Prices saw a sharp rise in the spring.", load_spun_data())
    assert not any("rise" in note for note in original.notes)
    assert original.counts["better_synonym_2"] == evidence.counts["better_synonym_2"] - 1


def test_spinner_inflections_and_unknown_words_count_but_typos_and_names_do_not():
    model = load_spun_data()
    spun = passage_evidence("The firm holded its meeting while the workers were switchings jobs with frobnicational zeal.", model)
    assert "malformed_word: 'holded' ('hold' with a suffix it does not take)" in spun.notes
    assert spun.counts["malformed_word"] == 2 and spun.counts["unknown_word"] == 1
    assert "unknown_word: 'frobnicational'" in spun.notes
    # One keystroke from a common word is a typo; a capitalised word is a name.
    typos = passage_evidence("The counicl said the new brigde would open next yaer, Mr Frobnicational said.", model)
    assert typos.counts["malformed_word"] == typos.counts["unknown_word"] == 0


def test_typos_leave_no_synonym_evidence():
    typo = "The counicl said the new brigde would open next yaer after a long delay in the work."
    evidence = passage_evidence(typo, load_spun_data())
    assert not any(("counicl" in note or "brigde" in note or "yaer" in note) for note in evidence.notes)
    assert score_text(typo) < 0.5


def test_spun_passage_is_read_with_its_document():
    # A heading has too few words to judge alone; in a spun document it is
    # read with the document's evidence, in a clean one it is not raised.
    heading = Line(1, "Council plans new market")
    spun_body = [Line(3 + 2 * i, text) for i, text in enumerate([
        "The municipality functionaries said the yearly turnover of the bazaar had an acute rise as well as a drop.",
        "Merchants likewise stated the regulations were altogether unjust, as well as costly for purchasers.",
        "The functionaries undoubtedly plan to interrupt the regulations and also levy mulcts on wrongdoers.",
    ])]
    spun = score_spun([heading, *spun_body], "en", 0.5)
    clean = score_spun([heading, Line(3, PROSE)], "en", 0.5)
    alone = score_text(heading.text)
    assert spun.flagged and not clean.flagged
    assert spun.passages[0].score > alone and spun.passages[0].score >= 0.5
    assert "read with its document" in spun.passages[0].evidence[0]
    assert clean.passages[0].score < 0.5


def _filler_only_model(shipped):
    """A scorer that counts nothing but filler ("and also" weighs 0.5: +5 to
    the logit), against a clean margin of 0 with a spread of 1 per 100 words."""
    weights = dict.fromkeys(shipped.weights, 0.0) | {"filler": 10.0}
    return model_from(shipped.artifacts, {
        "weights": weights, "bias": -6.0, "min_words": 1, "shrink_words": 0,
        "clean_per_100_words": {"margin": 0.0, "spread": 1.0},
    })


def test_a_document_steadily_above_clean_text_is_flagged_though_no_passage_is_alone():
    model = _filler_only_model(load_spun_data())
    filler = "The council met on Monday and also talked about the roads of the town."
    plain = "The council met on Monday and talked about the roads of the town."
    alone = score_text(filler, model)
    assert alone < 0.5  # -6 + 5
    spun = score_spun([Line(2 * i + 1, filler) for i in range(8)] + [Line(17, plain)], "en", 0.5, model)
    assert spun.flagged
    by_line = {p.line: p.score for p in spun.passages}
    # Passages at the document's rate carry its score; one far below it does not.
    assert all(by_line[2 * i + 1] >= 0.5 > alone for i in range(8))
    assert by_line[17] < 0.5
    clean = score_spun([Line(2 * i + 1, plain) for i in range(8)], "en", 0.5, model)
    assert not clean.flagged and all(p.score < 0.5 for p in clean.passages)


def test_a_headline_with_one_odd_word_is_not_a_spun_document():
    # Counted as its few words, one strong swap would put a headline far above
    # clean text; a document counts as at least the paragraph model's 30.
    result = score_spun([Line(1, "Council approves district tribunal budget")], "en", 0.5)
    assert any("'district court budget'" in note for note in result.passages[0].evidence)
    assert not result.flagged and result.passages[0].score < 0.5


def test_spun_scores_never_reach_one_so_a_threshold_of_one_flags_nothing():
    text = "COVID-1 9 R& D $ 4 COVID-1 9 R& D as well as and also as well as also " * 20
    assert 0.99 <= score_text(text) < 1.0
    assert not score_spun([Line(1, text)], "en", 1.0).flagged


def test_every_spun_artifact_finds_its_own_example():
    raw = tomllib.loads((ROOT / "cleaner" / "data" / "spun_artifacts.toml").read_text(encoding="utf-8"))
    names = [a.name for a in load_spun_data().artifacts]
    assert names == [a["name"] for a in raw["artifact"]]
    for artifact, entry in zip(load_spun_data().artifacts, raw["artifact"]):
        assert artifact.pattern.search(entry["example"]), artifact.name


def test_every_artifact_has_literals_and_every_match_holds_one():
    # The scorer searches an artifact's regex only in text holding one of the
    # literals read off it: a match without one would never be found. Every
    # artifact has some (else it is searched everywhere), and every match in
    # every example and fixture article holds one.
    raw = tomllib.loads((ROOT / "cleaner" / "data" / "spun_artifacts.toml").read_text(encoding="utf-8"))
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


def test_spun_model_file_must_weigh_every_input():
    with pytest.raises(ValueError, match="expected"):
        model_from((), {"weights": {"scar": 1.0}, "bias": 0.0, "min_words": 30, "shrink_words": 60})


def test_thesaurus_lists_same_inflection_synonyms_of_common_words():
    tables = load_reference_tables()
    slate, counts = tables.choices["functionaries"]
    assert slate[0] == "functionaries" and "officials" in slate[1:]
    assert tuple(counts) == tuple(tables.log_unigrams[word] for word in slate)
    courts = tables.choices["courts"][0]
    assert len(courts) > 1 and all(s.endswith("s") for s in courts)
    assert "teh" not in tables.choices  # a typo is in no table


def test_pair_tables_hold_log_counts_both_ways_round_and_an_unlisted_pair_is_rarer_than_any_listed():
    tables = load_reference_tables()
    listed = [count for after in tables.followers.values() for count in after.values()]
    assert "tribunal" not in tables.followers["district"] and tables.followers["district"]["court"] > 11.0
    # Each direction keeps the pairs whose inner word is on a slate; a pair
    # of two such words is in both, with the same count.
    on_slates = {word for slate, _ in tables.choices.values() for word in slate}
    assert all(second in on_slates for after in tables.followers.values() for second in after)
    assert all(first in on_slates for before in tables.preceders.values() for first in before)
    both = [(first, second, count) for first, after in tables.followers.items() if first in on_slates
            for second, count in after.items()]
    assert len(both) > 50_000 and all(tables.preceders[second][first] == count for first, second, count in both)
    assert len(both) == sum(len(before) for second, before in tables.preceders.items() if second in on_slates)
    # The unlisted estimate is half the whole table's smallest count, pruned pairs included.
    with resources.files("wordsegment").joinpath("bigrams.txt").open(encoding="utf-8") as handle:
        smallest = min(int(line.rpartition("\t")[2]) for line in handle)
    assert math.isclose(tables.log_unseen_pair, math.log(smallest / 2))
    assert min(listed) > 11.0  # every listed pair was seen 100,000+ times: `or` in _best_synonym relies on it
