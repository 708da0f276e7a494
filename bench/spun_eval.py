#!/usr/bin/env python3
"""Evaluate the spun-text scorer against spinners it was not fitted on, and
fit its weights (cleaner/data/spun_model.json).

    python bench/spun_eval.py PATH [--write] [--seeds DIR] [--genres FILE] [--as-shipped]

PATH has a ``ground-truth.json`` of clean article bodies
(``{id: {"articleBody": str}}``, paragraphs separated by blank lines), as in
the article-extraction benchmark. Needs numpy, WordNet, Aiksaurus and a word
list (``apt-get install wordnet-base libaiksaurus-1.2-data wamerican``) and
the ``wordllama`` wheel, for the spinners in bench/spinners.py.

The labelled set: every English paragraph of at least MIN_WORDS words, as
written (clean), with keyboard slips in 5% of its words of 4+ letters
(typo), and spun by each spinner at about 20% and 50% of the words it can
replace. Pages are split in two by their position in sorted id order: the
weights are fitted on the even pages and every figure is for the odd pages.

Leave-one-spinner-out, first: for each spinner, the weights are fitted
without it and without every spinner that draws from the same source, and
the scorer's tables leave that source out too (when the scorer ships it);
that spinner's held-out paragraphs and pages are then scored. This is what
to expect of a spinner nobody fitted for. Then the shipped model (fitted
on every spinner) on the same held-out pages; tortured phrases in
paragraphs written for this (with the scorer's list, and with each
phrase's half of the list left out); 40-80-word paragraphs scored alone as
documents; the genre false-alarm set (bench/genre_set.py), its test half;
and with --seeds the seed articles.

--as-shipped scores everything with the scorer as installed, through
`score_text` and `score_spun` only, without fitting: the figures of a
build that has none of this script's other hooks.
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
if "--as-shipped" not in sys.argv:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_line_model import fit_logistic, standardise  # noqa: E402
from spinner import add_typos  # noqa: E402

import cleaner  # noqa: E402
from cleaner.result import Line  # noqa: E402
from cleaner.steps import spun  # noqa: E402
from cleaner.steps.language import LanguageDetector  # noqa: E402

MODEL_PATH = ROOT / "cleaner" / "data" / "spun_model.json"
TORTURED_PATH = ROOT / "cleaner" / "data" / "tortured_phrases.tsv"
MIN_WORDS = 30
TYPO_RATE = 0.05
SHARES = {"20": 0.2, "50": 0.5}
NEGATIVE_WEIGHT = 50.0
L2 = 1.0
SHRINK_WORDS = 300
SEED = 20261123
# Short paragraphs, scored alone as whole documents: "a heavily spun
# paragraph of 40 to 80 words is caught on its own evidence".
SHORT_WORDS = (40, 80)


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


def labelled_set(path: Path, spinners: list) -> tuple[list[int], dict[str, list[str]]]:
    rng = random.Random(SEED)
    found = paragraphs(path)
    pages = [page for page, _ in found]
    texts = [text for _, text in found]
    sets = {"clean": texts, "typo": [add_typos(t, TYPO_RATE, rng) for t in texts]}
    for spinner in spinners:
        for suffix, share in SHARES.items():
            sets[spinner.name + suffix] = [spinner.spin(t, share, rng) for t in texts]
    return pages, sets


# --- tortured phrases ------------------------------------------------------------------

# Paragraphs written for this evaluation, in the register where tortured
# phrases are found (methods and results of applied research); {term} is
# where an established term, or its tortured form, goes.
TORTURED_TEMPLATES = (
    "In this study we apply {term} to the problem of sorting satellite images of farmland by crop. "
    "The images were collected over three growing seasons, labelled by hand, and split into a training "
    "part and a test part. Our results show a clear gain over the older methods that the survey describes.",
    "Recent work has turned to {term} for predicting when hospital patients will need intensive care. "
    "We describe the records we used, how missing values were handled, and how the model was checked "
    "against doctors' own judgements on a sample of two hundred admissions from the same year.",
    "The second section reviews the literature on {term} and the reasons it became popular in industry. "
    "We then explain the setting of our experiments, the hardware on which they ran, and the measures we "
    "report, so that others can repeat the work with the code and the data we publish.",
    "A common objection to {term} is that its results are hard to explain to the people who rely on them. "
    "To answer it, we compare the decisions of our system with those of trained staff on the same cases, "
    "and we discuss the cases where the two disagree and why they do.",
    "We tested {term} on data from forty weather stations along the coast, recorded every ten minutes for "
    "five years. The stations differ in their equipment and their upkeep, so the first step was to clean "
    "the records and to remove the days on which a sensor had clearly failed.",
    "Table 2 lists the settings used with {term} in every experiment. They were chosen on a separate "
    "validation sample, never on the test data, and we report the mean and the spread of ten runs, "
    "each started from a different random seed, so that a lucky run cannot decide the comparison.",
    "Our contribution is a simple way to combine {term} with the measurements that engineers already "
    "take during routine inspections of bridges. It needs no new instruments, runs on an ordinary laptop, "
    "and flagged every crack that the inspectors later confirmed on site.",
    "The method rests on {term}, which has been studied for many years but rarely in small schools. "
    "We worked with twelve teachers who used it with their classes for a full term, and we interviewed "
    "them at the start and at the end about what changed in their lessons.",
)


def tortured_phrases(path: Path = TORTURED_PATH) -> list[tuple[str, str]]:
    """(tortured phrase, the term it replaced) from the scorer's list."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            tortured, original = line.split("\t")
            pairs.append((tortured, original))
    return pairs


