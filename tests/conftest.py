"""Shared test fixtures: paths to the project's fixtures and to the seeds."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from cleaner import Cleaner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The seed documents live in the shared folder beside the checkout; tests that
# read them skip when it is absent (e.g. in an sdist). CLEANER_SEEDS overrides.
SEEDS = Path(os.environ.get("CLEANER_SEEDS", ROOT.parent / "shared" / "seeds"))


_TEST_CACHE: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Built tables are cached in a folder of the test run's own (the
    commands the tests start inherit it), removed at the end, never in the
    user's cache; a run with CLEANER_CACHE_DIR set keeps that."""
    global _TEST_CACHE
    if "CLEANER_CACHE_DIR" not in os.environ:
        _TEST_CACHE = os.environ["CLEANER_CACHE_DIR"] = tempfile.mkdtemp(prefix="cleaner-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_CACHE is not None:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)


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
