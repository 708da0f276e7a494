"""The spun scorer's evaluation: its spinners and typo maker, the
reproducibility of the shipped weights, thesaurus and neighbour table, and
its gates (leave-one-spinner-out, tortured phrases, the genre set)."""
from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
WORDNET = Path("/usr/share/wordnet")
NEEDS = {
    "WordNet (apt-get install wordnet-base)": (WORDNET / "data.noun").is_file(),
    "Aiksaurus (apt-get install libaiksaurus-1.2-data)": Path("/usr/share/aiksaurus/words.dat").is_file(),
    "a word list (apt-get install wamerican)": Path("/usr/share/dict/american-english").is_file(),
    "wordllama (pip install 'wordllama>=0.4,<0.5')": importlib.util.find_spec("wordllama") is not None,
}
needs_wordnet = pytest.mark.skipif(not NEEDS["WordNet (apt-get install wordnet-base)"], reason="WordNet not installed")
needs_spinners = pytest.mark.skipif(not all(NEEDS.values()), reason="missing: " + ", ".join(k for k, v in NEEDS.items() if not v))
needs_bench = pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
TEXT = ("The council approved the budget after a long debate, and the mayor said the new library "
        "would open next spring if the builders kept to their schedule and the weather stayed dry.")


@pytest.fixture(scope="module")
def spinners():
    from spinners import all_spinners

    return all_spinners()


@needs_spinners
def test_every_spinner_swaps_about_the_share_asked_for_and_repeats_itself(spinners):
    from spinner import TOKEN

    assert [s.name for s in spinners] == ["wordnet", "hypernym", "moby", "tortured", "vectors"]
    assert {s.source for s in spinners} == {"wordnet", "moby", "vectors"}
    words = TOKEN.findall(TEXT)
    for spinner in spinners:
        light, heavy = (spinner.spin(TEXT, share, random.Random(7)) for share in (0.2, 0.5))
        assert light != TEXT and heavy != TEXT, spinner.name
        # Words of the spun text that the original lacks (a phrase swap moves the rest).
        changed = lambda text: len(set(TOKEN.findall(text)) - set(words))  # noqa: E731
        assert changed(heavy) > changed(light) or spinner.name == "tortured", spinner.name
        assert spinner.spin(TEXT, 0.5, random.Random(7)) == heavy  # the same seed, the same text
        assert spinner.spin(TEXT, 0.0, random.Random(7)) == TEXT


@needs_spinners
def test_spinners_inflect_as_they_say(spinners):
    from spinners import Morphology

    morphology = Morphology()
    assert morphology.correct("study", "plural") == "studies" and morphology.correct("go", "past") == "went"
    assert morphology.correct("stop", "ing") == "stopping" and morphology.glued("study", "past") == "studyed"
    assert ("run", "base") in morphology.analyses("run", {"run"}) and ("box", "plural") in morphology.analyses("boxes", {"box"})


@needs_spinners
def test_the_tortured_spinner_swaps_both_words_of_common_pairs(spinners):
    tortured = next(s for s in spinners if s.name == "tortured")
    text = "The police said the big data project cost the city a lot of money last year."
    spun = tortured.spin(text, 1.0, random.Random(3))
    from spinner import TOKEN

    before, after = TOKEN.findall(text), TOKEN.findall(spun)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed and all((i - 1 in changed) or (i + 1 in changed) for i in changed)


def test_typos_change_letters_not_the_number_of_words():
    from spinner import add_typos

    typo = add_typos(TEXT, 0.3, random.Random(2))
    assert typo != TEXT and len(typo.split()) == len(TEXT.split())
    assert add_typos(TEXT, 0.0, random.Random(2)) == TEXT


def test_roc_auc_counts_ties_as_half():
    np = pytest.importorskip("numpy")
    import spun_eval

    assert spun_eval.roc_auc(np.array([2.0, 3.0]), np.array([1.0, 0.0])) == 1.0
    assert spun_eval.roc_auc(np.array([1.0]), np.array([1.0])) == 0.5
    assert spun_eval.roc_auc(np.array([0.0]), np.array([1.0, 2.0])) == 0.0


def test_tortured_set_pairs_each_paragraph_with_its_clean_twin():
    import spun_eval

    carrying, twins, halves = spun_eval.tortured_set()
    pairs = spun_eval.tortured_phrases()
    assert len(carrying) == len(twins) == len(pairs) and set(halves) == {0, 1}
    for text, twin, (tortured, original) in zip(carrying, twins, pairs):
        assert tortured in text and original in twin and text.replace(tortured, original) == twin


def test_genre_halves_are_stable_and_both_used():
    from genre_set import _evenly, half

    names = [f"man/man1/page{i}.1.gz" for i in range(200)]
    assert {half(n) for n in names} == {"dev", "test"} and [half(n) for n in names] == [half(n) for n in names]
    assert _evenly(list(range(10)), 3) == [0, 3, 6] and _evenly([1, 2], 5) == [1, 2]


@needs_wordnet
def test_build_script_rederives_the_shipped_thesaurus(tmp_path):
    import build_thesaurus

    out = tmp_path / "thesaurus.tsv.gz"
    assert build_thesaurus.main(["--wordnet", str(WORDNET), "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "cleaner" / "data" / "thesaurus.tsv.gz").read_bytes()


@pytest.mark.skipif(importlib.util.find_spec("wordllama") is None, reason="wordllama not installed")
def test_build_script_rederives_the_shipped_neighbours(tmp_path):
    import build_neighbours

    out = tmp_path / "neighbours.tsv.gz"
    assert build_neighbours.main(["--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "cleaner" / "data" / "neighbours.tsv.gz").read_bytes()


@pytest.mark.slow
@needs_spinners
@needs_bench
def test_evaluation_rederives_the_shipped_weights_and_holds_its_gates():
    pytest.importorskip("numpy")
    import spun_eval

    results = spun_eval.run(BENCH)
    shipped = (ROOT / "cleaner" / "data" / "spun_model.json").read_text(encoding="utf-8")
    assert spun_eval.model_json(results) == shipped
    # Held out, every spinner: clean paragraphs at most 1% flagged, typo-ridden 2%.
    for name, row in results["held_out"].items():
        assert row["flagged_clean"] <= 0.01 and row["flagged_typo"] <= 0.02, name
        assert row[f"auc_{name}50"] > row[f"auc_{name}20"] > 0.6, name
    figures = results["shipped"]
    assert figures["pages_flagged_clean"] == figures["pages_flagged_typo"] == 0.0
    assert figures["tortured_flagged"] >= 0.75 and figures["tortured_twins_flagged"] <= 0.02
    # In-source, the synonyms behind the likely original word do their work.
    assert figures["auc_wordnet50"] >= 0.95 and figures["auc_vectors50"] >= 0.95


@pytest.mark.slow
@needs_bench
def test_genre_false_alarms_stay_rare():
    pytest.importorskip("numpy")
    import genre_set
    import spun_eval

    from cleaner.steps import spun

    genres = genre_set.build(BENCH)
    assert set(genres) == {"docstrings", "man", "debian", "fortunes", "web", "man3", "readme"}
    score_document = lambda lines: spun.score_spun(lines, "en", 0.5)  # noqa: E731
    figures = spun_eval.genre_figures(genres, score_document, 0.5)
    for genre, row in figures.items():
        assert row["paragraphs"] >= 100 and row["documents"] >= 15, (genre, row)
        assert row["paragraphs_flagged"] <= 0.02 and row["documents_flagged"] <= 0.01, (genre, json.dumps(row))
