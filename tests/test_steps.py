"""Each pipeline step on its own."""
from __future__ import annotations

import codecs

import pytest


from cleaner.result import Decision, Line
from cleaner.steps.assemble import assemble, split_lines
from cleaner.steps.decode import NotTextError, decode
from cleaner.steps.dedupe import label_duplicates
from cleaner.steps.heuristics import classify_lines, label_heuristics, line_views, load_heuristics_data
from cleaner.steps.language import LanguageDetector
from cleaner.steps.linemodel import neutral_model
from cleaner.steps.repair import repair_text

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


def test_dedupe_finds_the_repeats_its_definition_names():
    """On generated pages of repeated, reordered, re-spaced and short
    sentences, with lines already decided either way: a line of MIN_WORDS
    words or more is dropped when another kept line holds every one of its
    sentences and is longer, or as long and earlier; the first such line in
    the page is the one named, and a line dropped as a repeat names no
    other."""
    import random
    import re

    from cleaner.steps.dedupe import MIN_WORDS, _sentences

    def plain(lines, decided):
        kept = [l for l in lines if l.text.strip() and (l.number not in decided or decided[l.number].keep)]
        parts = {l.number: set(_sentences(l.text)) for l in kept}
        length = {l.number: len(" ".join(_sentences(l.text))) for l in kept}
        found = {}
        for line in kept:
            n = line.number
            if n in decided or len(re.findall(r"\w+", line.text)) < MIN_WORDS:
                continue
            for m in (l.number for l in kept):
                if m != n and m not in found and parts[n] <= parts[m]:
                    if length[m] > length[n] or (length[m] == length[n] and m < n):
                        found[n] = Decision(False, "dedupe:repeated", f"repeats line {m}")
                        break
        return found

    pool = [PROSE, PROSE2, "Read on.", "The bridge reopened on Monday after a month of repairs to its deck.",
            "Traffic was  back to normal by the evening rush hour, the council said."]
    rng = random.Random(9)
    for _ in range(500):
        lines = [Line(n, " ".join(rng.sample(pool, rng.randint(0, 3)))) for n in range(1, rng.randint(2, 10))]
        decided = {l.number: Decision(rng.random() < 0.5, "rule:x/y") for l in lines if rng.random() < 0.15}
        assert label_duplicates(lines, decided) == plain(lines, decided), (lines, decided)


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


def test_a_sources_longer_limit_lets_its_patterns_claim_longer_lines():
    """A source's thresholds decide which lines its patterns may claim: the
    longest line tested follows them, while the patterns' prefilter is
    shared with the default data, not made again."""
    caption = " ".join(["The harbour wall after the storm, seen from the old ferry pier"] * 6) + " (Photo: Harbour Trust)"
    lines = [Line(1, PROSE), Line(2, caption), Line(3, PROSE2)]
    default = load_heuristics_data()
    assert 60 < len(caption.split()) <= 90
    assert label_heuristics(lines, {}, default, model=neutral_model(), whole_page=False) == {}
    wider = default.with_thresholds((("caption_max_words", 90),))
    assert wider.prefilter is default.prefilter and wider.longest_claimable == 90
    assert label_heuristics(lines, {}, wider, model=neutral_model(), whole_page=False)[2].reason == "heuristic:caption"


def test_a_signature_longer_than_any_pattern_limit_is_still_found():
    """A comment signature limit above every other pattern's (a source may
    set one) reaches lines whose prefilter bits were never read with their
    facts: those are searched behind the pattern's own prefilter."""
    signed = " ".join(["I have lived by this harbour for years and I agree with every word"] * 5) + " on March 3, 2024 at 10:15 am said:"
    data = load_heuristics_data().with_thresholds((("comment_signature_max_words", 100),))
    assert data.longest_claimable < len(signed.split()) <= 100
    lines = [Line(1, PROSE + " " + PROSE2), Line(2, PROSE), Line(3, signed), Line(4, PROSE2), Line(5, signed), Line(6, PROSE)]
    found = label_heuristics(lines, {}, data, model=neutral_model(), whole_page=False)
    assert {n: d.reason for n, d in found.items()} == {n: "heuristic:comment_thread" for n in (3, 4, 5, 6)}
    assert label_heuristics(lines, {}, model=neutral_model(), whole_page=False) == {}


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


def test_entries_stamped_with_their_age_are_not_a_thread():
    """A comment's age alone ("2 hours ago") is no signature: live pages
    stamp each entry so, under its headline or its reporter's name, exactly
    as forum widgets sign a comment under its author's name; reading it as
    one cut every live page after its first entry (and a list of headlines
    stamped so, above an article, cut the article)."""
    live = [PROSE + " " + PROSE2, PROSE2]
    for reporter, age, entry in (("Anna Kowalski", "14 minutes ago", PROSE), ("Tom Reyes", "2 hours ago", PROSE2)):
        live += [reporter, age, entry]
    assert "heuristic:comment_thread" not in labels(live, whole_page=False).values()
    stamped = ["Harbour wall plans approved", "20 hours ago", "Library opens on Sundays", "2 days ago"]
    page = [PROSE + " " + PROSE2, PROSE2, *stamped, PROSE, PROSE2]
    assert "heuristic:comment_thread" not in labels(page, whole_page=False).values()


