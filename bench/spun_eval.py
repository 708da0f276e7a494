#!/usr/bin/env python3
"""Evaluate the spun-text scorer, and fit its weights (cleaner/data/spun_model.json).

    python bench/spun_eval.py PATH [--write] [--seeds DIR]

PATH has a ``ground-truth.json`` of clean article bodies
(``{id: {"articleBody": str}}``, paragraphs separated by blank lines), as in
the article-extraction benchmark. Needs numpy and WordNet
(``apt-get install wordnet-base``) for the spinner in bench/spinner.py.

The labelled set: every English paragraph of at least MIN_WORDS words, four
times over:
  clean   as written                                            (negative)
  typo    with keyboard slips in 5% of the words of 4+ letters  (negative)
  spun20  about 20% of the replaceable words swapped            (positive)
  spun50  about 50% swapped                                     (positive)
Pages are split in two by their position in sorted id order: the weights are
fitted on the even pages and every figure printed is for the odd pages,
which the fit never saw. Positives are weighted so that the two classes
count the same; negatives then count NEGATIVE_WEIGHT times more, which buys
a low false-alarm rate at the default threshold.

Prints ROC AUC of spun20 and spun50 against clean + typo, and the share of
each set flagged at the default threshold; then, each held-out page's
paragraphs scored together as one document, the share of pages flagged and
the highest z (see cleaner/steps/spun.py) of a clean and a typo-ridden page.
Clean text's margin and spread per 100 words, which the document score
stands on, are measured on the training pages and shipped with the weights.
With --seeds, also the seeds' document scores and the share of gold spun
lines above the threshold.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_line_model import fit_logistic, standardise  # noqa: E402
from spinner import WordNet, add_typos, spin  # noqa: E402

import cleaner  # noqa: E402
from cleaner.steps import spun  # noqa: E402
from cleaner.result import Line  # noqa: E402
from cleaner.steps.language import LanguageDetector  # noqa: E402

MODEL_PATH = ROOT / "cleaner" / "data" / "spun_model.json"
MIN_WORDS = 30
TYPO_RATE = 0.05
SHARES = {"spun20": 0.2, "spun50": 0.5}
NEGATIVE_WEIGHT = 18.0
L2 = 1.0
# Passage rates are shrunk toward the document's as if the passage had this
# many more words of it (about one more paragraph); not fitted: the
# evaluation set has one paragraph per document.
SHRINK_WORDS = 300
SEED = 20261123
# The spinner leaves no typographic scars, so their weight cannot be fitted
# here; it is set by hand: a strong scar (weight 2) in 100 words multiplies
# the odds of spinning by e^2 (about 7), two of them by about 55.
SCAR_WEIGHT = 1.0
FITTED = tuple(name for name in spun.INPUTS if name != "scar")


def paragraphs(path: Path) -> list[tuple[int, str]]:
    """(page index, paragraph) for English paragraphs of MIN_WORDS+ words."""
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    detector = LanguageDetector()
    found = []
    for page, key in enumerate(sorted(truth)):
        for paragraph in truth[key]["articleBody"].split("\n\n"):
            paragraph = " ".join(paragraph.split())
            if len(paragraph.split()) >= MIN_WORDS and detector.detect(paragraph, len(paragraph)).code == "en":
                found.append((page, paragraph))
    return found


def labelled_set(path: Path) -> tuple[list[int], dict[str, list[str]]]:
    rng = random.Random(SEED)
    wordnet = WordNet()
    found = paragraphs(path)
    pages = [page for page, _ in found]
    texts = [text for _, text in found]
    sets = {"clean": texts, "typo": [add_typos(t, TYPO_RATE, rng) for t in texts]}
    for name, share in SHARES.items():
        sets[name] = [spin(t, share, wordnet, rng) for t in texts]
    return pages, sets


def feature_rows(evidence: list[spun.PassageEvidence], model: spun.SpunModel) -> np.ndarray:
    """One row per passage: the model inputs, in spun.INPUTS order."""
    rows = []
    for found in evidence:
        values = spun.feature_values(found, None, model)
        rows.append([values[name] for name in spun.INPUTS])
    return np.array(rows)


def clean_per_100_words(pages: list[spun.PassageEvidence], model: spun.SpunModel) -> dict[str, float]:
    """The margin (logit less bias) of clean text per 100 words, and its
    spread: the standard deviation of a page's margin about the mean, per
    square root of 100 words. Measured on whole pages, not paragraphs: a
    page repeats its own topic words, so its evidence varies more than
    independent words would (on the training pages by about a quarter)."""
    hundreds = np.array([page.words / 100.0 for page in pages])
    margins = np.array([spun.margin(spun.feature_values(page, None, model, min_words=0), model) for page in pages])
    mean = margins.sum() / hundreds.sum()
    spread = np.sqrt(((margins - mean * hundreds) ** 2).sum() / hundreds.sum())
    return {"margin": round(float(mean), 6), "spread": round(float(spread), 6)}


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive outscores a negative (ties count half)."""
    above = (positive[:, None] > negative[None, :]).mean()
    tied = (positive[:, None] == negative[None, :]).mean()
    return float(above + tied / 2)


