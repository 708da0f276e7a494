"""The package's data files (cleaner/data/), read by name.

Rules, thresholds and stoplist names are data; the steps that use them and
the rule-file loader (which checks the threshold names a rule file may set)
read them here, so neither depends on the other.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources


def read_toml(name: str) -> dict:
    return tomllib.loads(resources.files("cleaner").joinpath(f"data/{name}").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def heuristic_threshold_names() -> frozenset[str]:
    """The thresholds of the line heuristics (data/heuristics.toml), which a
    rule file's `[heuristics]` table may set for its source."""
    return frozenset(read_toml("heuristics.toml")["thresholds"])
