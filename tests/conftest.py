"""Shared test fixtures: paths to the project's fixtures and to the seeds."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cleaner import Cleaner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The seed documents live in the shared folder beside the checkout; tests that
# read them skip when it is absent (e.g. in an sdist). CLEANER_SEEDS overrides.
SEEDS = Path(os.environ.get("CLEANER_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not (SEEDS / "gold.json").is_file():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS


def load_annotation(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["documents"]