def tortured_set() -> tuple[list[str], list[str], list[int]]:
    """Paragraphs carrying one tortured phrase, their clean twins (the
    established term in its place), and each pair's half of the list
    (0 or 1, by its position) for the held-out reading."""
    carrying, twins, halves = [], [], []
    for k, (tortured, original) in enumerate(tortured_phrases()):
        template = TORTURED_TEMPLATES[k % len(TORTURED_TEMPLATES)]
        carrying.append(template.format(term=tortured))
        twins.append(template.format(term=original))
        halves.append(k % 2)
    return carrying, twins, halves


# --- scoring as shipped ----------------------------------------------------------------


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a positive outscores a negative (ties count half)."""
    above = (positive[:, None] > negative[None, :]).mean()
    tied = (positive[:, None] == negative[None, :]).mean()
    return float(above + tied / 2)


def as_document(texts: list[str]) -> list[Line]:
    return [Line(2 * i + 1, text) for i, text in enumerate(texts)]


def set_figures(scores: dict[str, np.ndarray], names: list[str], threshold: float) -> dict:
    negative = np.concatenate([scores["clean"], scores["typo"]])
    figures = {f"flagged_{name}": round(float((scores[name] >= threshold).mean()), 4) for name in ("clean", "typo", *names)}
    figures.update({f"auc_{name}": round(roc_auc(scores[name], negative), 4) for name in names})
    return figures


def page_figures(sets: dict[str, list[str]], pages: list[int], test: np.ndarray, threshold: float, score_document) -> dict:
    """Each held-out page's paragraphs of a set scored together as a document."""
    figures = {}
    for name, texts in sets.items():
        by_page: dict[int, list[str]] = {}
        for page, text, held_out in zip(pages, texts, test):
            if held_out:
                by_page.setdefault(page, []).append(text)
        flagged = [score_document(as_document(group)).flagged for group in by_page.values()]
        figures[f"pages_flagged_{name}"] = round(sum(flagged) / len(flagged), 4)
    return figures


def short_figures(sets: dict[str, list[str]], test: np.ndarray, score_document, threshold: float) -> dict:
    """Held-out paragraphs of 40-80 words, each scored alone as a whole document."""
    clean = sets["clean"]
    keep = [i for i, held_out in enumerate(test) if held_out and SHORT_WORDS[0] <= len(clean[i].split()) <= SHORT_WORDS[1]]
    figures = {"short_paragraphs": len(keep)}
    for name, texts in sets.items():
        if name in ("clean", "typo") or name.endswith("50"):
            flagged = [score_document(as_document([texts[i]])).passages[0].score >= threshold for i in keep]
            figures[f"short_flagged_{name}"] = round(sum(flagged) / len(flagged), 4)
    return figures


