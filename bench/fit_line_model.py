#!/usr/bin/env python3
"""Fit the line model (cleaner/data/line_model.json) on a benchmark folder.

    python bench/fit_line_model.py PATH [--write] [--folds 10] [--l2 1.0]

PATH has the layout bench/aeb.py reads (ground-truth.json and text/<id>.txt).
Needs numpy (a development tool; the package does not).

What it does:
1. Runs each page through the pipeline up to the line model (decode, repair,
   rules, language, the heuristics' first pass) and labels each line: article
   text if its words appear, in order, in the page's ground-truth body.
   The pipeline runs its context steps again on what they kept until nothing
   more goes (that is what makes cleaning idempotent), so the model also sees
   each page as that second pass does: the lines a first-round model kept.
   Both views of a page stay in the same fold.
2. Stage 1: weighted logistic regression (L2, Newton's method) on the lines
   the first pass left undecided, each line weighted by its share of the
   page's words, so every page counts the same, as in the benchmark metric.
3. Stage 2: the same on the stage-1 logits around each line, fitted on
   out-of-fold stage-1 logits (stacking), so it learns from scores like
   those it will see on sites it never saw: the folds are site groups
   (`aeb.site_groups`), never pages of one site on both sides.
4. The threshold (applied to prose-like lines) maximises the F1 of
   page-averaged, words-weighted precision and recall of out-of-fold
   predictions, averaged the way the benchmark averages.
5. The honest estimate, leave one site out: for each site group (a site, or
   sites that share a page template), its pages are cleaned by the real
   pipeline with a model fitted on the other groups alone, and all pages are
   scored with the benchmark metric. Pages of one site share a template, so
   holding out single pages would let the model learn a site's layout from
   its other pages. That figure, not the fit on all pages, says what to
   expect on sites nobody tuned for.
With --write, the model fitted on all pages is written with these figures.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aeb import load, score, site_groups  # noqa: E402

import cleaner  # noqa: E402
from cleaner.steps import linemodel  # noqa: E402
from cleaner.steps.heuristics import (  # noqa: E402
    GOOD,
    HeuristicsData,
    classify_lines,
    line_views,
    load_heuristics_data,
    stoplist_for,
)

MODEL_PATH = ROOT / "cleaner" / "data" / "line_model.json"
_TOKEN = re.compile(r"\w+")


def norm(text: str) -> str:
    return " " + " ".join(_TOKEN.findall(text)).casefold() + " "


class Pages:
    """The development pages and what fitting reads of them, worked out once:
    the steps before the heuristics do not depend on the model, and the
    first-pass tables not either, so every fold reuses them."""

    def __init__(self, path: Path, data: HeuristicsData | None = None) -> None:
        self.truth, urls = load(path)
        self.ids = sorted(self.truth)
        self.texts = {k: (path / "text" / f"{k}.txt").read_bytes() for k in self.ids}
        self.site = site_groups(path)
        names = sorted(set(self.site.values()))
        self.group = {k: names.index(self.site[k]) for k in self.ids}
        self.data = data or load_heuristics_data()
        # Spun scoring changes no line's fate unless told to drop: off, for speed.
        self.tool = cleaner.Cleaner(line_model=linemodel.neutral_model(), heuristics_data=self.data, score_spun=False)
        self._fronts: dict[str, cleaner.pipeline.FrontResult] = {}
        self._first: dict[str, dict] = {}

    def front(self, k: str) -> cleaner.pipeline.FrontResult:
        if k not in self._fronts:
            self._fronts[k] = self.tool.front_steps(self.texts[k], content_type="text/plain")
        return self._fronts[k]

    def first_table(self, k: str) -> dict:
        if k not in self._first:
            self._first[k] = {**page_table(self.tool, self.front(k), self.truth[k], self.data), "group": self.group[k]}
        return self._first[k]

    def second_table(self, k: str) -> dict:
        """The page as the next context pass sees it with `self.tool.line_model`."""
        return {**page_table(self.tool, self.front(k), self.truth[k], self.data, second_pass=True), "group": self.group[k]}

    def clean(self, k: str) -> str:
        return self.tool.clean(self.texts[k], content_type="text/plain").text


def page_table(
    tool: cleaner.Cleaner, front: cleaner.pipeline.FrontResult, body: str, data: HeuristicsData, second_pass: bool = False
) -> dict:
    """The page's lines as the model sees them in the first context pass, or
    (`second_pass`) in the next one, after `tool` has dropped what it drops."""
    lines, decided = front.lines, front.decisions
    if second_pass:
        dropped = {**decided, **tool._label_in_context(front, passes=1)}
        lines = [l for l in lines if not l.blank and dropped.get(l.number, cleaner.pipeline.KEPT).keep]
        decided = {n: d for n, d in decided.items() if d.keep}
    infos = classify_lines(lines, decided, data, stoplist_for(front.language.code))
    views = line_views(infos)
    truth = norm(body)
    label = np.array([norm(v.text) != "  " and norm(v.text) in truth for v in views], dtype=float)
    words = np.array([max(v.words, 1) for v in views], dtype=float)
    eligible = np.array([not v.hard_bad for v in views])
    good = np.array([i.cls == GOOD for i in infos])
    weight = words / max(words[eligible].sum(), 1.0)
    return {"X": np.array(linemodel.line_features(views)), "y": label, "w": weight, "eligible": eligible, "good": good}


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; bias first."""
    A = np.hstack([np.ones((len(X), 1)), X])
    beta = np.zeros(A.shape[1])
    penalty = np.full(A.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(A @ beta, -30, 30)))
        gradient = A.T @ (w * (p - y)) + penalty * beta
        hessian = (A * (w * p * (1 - p))[:, None]).T @ A + np.diag(penalty) + 1e-9 * np.eye(A.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def standardise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_model(pages: list[dict], l2: float, folds: int) -> linemodel.LineModel:
    """Stage 1 on all tables; stage 2 on out-of-fold stage-1 logits (a table's
    fold is its page's, `p["group"] % folds`)."""
    stacked = np.vstack([p["X"][p["eligible"]] for p in pages])
    mean1, scale1 = standardise(np.vstack([p["X"] for p in pages]))
    y = np.concatenate([p["y"][p["eligible"]] for p in pages])
    w = np.concatenate([p["w"][p["eligible"]] for p in pages])
    beta1 = fit_logistic((stacked - mean1) / scale1, y, w, l2)

    # Out-of-fold stage-1 logits for every line of every page.
    oof: list[np.ndarray] = [np.zeros(len(p["y"])) for p in pages]
    for fold in range(folds):
        train = [p for p in pages if p["group"] % folds != fold]
        Xt = np.vstack([p["X"][p["eligible"]] for p in train])
        beta = fit_logistic(
            (Xt - mean1) / scale1,
            np.concatenate([p["y"][p["eligible"]] for p in train]),
            np.concatenate([p["w"][p["eligible"]] for p in train]),
            l2,
        )
        for i, p in enumerate(pages):
            if p["group"] % folds == fold:
                oof[i] = beta[0] + ((p["X"] - mean1) / scale1) @ beta[1:]
    contexts = [np.array(linemodel.context_features(list(o))) for o in oof]
    mean2, scale2 = standardise(np.vstack(contexts))
    C = np.vstack([c[p["eligible"]] for c, p in zip(contexts, pages)])
    beta2 = fit_logistic((C - mean2) / scale2, y, w, l2)

    # Threshold: the best F1 of page-averaged precision and recall (the
    # benchmark's way of averaging) over out-of-fold stage-2 scores of the
    # prose-like lines, each line weighted by its words.
    per_page = []
    for c, p in zip(contexts, pages):
        z = beta2[0] + ((c - mean2) / scale2) @ beta2[1:]
        mask = p["eligible"] & p["good"]
        if mask.any():
            per_page.append((1 / (1 + np.exp(-z[mask])), p["y"][mask], p["w"][mask]))
    best, threshold = -1.0, 0.5
    for t in np.arange(0.05, 0.96, 0.01):
        precisions, recalls = [], []
        for probs, labels, weights in per_page:
            kept = probs >= t
            tp = (weights * kept * labels).sum()
            if kept.any():
                precisions.append(tp / (weights * kept).sum())
            if labels.any():
                recalls.append(tp / (weights * labels).sum())
        precision = float(np.mean(precisions)) if precisions else 0.0
        recall = float(np.mean(recalls)) if recalls else 0.0
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        if f1 > best:
            best, threshold = f1, float(t)
    return linemodel.LineModel(
        tuple(beta1.tolist()),
        tuple(beta2.tolist()),
        round(threshold, 2),
        tuple(mean1.tolist()) + tuple(mean2.tolist()),
        tuple(scale1.tolist()) + tuple(scale2.tolist()),
    )


def fit_two_rounds(pages: Pages, ids: list[str], l2: float, folds: int) -> linemodel.LineModel:
    """Round 1 on the first-pass views of `ids`; round 2 on those and the
    second-pass views that the round-1 model leads to."""
    first = [pages.first_table(k) for k in ids]
    pages.tool.line_model = fit_model(first, l2, folds)
    second = [pages.second_table(k) for k in ids]
    return fit_model(first + second, l2, folds)


def fit_leaving_out_sites(pages: Pages, l2: float = 1.0, folds: int = 10) -> dict[str, linemodel.LineModel]:
    """For each site group, the model fitted on the other groups' pages."""
    models = {}
    for site in sorted(set(pages.site.values())):
        models[site] = fit_two_rounds(pages, [k for k in pages.ids if pages.site[k] != site], l2, folds)
    return models


def clean_left_out(pages: Pages, models: dict[str, linemodel.LineModel]) -> dict[str, str]:
    """Each page cleaned with the model its site never saw."""
    predictions = {}
    for k in pages.ids:
        pages.tool.line_model = models[pages.site[k]]
        predictions[k] = pages.clean(k)
    return predictions


def fit(path: Path, folds: int = 10, l2: float = 1.0) -> tuple[linemodel.LineModel, dict, dict]:
    """The model fitted on every page of `path`, its leave-one-site-out
    figures, and its figures on the pages it was fitted on."""
    pages = Pages(path)
    held_out = score(pages.truth, clean_left_out(pages, fit_leaving_out_sites(pages, l2, folds)))
    model = fit_two_rounds(pages, pages.ids, l2, folds)
    pages.tool.line_model = model
    fitted = score(pages.truth, {k: pages.clean(k) for k in pages.ids})
    return model, held_out, fitted


def weights_file(script: str, path: Path, pages: int, held_out: dict, l2: float, threshold: float, **fields) -> str:
    """A fitted model's data file: what wrote it, on what it was fitted, its
    leave-one-site-out F1, and `fields` (the weights, as lists of floats)."""
    head = {
        "about": f"{script.capitalize()} weights, written by bench/fit_{script.replace(' ', '_')}.py; see its docstring.",
        "fitted_on": f"{pages} pages of {path.name}",
        "leave_one_site_out_f1": round(held_out["f1"], 4),
        "l2": l2,
        "threshold": threshold,
    }
    rounded = {k: [round(x, 6) for x in v] if k.endswith(("weights", "means", "scales")) else v for k, v in fields.items()}
    return json.dumps({**head, **rounded}, indent=1) + "\n"


def model_json(model: linemodel.LineModel, path: Path, held_out: dict, pages: int, l2: float) -> str:
    return weights_file(
        "line model", path, pages, held_out, l2, model.threshold,
        line_features=list(linemodel.LINE_FEATURES), context_features=list(linemodel.CONTEXT_FEATURES),
        line_weights=model.line_weights, context_weights=model.context_weights, means=model.means, scales=model.scales,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--folds", type=int, default=10, help="site-group folds of the stacking step")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the (standardised) weights")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    model, held_out, fitted = fit(args.path, args.folds, args.l2)
    pages = len(load(args.path)[0])
    sites = len(set(site_groups(args.path).values()))
    print(f"leave one site out ({sites} site groups, {pages} pages): " + ", ".join(f"{k} {v:.3f}" for k, v in held_out.items()))
    print("fitted on all pages (optimistic): " + ", ".join(f"{k} {v:.3f}" for k, v in fitted.items()))
    print(f"threshold {model.threshold}")
    if args.write:
        MODEL_PATH.write_text(model_json(model, args.path, held_out, pages, args.l2), encoding="utf-8")
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
