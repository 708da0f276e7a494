"""spun: score passages for signs of an article spinner.

This scorer reads only typographic scars and spinner filler (see
``data/spun_artifacts.toml``): cheap, explainable, and blind to the synonym
swaps themselves, which a fuller scorer can add as more evidence in the same
shape. Each kept paragraph gets a score from the weight of its evidence per
100 words; the document's score is the same over all its paragraphs.

The evidence tables are English: other languages get no score, with the reason.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..result import Line, SpunPassage, SpunResult

_WORD = re.compile(r"\w+")
COVERED_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class Artifact:
    name: str
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class SpunData:
    artifacts: tuple[Artifact, ...]
    scale: float
    min_words: int


@lru_cache(maxsize=1)
def load_spun_data() -> SpunData:
    raw = tomllib.loads(resources.files("cleaner").joinpath("data/spun_artifacts.toml").read_text(encoding="utf-8"))
    artifacts = tuple(Artifact(a["name"], re.compile(a["pattern"]), float(a["weight"])) for a in raw["artifact"])
    return SpunData(artifacts, float(raw["scale"]), int(raw["min_words"]))


def _score(weight: float, words: int, data: SpunData) -> float:
    per_100_words = 100.0 * weight / max(words, data.min_words)
    return round(1.0 - math.exp(-per_100_words / data.scale), 3)


def score_spun(
    lines: list[Line], language: str | None, threshold: float, data: SpunData | None = None
) -> SpunResult:
    """Score the kept `lines`; `language` is the detected language code."""
    if language is not None and language not in COVERED_LANGUAGES:
        return SpunResult(None, False, (), f"not applicable: language {language!r} is not covered (English only)")
    if language is None:
        return SpunResult(None, False, (), "not applicable: language unknown")
    data = data or load_spun_data()
    passages: list[SpunPassage] = []
    total_weight = 0.0
    total_words = 0
    for line in lines:
        words = len(_WORD.findall(line.text))
        total_words += words
        evidence: list[str] = []
        weight = 0.0
        for artifact in data.artifacts:
            for match in artifact.pattern.finditer(line.text):
                evidence.append(f"{artifact.name}: {match.group(0).strip()!r}")
                weight += artifact.weight
        if evidence:
            total_weight += weight
            passages.append(SpunPassage(line.number, _score(weight, words, data), tuple(evidence)))
    document = _score(total_weight, total_words, data) if total_words else 0.0
    return SpunResult(document, document >= threshold, tuple(passages))