def genre_figures(genres: dict[str, dict[str, list[str]]], score_document, threshold: float) -> dict:
    """Per genre, test half: the share of paragraphs of MIN_WORDS+ words
    whose passage reaches the threshold, scored in their document and
    scored alone, and the share of documents flagged."""
    from genre_set import half

    figures = {}
    for genre, documents in genres.items():
        flagged_paragraphs = flagged_alone = paragraphs_seen = flagged_documents = documents_seen = 0
        for name, texts in documents.items():
            if half(name) != "test":
                continue
            lines = as_document(texts)
            result = score_document(lines)
            long_lines = {line.number for line in lines if len(line.text.split()) >= MIN_WORDS}
            paragraphs_seen += len(long_lines)
            flagged_paragraphs += sum(1 for p in result.passages if p.line in long_lines and p.score >= threshold)
            # (A line of figures or symbols has no words, so no passage.)
            flagged_alone += sum(
                1 for line in lines
                if line.number in long_lines and any(p.score >= threshold for p in score_document([line]).passages)
            )
            documents_seen += 1
            flagged_documents += bool(result.flagged)
        figures[genre] = {
            "paragraphs": paragraphs_seen,
            "paragraphs_flagged": round(flagged_paragraphs / max(paragraphs_seen, 1), 4),
            "paragraphs_alone_flagged": round(flagged_alone / max(paragraphs_seen, 1), 4),
            "documents": documents_seen,
            "documents_flagged": round(flagged_documents / max(documents_seen, 1), 4),
        }
    return figures


def tortured_figures(score_text, threshold: float, score_text_without=None) -> dict:
    carrying, twins, halves = tortured_set()
    figures = {
        "tortured_paragraphs": len(carrying),
        "tortured_flagged": round(float(np.mean([score_text(t) >= threshold for t in carrying])), 4),
        "tortured_twins_flagged": round(float(np.mean([score_text(t) >= threshold for t in twins])), 4),
    }
    if score_text_without is not None:
        held = [score_text_without(t, h) >= threshold for t, h in zip(carrying, halves)]
        figures["tortured_flagged_phrase_held_out"] = round(float(np.mean(held)), 4)
    return figures


def seed_figures(seeds: Path, threshold: float) -> list[str]:
    gold = json.loads((seeds / "gold.json").read_text(encoding="utf-8"))["documents"]
    tool = cleaner.Cleaner(spun_threshold=threshold)
    out = []
    for name, annotation in sorted(gold.items()):
        data = (seeds / name).read_bytes()
        result = tool.clean(data)
        by_line = {p.line: p.score for p in result.spun.passages}
        spun_lines = annotation["spun_lines"]
        above = [line for line, score in by_line.items() if score >= threshold]
        if spun_lines:
            hit = sum(1 for line in spun_lines if by_line.get(line, 0.0) >= threshold)
            text_lines = data.decode("utf-8").split("\n")
            alone = sum(
                1 for line in spun_lines
                if spun.score_spun([Line(1, text_lines[line - 1])], "en", threshold).passages[0].score >= threshold
            )
            detail = f"{hit}/{len(spun_lines)} gold spun lines above, {alone}/{len(spun_lines)} scored alone"
        else:
            detail = f"{len(above)} lines above"
        out.append(f"{name}: document {result.spun.score} flagged={result.spun.flagged} (gold {annotation['spun']}), {detail}")
    return out


def as_shipped(path: Path, genres: dict | None, seeds: Path | None) -> dict:
    """Every figure of the scorer as installed, through its public functions."""
    from spinners import all_spinners

    threshold = cleaner.Config().spun_threshold
    spinners = all_spinners()
    pages, sets = labelled_set(path, spinners)
    test = np.array([page % 2 == 1 for page in pages])
    score_document = lambda lines: spun.score_spun(lines, "en", threshold)  # noqa: E731
    scores = {name: np.array([spun.score_text(t) for t, held in zip(texts, test) if held]) for name, texts in sets.items()}
    figures = {"paragraphs": int(test.sum()), "pages": len(set(pages))}
    for spinner in spinners:
        names = [spinner.name + suffix for suffix in SHARES]
        figures[spinner.name] = set_figures(scores, names, threshold)
    figures.update(page_figures(sets, pages, test, threshold, score_document))
    figures.update(short_figures(sets, test, score_document, threshold))
    figures.update(tortured_figures(spun.score_text, threshold))
    if genres is not None:
        figures["genres"] = genre_figures(genres, score_document, threshold)
    return figures


