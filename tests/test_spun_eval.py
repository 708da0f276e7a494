"""The spun scorer's evaluation: the spinner and typo maker it uses, the
reproducibility of the shipped weights and thesaurus, and its gates."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
WORDNET = Path("/usr/share/wordnet")
needs_wordnet = pytest.mark.skipif(not (WORDNET / "data.noun").is_file(), reason="WordNet not installed (apt-get install wordnet-base)")
TEXT = ("The council approved the budget after a long debate, and the mayor said the new library "
        "would open next spring if the builders kept to their schedule and the weather stayed dry.")


@pytest.fixture(scope="module")
def wordnet():
    from spinner import WordNet

    return WordNet(WORDNET)


@needs_wordnet
def test_spinner_swaps_about_the_share_asked_for(wordnet):
    from spinner import TOKEN, replaceable, spin

    replaceable_words = [w for w in TOKEN.findall(TEXT) if replaceable(wordnet, w)]
    for share in (0.2, 0.5):
        spun = spin(TEXT, share, wordnet, random.Random(1))
        changed = sum(1 for a, b in zip(TOKEN.findall(TEXT), TOKEN.findall(spun)) if a != b)
        assert spun != TEXT and changed >= round(share * len(replaceable_words)) * 0.5
    assert spin(TEXT, 0.0, wordnet, random.Random(1)) == TEXT


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


@needs_wordnet
def test_build_script_rederives_the_shipped_thesaurus(tmp_path):
    import build_thesaurus

    out = tmp_path / "thesaurus.tsv.gz"
    assert build_thesaurus.main(["--wordnet", str(WORDNET), "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "cleaner" / "data" / "thesaurus.tsv.gz").read_bytes()


@needs_wordnet
@pytest.mark.skipif(not BENCH.is_dir(), reason="development benchmark pages not found")
def test_evaluation_rederives_the_shipped_weights_and_keeps_false_alarms_rare():
    pytest.importorskip("numpy")
    import spun_eval

    weights, bias, clean, figures = spun_eval.run(BENCH)
    shipped = (ROOT / "cleaner" / "data" / "spun_model.json").read_text(encoding="utf-8")
    assert spun_eval.model_json(weights, bias, clean, figures) == shipped
    # The targets, on held-out pages.
    assert figures["flagged_clean"] <= 0.02 and figures["flagged_typo"] <= 0.03
    assert figures["auc_spun50"] >= 0.97 and figures["auc_spun20"] >= 0.90
    # Whole pages: no clean or typo-ridden page is flagged as a spun document.
    assert figures["pages_flagged_clean"] == figures["pages_flagged_typo"] == 0.0