def fit(rows: dict[str, np.ndarray], train: np.ndarray) -> tuple[dict[str, float], float]:
    """Logistic weights of the FITTED rates; the scar weight is fixed (SCAR_WEIGHT)."""
    columns = [spun.INPUTS.index(name) for name in FITTED]
    negatives = np.vstack([rows["clean"][train], rows["typo"][train]])[:, columns]
    positives = np.vstack([rows[name][train] for name in SHARES])[:, columns]
    X = np.vstack([negatives, positives])
    y = np.r_[np.zeros(len(negatives)), np.ones(len(positives))]
    weight = np.r_[np.full(len(negatives), NEGATIVE_WEIGHT), np.full(len(positives), len(negatives) / len(positives))]
    mean, scale = standardise(X)
    beta = fit_logistic((X - mean) / scale, y, weight / weight.mean(), L2)
    # Fold the standardisation into the weights: the scorer reads raw rates.
    weights = beta[1:] / scale
    bias = beta[0] - float(weights @ mean)
    fitted = {name: round(float(w), 6) for name, w in zip(FITTED, weights)}
    return {**fitted, "scar": SCAR_WEIGHT}, round(float(bias), 6)


def model_json(weights: dict[str, float], bias: float, clean: dict[str, float], figures: dict) -> str:
    return json.dumps(
        {
            "about": "Logistic weights of the spun-text scorer over evidence counts and words. "
            "Written by bench/spun_eval.py --write (see cleaner/steps/spun.py); figures are for held-out pages.",
            "weights": weights,
            "bias": bias,
            "min_words": MIN_WORDS,
            "shrink_words": SHRINK_WORDS,
            "clean_per_100_words": clean,
            "held_out": figures,
        },
        indent=2,
        sort_keys=True,
    ) + "\n"


def evaluate(rows: dict[str, np.ndarray], test: np.ndarray, model: spun.SpunModel, threshold: float) -> dict:
    """Paragraphs: AUCs and flag rates on the `test` rows, scored by the scorer's own `probability`."""
    scores = {
        name: np.array([spun.probability(dict(zip(spun.INPUTS, row)), model) for row in table[test]])
        for name, table in rows.items()
    }
    negative = np.concatenate([scores["clean"], scores["typo"]])
    figures = {f"auc_{name}": round(roc_auc(scores[name], negative), 4) for name in SHARES}
    figures.update({f"flagged_{name}": round(float((s >= threshold).mean()), 4) for name, s in scores.items()})
    figures["paragraphs"] = int(test.sum())
    return figures


def seed_figures(seeds: Path, threshold: float) -> list[str]:
    gold = json.loads((seeds / "gold.json").read_text(encoding="utf-8"))["documents"]
    tool = cleaner.Cleaner(spun_threshold=threshold)
    out = []
    for name, annotation in sorted(gold.items()):
        result = tool.clean((seeds / name).read_bytes())
        by_line = {p.line: p.score for p in result.spun.passages}
        spun_lines = annotation["spun_lines"]
        above = [line for line, score in by_line.items() if score >= threshold]
        if spun_lines:
            hit = sum(1 for line in spun_lines if by_line.get(line, 0.0) >= threshold)
            detail = f"{hit}/{len(spun_lines)} gold spun lines above"
        else:
            detail = f"{len(above)} lines above"
        out.append(f"{name}: document {result.spun.score} flagged={result.spun.flagged} (gold {annotation['spun']}), {detail}")
    return out