# --- fitting, and leave-one-spinner-out ------------------------------------------------


def feature_rows(texts: list[str], model) -> np.ndarray:
    """One row per passage: the model inputs, in spun.INPUTS order."""
    rows = []
    for text in texts:
        values = spun.feature_values(spun.passage_evidence(text, model), None, model)
        rows.append([values[name] for name in spun.INPUTS])
    return np.array(rows)


def fit(
    rows: dict[str, np.ndarray], train: np.ndarray, positives: list[str], inputs: tuple[str, ...] = spun.INPUTS
) -> tuple[dict[str, float], float]:
    """Logistic weights of `inputs` (rows hold spun.INPUTS); hand-set ones
    keep their weight."""
    fitted = [name for name in inputs if name not in spun.HAND_SET_WEIGHTS]
    columns = [spun.INPUTS.index(name) for name in fitted]
    negatives = np.vstack([rows["clean"][train], rows["typo"][train]])[:, columns]
    positive = np.vstack([rows[name][train] for name in positives])[:, columns]
    X = np.vstack([negatives, positive])
    y = np.r_[np.zeros(len(negatives)), np.ones(len(positive))]
    weight = np.r_[np.full(len(negatives), NEGATIVE_WEIGHT), np.full(len(positive), len(negatives) / len(positive))]
    mean, scale = standardise(X)
    beta = fit_logistic((X - mean) / scale, y, weight / weight.mean(), L2)
    weights = beta[1:] / scale
    bias = beta[0] - float(weights @ mean)
    found = {name: round(float(w), 6) for name, w in zip(fitted, weights)}
    return {**found, **{k: w for k, w in spun.HAND_SET_WEIGHTS.items() if k in inputs}}, round(float(bias), 6)


def clean_per_100_words(texts: dict[str, list[str]], pages: list[int], train: np.ndarray, model) -> dict[str, float]:
    """Clean text's document-model margin per 100 words and its page-to-page
    spread, on the training pages' clean and typo-ridden copies (see
    spun.py). Measured on whole pages, not paragraphs: a page repeats its
    own topic words, so its evidence varies more than independent words
    would."""
    grouped: dict[tuple[str, int], spun.PassageEvidence] = {}
    for name in ("clean", "typo"):
        for page, text, fit_on in zip(pages, texts[name], train):
            if fit_on:
                grouped.setdefault((name, page), spun.PassageEvidence()).add(spun.passage_evidence(text, model))
    documents = list(grouped.values())
    hundreds = np.array([d.words / 100.0 for d in documents])
    margins = np.array([spun.document_margin(spun.feature_values(d, None, model, min_words=0), model) for d in documents])
    mean = margins.sum() / hundreds.sum()
    spread = np.sqrt(((margins - mean * hundreds) ** 2).sum() / hundreds.sum())
    return {"margin": round(float(mean), 6), "spread": round(float(spread), 6)}


def fitted_model(base, sets, pages, train, positives, rows):
    """The paragraph model and the document model fitted on the `train`
    pages, and the document model's clean statistics measured there."""
    weights, bias = fit(rows, train, positives)
    document_weights, _ = fit(rows, train, positives, spun.DOCUMENT_INPUTS)
    fitted = {
        "weights": weights, "bias": bias, "min_words": MIN_WORDS, "shrink_words": SHRINK_WORDS,
        "document": {"weights": document_weights, "clean_per_100_words": {"margin": 0.0, "spread": 1.0}},
    }
    model = spun.model_from(base.artifacts, fitted, base.phrases, base.sources)
    clean = clean_per_100_words(sets, pages, train, model)
    fitted["document"]["clean_per_100_words"] = clean
    return replace(model, clean_margin=clean["margin"], clean_spread=clean["spread"]), fitted


def probabilities(rows: np.ndarray, model) -> np.ndarray:
    return np.array([spun.probability(dict(zip(spun.INPUTS, row)), model) for row in rows])


