#!/usr/bin/env python3
"""Fit the block model (cleaner/data/block_model.json) on a benchmark folder.

    python bench/fit_block_model.py PATH [--write] [--l2 1.0]

PATH has the layout bench/aeb.py reads (ground-truth.json, html/<id>.html.gz).
Needs numpy (a development tool; the package does not).

What it does:
1. Cuts each page into blocks and reads them as HTML mode does
   (cleaner/steps/extract.py: `page_tables`), and labels each block: article
   text if at least half of its word 4-grams are found in the page's ground
   truth, in the page's order (`htmlblocks.coverage`, the reading that also
   places the extractions' text on the blocks).
2. Fits one weighted logistic regression (L2, Newton's method) on all the
   blocks, each weighted by its share of its page's words, so every page
   counts the same, as in the benchmark metric. A block is kept when its
   probability reaches 0.5: the threshold is not tuned.
3. The honest estimate, leave one site out: each site group's pages
   (`aeb.site_groups`) are selected by a model fitted on the other groups
   alone and scored with the benchmark metric (the blocks' text, before the
   line steps; bench/aeb.py scores HTML mode as a whole the same way).
With --write, the model fitted on all pages is written with that figure.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aeb import load, score, site_groups  # noqa: E402
from fit_line_model import fit_logistic, standardise, weights_file  # noqa: E402

from cleaner.steps import htmlblocks  # noqa: E402
from cleaner.steps.blockmodel import EXTRACTIONS, BlockModel  # noqa: E402
from cleaner.steps.decode import decode  # noqa: E402
from cleaner.steps.extract import PageTables, page_tables, select_blocks  # noqa: E402

MODEL_PATH = ROOT / "cleaner" / "data" / "block_model.json"
# A block is article text if at least this share of it is in the ground truth.
LABEL_SHARE = 0.5
THRESHOLD = 0.5


class Pages:
    """The development pages as HTML mode reads them, with their labels."""

    def __init__(self, path: Path) -> None:
        self.truth, self.urls = load(path)
        self.ids = sorted(self.truth)
        self.site = site_groups(path)
        self.html = {k: decode(gzip.decompress((path / "html" / f"{k}.html.gz").read_bytes()))[0] for k in self.ids}
        self.tables: dict[str, PageTables] = {}
        self.fit_rows: dict[str, dict] = {}
        for k in self.ids:
            tables = page_tables(self.html[k], self.urls[k]) or PageTables([], [], "")
            self.tables[k] = tables
            words = [htmlblocks._WORD.findall(b.text) for b in tables.blocks]
            label = np.array(htmlblocks.coverage(words, self.truth[k])) >= LABEL_SHARE
            count = np.array([max(len(w), 1) for w in words], dtype=float)
            self.fit_rows[k] = {
                "X": np.array(tables.rows, dtype=float).reshape(len(tables.rows), -1),
                "y": label.astype(float),
                "w": count / max(count.sum(), 1.0),
            }


def fit(pages: Pages, ids: list[str], l2: float) -> BlockModel:
    rows = [pages.fit_rows[k] for k in ids if len(pages.fit_rows[k]["y"])]
    X = np.vstack([r["X"] for r in rows])
    mean, scale = standardise(X)
    beta = fit_logistic((X - mean) / scale, np.concatenate([r["y"] for r in rows]), np.concatenate([r["w"] for r in rows]), l2)
    return BlockModel(tuple(beta.tolist()), tuple(mean.tolist()), tuple(scale.tolist()), THRESHOLD)


def fit_leaving_out_sites(pages: Pages, l2: float = 1.0) -> dict[str, BlockModel]:
    """For each site group, the model fitted on the other groups' pages."""
    return {site: fit(pages, [k for k in pages.ids if pages.site[k] != site], l2) for site in sorted(set(pages.site.values()))}


def select_left_out(pages: Pages, models: dict[str, BlockModel]) -> dict[str, str]:
    return {k: select_blocks(pages.tables[k], models[pages.site[k]]) for k in pages.ids}


def model_json(model: BlockModel, path: Path, held_out: dict, pages: int, l2: float) -> str:
    return weights_file(
        "block model", path, pages, held_out, l2, model.threshold,
        extractions=list(EXTRACTIONS), features=list(htmlblocks.feature_names(EXTRACTIONS)),
        weights=model.weights, means=model.means, scales=model.scales,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the (standardised) weights")
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    pages = Pages(args.path)
    held_out = score(pages.truth, select_left_out(pages, fit_leaving_out_sites(pages, args.l2)))
    model = fit(pages, pages.ids, args.l2)
    fitted = score(pages.truth, {k: select_blocks(pages.tables[k], model) for k in pages.ids})
    groups = len(set(pages.site.values()))
    print(f"leave one site out ({groups} site groups, {len(pages.ids)} pages): " + ", ".join(f"{k} {v:.3f}" for k, v in held_out.items()))
    print("fitted on all pages (optimistic): " + ", ".join(f"{k} {v:.3f}" for k, v in fitted.items()))
    if args.write:
        MODEL_PATH.write_text(model_json(model, args.path, held_out, len(pages.ids), args.l2), encoding="utf-8")
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