def evaluate_pages(sets: dict[str, list[str]], pages: list[int], test: np.ndarray, model: spun.SpunModel, threshold: float) -> dict:
    """Documents: each held-out page's paragraphs of a set, scored together as
    the pipeline scores a document; the share of pages flagged per set."""
    figures = {}
    for name, texts in sets.items():
        by_page: dict[int, list[Line]] = {}
        for page, text, held_out in zip(pages, texts, test):
            if held_out:
                lines = by_page.setdefault(page, [])
                lines.append(Line(2 * len(lines) + 1, text))
        flagged = [spun.score_spun(lines, "en", threshold, model).flagged for lines in by_page.values()]
        figures[f"pages_flagged_{name}"] = round(sum(flagged) / len(flagged), 4)
        if name in ("clean", "typo"):
            figures[f"pages_highest_z_{name}"] = round(max(spun.document_z(lines, model) for lines in by_page.values()), 2)
    return figures


def run(path: Path) -> tuple[dict[str, float], float, dict[str, float], dict]:
    """Build the labelled set from `path`, fit on the even pages, evaluate on the odd."""
    threshold = cleaner.Config().spun_threshold
    pages, sets = labelled_set(path)
    shipped = spun.load_spun_data()
    evidence = {name: [spun.passage_evidence(text, shipped) for text in texts] for name, texts in sets.items()}
    rows = {name: feature_rows(found, shipped) for name, found in evidence.items()}
    train = np.array([page % 2 == 0 for page in pages])
    weights, bias = fit(rows, train)
    # Clean text's statistics are measured with the fitted weights, on the
    # training pages' clean and typo copies; placeholders until then.
    unmeasured = {"margin": 0.0, "spread": 1.0}
    fitted = spun.model_from(shipped.artifacts, {
        "weights": weights, "bias": bias, "min_words": MIN_WORDS, "shrink_words": SHRINK_WORDS, "clean_per_100_words": unmeasured,
    })
    negative_pages: dict[tuple[str, int], spun.PassageEvidence] = {}
    for name in ("clean", "typo"):
        for page, found, fit_on in zip(pages, evidence[name], train):
            if fit_on:
                negative_pages.setdefault((name, page), spun.PassageEvidence()).add(found)
    clean = clean_per_100_words(list(negative_pages.values()), fitted)
    fitted = replace(fitted, clean_margin=clean["margin"], clean_spread=clean["spread"])
    figures = evaluate(rows, ~train, fitted, threshold)
    figures.update(evaluate_pages(sets, pages, ~train, fitted, threshold))
    figures["pages"] = len(set(pages))
    return weights, bias, clean, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="folder with ground-truth.json")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.relative_to(ROOT)}")
    parser.add_argument("--seeds", type=Path, help="also score the seed articles against their gold.json (with the model as written)")
    args = parser.parse_args(argv)

    threshold = cleaner.Config().spun_threshold
    weights, bias, clean, figures = run(args.path)
    print(f"{figures['pages']} pages; fitted on the even ones, figures for {figures['paragraphs']} paragraphs of the odd ones")
    print(f"weights {weights}, bias {bias}")
    print(f"ROC AUC  spun20 {figures['auc_spun20']:.3f}   spun50 {figures['auc_spun50']:.3f}   (against clean + typo)")
    print(f"flagged at {threshold}: " + "   ".join(f"{name} {figures['flagged_' + name]:.1%}" for name in ("clean", "typo", *SHARES)))
    print(f"clean text per 100 words: margin {clean['margin']:.3f}, spread {clean['spread']:.3f}")
    print("pages flagged as documents: " + "   ".join(f"{name} {figures['pages_flagged_' + name]:.1%}" for name in ("clean", "typo", *SHARES))
          + f"   (highest z: clean {figures['pages_highest_z_clean']}, typo {figures['pages_highest_z_typo']})")
    if args.write:
        MODEL_PATH.write_text(model_json(weights, bias, clean, figures), encoding="utf-8")
        spun.load_spun_data.cache_clear()
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
    if args.seeds:
        for line in seed_figures(args.seeds, threshold):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