def run(path: Path, genres: dict | None = None) -> dict:
    """Leave-one-spinner-out rows, then the shipped model's fit and figures."""
    from spinners import all_spinners

    threshold = cleaner.Config().spun_threshold
    spinners = all_spinners()
    pages, sets = labelled_set(path, spinners)
    train = np.array([page % 2 == 0 for page in pages])
    test = ~train
    base = spun.load_spun_data()
    results: dict = {"paragraphs": int(test.sum()), "pages": len(set(pages)), "held_out": {}}
    rows_by_sources: dict[tuple[str, ...], dict[str, np.ndarray]] = {}

    def rows_for(sources: tuple[str, ...]) -> dict[str, np.ndarray]:
        if sources not in rows_by_sources:
            model = replace(base, sources=sources)
            rows_by_sources[sources] = {name: feature_rows(texts, model) for name, texts in sets.items()}
        return rows_by_sources[sources]

    for held in spinners:
        sources = tuple(s for s in spun.ALL_SOURCES if s != held.source)
        rows = rows_for(sources)
        positives = [s.name + suffix for s in spinners if s.source != held.source for suffix in SHARES]
        model, _ = fitted_model(replace(base, sources=sources), sets, pages, train, positives, rows)
        names = [held.name + suffix for suffix in SHARES]
        scores = {name: probabilities(rows[name][test], model) for name in ("clean", "typo", *names)}
        row = set_figures(scores, names, threshold)
        row["scorer_sources"] = list(sources)
        row["fitted_on"] = sorted({s.name for s in spinners if s.source != held.source})
        held_sets = {name: sets[name] for name in ("clean", "typo", *names)}
        score_document = lambda lines, m=model: spun.score_spun(lines, "en", threshold, m)  # noqa: E731
        row.update(page_figures(held_sets, pages, test, threshold, score_document))
        row.update(short_figures(held_sets, test, score_document, threshold))
        results["held_out"][held.name] = row

    # The shipped model: every spinner, every source.
    rows = rows_for(spun.ALL_SOURCES)
    positives = [s.name + suffix for s in spinners for suffix in SHARES]
    model, fitted = fitted_model(base, sets, pages, train, positives, rows)
    names = [name for name in sets if name not in ("clean", "typo")]
    scores = {name: probabilities(rows[name][test], model) for name in sets}
    shipped = set_figures(scores, names, threshold)
    score_document = lambda lines: spun.score_spun(lines, "en", threshold, model)  # noqa: E731
    shipped.update(page_figures(sets, pages, test, threshold, score_document))
    shipped.update(short_figures(sets, test, score_document, threshold))
    score_text = lambda text: spun.score_text(text, model)  # noqa: E731
    halves = [model_without_half(model, h) for h in (0, 1)]
    shipped.update(tortured_figures(score_text, threshold, lambda text, h: spun.score_text(text, halves[h])))
    if genres is not None:
        shipped["genres"] = genre_figures(genres, score_document, threshold)
    results["shipped"] = shipped
    results["model"] = fitted
    return results


def model_without_half(model, half: int):
    """The model with one half of the tortured-phrase list left out (the
    pairs at even or odd positions of the file)."""
    pairs = tortured_phrases()
    dropped = {tortured for k, (tortured, _) in enumerate(pairs) if k % 2 == half}
    return replace(model, phrases=spun.phrase_table({t: o for t, o in pairs if t not in dropped}))


def model_json(results: dict) -> str:
    held_out = {name: {k: v for k, v in row.items() if not isinstance(v, list)} for name, row in results["held_out"].items()}
    return json.dumps(
        {
            "about": "Logistic weights of the spun-text scorer over evidence counts and words: the paragraph "
            "model, and the document model with clean text's margin and spread per 100 words. Written by "
            "bench/spun_eval.py --write (see cleaner/steps/spun.py); figures are for held-out pages: "
            "leave_one_spinner_out first, each row fitted without that spinner and its source.",
            **results["model"],
            "leave_one_spinner_out": held_out,
        },
        indent=2,
        sort_keys=True,
    ) + "\n"


