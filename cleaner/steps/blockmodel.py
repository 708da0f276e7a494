"""The block model: a fitted score of how likely a block of an HTML page is article text.

One logistic regression over what `htmlblocks.block_features` reads of a
block: its text, its place in the HTML (tags, class and id words, link
density, depth, position), and what two extractions of the page say of it
and of the blocks around it (trafilatura's and readability's, see
``extract.py``). The weights are data (``data/block_model.json``), fitted on
the development pages by ``bench/fit_block_model.py``, which also prints the
figure of each site's pages selected by a model fitted without that site.
"""
from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .htmlblocks import feature_names

#: The extractions whose text the features read, in their order.
EXTRACTIONS = ("trafilatura", "readability")


@dataclass(frozen=True)
class BlockModel:
    """Weights on standardised features: (x - mean) / scale; bias first."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    threshold: float  # keep a block whose probability reaches this

    @property
    def folded(self) -> tuple[float, tuple[float, ...]]:
        """The same model on raw features (standardising is linear)."""
        coefficients = tuple(w / s for w, s in zip(self.weights[1:], self.scales))
        return self.weights[0] - sum(c * m for c, m in zip(coefficients, self.means)), coefficients

    def probabilities(self, rows: list[list[float]]) -> list[float]:
        bias, coefficients = _folded(self)
        out = []
        for row in rows:
            z = bias + sum(map(operator.mul, coefficients, row))
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out


@lru_cache(maxsize=8)
def _folded(model: BlockModel) -> tuple[float, tuple[float, ...]]:
    return model.folded


@lru_cache(maxsize=1)
def load_block_model() -> BlockModel:
    raw = json.loads(resources.files("cleaner").joinpath("data/block_model.json").read_text(encoding="utf-8"))
    if tuple(raw["extractions"]) != EXTRACTIONS or tuple(raw["features"]) != feature_names(EXTRACTIONS):
        raise ValueError("data/block_model.json was fitted for other features: run bench/fit_block_model.py again")
    return BlockModel(tuple(raw["weights"]), tuple(raw["means"]), tuple(raw["scales"]), float(raw["threshold"]))