def test_a_thread_of_short_comments_is_a_thread():
    """Signatures count whatever follows them: short comments ("Lovely
    photos!") and a "Reply" under each still make a thread."""
    texts = [PROSE + " " + PROSE2, PROSE2]
    for name, date, comment in (("Mia", "June 3, 2024 at 9:12 am", "Lovely photos!"), ("Raj", "June 4, 2024 at 8:01 pm", "Thanks.")):
        texts += [name, date, comment, "Reply"]
    result = labels(texts, whole_page=False)
    assert set(result) == set(range(4, 11)) and set(result.values()) == {"heuristic:comment_thread"}


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
    # Scored at some positions only (the heuristics ask for the prose
    # lines'): the same numbers, bit for bit, in the order asked.
    at = [4, 0, 2, 6]
    assert linemodel.score_lines(views, model, at=at) == [linemodel.score_lines(views, model)[k] for k in at]


def test_line_feature_rows_are_the_features_as_named():
    """Each stage-1 row, worked out from the lines by the features'
    definitions (LINE_FEATURES) in plain loops, on pages of 1 to 12 lines
    with prose, boilerplate and repeats anywhere, the first and last lines
    included."""
    import math
    import random

    from cleaner.steps import linemodel
    from cleaner.steps.linemodel import LINE_FEATURES, LineView

    def expected_rows(views):
        n = len(views)
        prose = [v.words if v.prose_like and not v.hard_bad else 0 for v in views]
        total = sum(prose) or 1
        keys = [" ".join(v.text.split()).casefold() for v in views]
        rows = []
        for k, v in enumerate(views):
            _, own = linemodel._text_features(v.text, v.words)
            # (On a page with no prose the total counts as 1, all of it "after".)
            before, after = sum(prose[:k]), total - sum(prose[: k + 1])
            distances = [abs(k - m) for m in range(n) if prose[m]]
            neighbours = [views[m].hard_bad for m in (k - 1, k + 1) if 0 <= m < n]
            named = {
                "log_words": math.log1p(v.words),
                "terminal": float(v.terminal),
                "stop_density": v.stop_density or 0.0,
                "no_stoplist": float(v.stop_density is None),
                "repeated": float(keys.count(keys[k]) > 1),
                "prose_like": float(v.prose_like),
                "prose_before": before / total,
                "prose_after": after / total,
                "prose_depth": min(before, after) / total,
                "log_distance_to_prose": math.log1p(min(distances) if distances else n),
                "near_prose_share": sum(prose[max(0, k - 5) : k + 6]) / total,
                "neighbour_hard_bad": sum(neighbours) / len(neighbours) if neighbours else 1.0,
            }
            text_named = ("ends_colon", "title_ratio", "upper_ratio", "digit_ratio", "symbol_ratio", "has_comma",
                          "long_unpunctuated", "dateish", "linkish")
            named.update(zip(text_named, own))
            rows.append([named[name] for name in LINE_FEATURES])
        return rows

    texts = [PROSE, PROSE2, "Home", "Share this article", "Posted on May 3, 2024", "www.example.com | Contact", "Home"]
    rng = random.Random(3)
    for _ in range(200):
        views = [
            LineView(text, len(text.split()), text.endswith("."), rng.choice([None, 0.0, 0.4]), rng.random() < 0.3,
                     rng.random() < 0.5)
            for text in (rng.choice(texts) for _ in range(rng.randint(1, 12)))
        ]
        assert linemodel.line_features(views) == expected_rows(views), views


def test_context_feature_rows_are_the_features_as_named():
    """Stage-2 rows from their definitions: the line's logit, its
    neighbours' (EDGE_LOGIT past either end), and the mean logits of the
    windows of 3 and 10 lines each side, cut at the page's ends."""
    import random

    from cleaner.steps.linemodel import CONTEXT_FEATURES, EDGE_LOGIT, context_features

    rng = random.Random(5)
    for _ in range(200):
        logits = [rng.uniform(-8, 8) for _ in range(rng.randint(1, 25))]
        n = len(logits)

        def at(m):
            return logits[m] if 0 <= m < n else EDGE_LOGIT

        def mean(k, radius):
            window = logits[max(0, k - radius) : k + radius + 1]
            return sum(window) / len(window)

        for k, row in enumerate(context_features(logits)):
            named = {
                "own": at(k), "prev1": at(k - 1), "next1": at(k + 1), "prev2": at(k - 2), "next2": at(k + 2),
                "mean_window_3": mean(k, 3), "mean_window_10": mean(k, 10),
                "min_adjacent": min(at(k - 1), at(k + 1)), "max_adjacent": max(at(k - 1), at(k + 1)),
            }
            assert row == pytest.approx([named[name] for name in CONTEXT_FEATURES], abs=1e-9), (logits, k)


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


def test_stoplists_are_read_as_justext_reads_them():
    """The stoplist files are read without importing jusText: every
    language's words are those `justext.get_stoplist` gives."""
    import justext

    from cleaner.steps.heuristics import STOPLIST_NAMES, _justext_stoplist

    assert len(set(STOPLIST_NAMES.values())) > 20
    for name in sorted(set(STOPLIST_NAMES.values())):
        assert _justext_stoplist(name) == justext.get_stoplist(name), name