def print_table(title: str, rows: dict[str, dict], threshold: float) -> None:
    print(title)
    print(f"  {'spinner':10} {'AUC 20%':>8} {'AUC 50%':>8} {'flag 20%':>9} {'flag 50%':>9} {'clean':>7} {'typo':>7}"
          f" {'pages 50%':>10} {'short 50%':>10}")
    for name, row in rows.items():
        print(f"  {name:10} {row.get(f'auc_{name}20', float('nan')):8.3f} {row.get(f'auc_{name}50', float('nan')):8.3f}"
              f" {row.get(f'flagged_{name}20', float('nan')):9.1%} {row.get(f'flagged_{name}50', float('nan')):9.1%}"
              f" {row['flagged_clean']:7.1%} {row['flagged_typo']:7.1%}"
              f" {row.get(f'pages_flagged_{name}50', float('nan')):10.1%} {row.get(f'short_flagged_{name}50', float('nan')):10.1%}")


def print_rest(figures: dict) -> None:
    print(f"pages flagged, clean {figures.get('pages_flagged_clean', float('nan')):.1%}, typo {figures.get('pages_flagged_typo', float('nan')):.1%};"
          f" short paragraphs ({figures.get('short_paragraphs')}) alone: clean {figures.get('short_flagged_clean', float('nan')):.1%},"
          f" typo {figures.get('short_flagged_typo', float('nan')):.1%}")
    line = (f"tortured phrases: {figures['tortured_flagged']:.1%} of {figures['tortured_paragraphs']} paragraphs flagged,"
            f" clean twins {figures['tortured_twins_flagged']:.1%}")
    if "tortured_flagged_phrase_held_out" in figures:
        line += f"; with the phrase's half of the list left out {figures['tortured_flagged_phrase_held_out']:.1%}"
    print(line)
    for genre, row in figures.get("genres", {}).items():
        print(f"genre {genre:11} paragraphs {row['paragraphs_flagged']:6.1%} of {row['paragraphs']:5}"
              f" (alone {row['paragraphs_alone_flagged']:6.1%}),"
              f" documents {row['documents_flagged']:6.1%} of {row['documents']:4}  (test half)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="folder with ground-truth.json")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.relative_to(ROOT)}")
    parser.add_argument("--seeds", type=Path, help="also score the seed articles against their gold.json")
    parser.add_argument("--genres", type=Path, help="the genre set (bench/genre_set.py --out); built if the file is missing")
    parser.add_argument("--no-genres", action="store_true", help="skip the genre set")
    parser.add_argument("--as-shipped", action="store_true", help="score with the installed scorer as it is, without fitting")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)

    import genre_set

    threshold = cleaner.Config().spun_threshold
    genres = None if args.no_genres else genre_set.load(args.genres, args.path)
    if args.genres and genres is not None and not args.genres.exists():
        genre_set.main(["--bench", str(args.path), "--out", str(args.genres)])
    if args.as_shipped:
        figures = as_shipped(args.path, genres, args.seeds)
        rows = {name: figures[name] for name in ("wordnet", "hypernym", "moby", "tortured", "vectors")}
        for name, row in rows.items():
            row.update({k: v for k, v in figures.items() if k.startswith(("pages_flagged_", "short_flagged_")) and name in k})
        print_table(f"the scorer as installed, on {figures['paragraphs']} held-out paragraphs of {figures['pages']} pages' odd half:", rows, threshold)
        print_rest(figures)
    else:
        results = run(args.path, genres)
        print_table(f"leave one spinner out ({results['paragraphs']} held-out paragraphs; each row fitted without that spinner"
                    " and its source's spinners, the scorer's tables without its source):", results["held_out"], threshold)
        shipped = results["shipped"]
        rows = {}
        for name in results["held_out"]:
            rows[name] = {k: v for k, v in shipped.items() if not isinstance(v, dict)}
        print_table("the shipped model (fitted on every spinner), same held-out pages:", rows, threshold)
        print_rest(shipped)
        print(f"model {json.dumps(results['model'])}")
        if args.write:
            MODEL_PATH.write_text(model_json(results), encoding="utf-8")
            spun.load_spun_data.cache_clear()
            print(f"wrote {MODEL_PATH.relative_to(ROOT)}")
        figures = results
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    if args.seeds:
        for line in seed_figures(args.seeds, threshold):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
