"""Language detection: langdetect-rs, when installed, answers as langdetect
does (the project's inner loops over langdetect's own profiles)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.steps.assemble import split_lines
from cleaner.steps.language import (
    _ENOUGH_LETTERS,
    BACKEND_ENVIRONMENT,
    MIN_LETTERS,
    LanguageDetector,
    backend,
    prose_sample,
)
from conftest import FIXTURES, ROOT, SEEDS

BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev" / "text"
needs_rust = pytest.mark.skipif(importlib.util.find_spec("langdetect_rs") is None, reason="langdetect-rs not installed")


def samples() -> list[tuple[str, str]]:
    paths = sorted(BENCH.glob("*.txt")) + sorted(SEEDS.glob("*.txt")) + sorted((FIXTURES / "articles").glob("*.txt"))
    found = []
    for path in paths:
        text = path.read_bytes().decode("utf-8", "replace")
        found.append((path.name, prose_sample(split_lines(text), 2000)))
    for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found.append((record["id"], (record.get("text") or record.get("html"))[:2000]))
    # Other languages, and texts too short or too odd to tell.
    found += [("de", "Der Gemeinderat hat am Dienstag den Haushalt für Straßen und Schulen beschlossen."),
              ("ru", "Городской совет во вторник утвердил бюджет на дороги и школы."),
              ("zh", "市议会周二批准了道路和学校的预算，新图书馆将于明年春天开放。"),
              ("digits", "1234 5678 9012 3456 7890 1234 5678"), ("short", "ok")]
    return found


@needs_rust
def test_both_backends_give_the_same_answers():
    rust, python = LanguageDetector("rust"), LanguageDetector("python")
    checked = samples()
    assert len(checked) >= 20
    for name, sample in checked:
        assert rust.detect(sample, 2000) == python.detect(sample, 2000), name


def test_the_backend_can_be_chosen_and_a_wrong_name_is_refused(monkeypatch):
    monkeypatch.setenv(BACKEND_ENVIRONMENT, "python")
    assert backend() == "python"
    monkeypatch.setenv(BACKEND_ENVIRONMENT, "cobol")
    with pytest.raises(ValueError, match="cobol"):
        backend()
    with pytest.raises(ValueError):
        LanguageDetector("cobol")


@needs_rust
def test_a_whole_run_is_the_same_with_either_backend(tmp_path):
    def run(name: str) -> bytes:
        out = tmp_path / name
        env = {**os.environ, "PYTHONPATH": str(ROOT), BACKEND_ENVIRONMENT: name}
        done = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(FIXTURES), "-o", str(out), "--jobs", "1",
                               "--report", str(tmp_path / f"{name}.jsonl")], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and ".cleaner-state" not in p.parts)

    assert run("rust") == run("python")
    reports = [(tmp_path / f"{name}.jsonl").read_text().replace(str(tmp_path / name), "") for name in ("rust", "python")]
    assert reports[0] == reports[1]


@given(st.text(alphabet=st.sampled_from("aZé1_ .\n\u00bd\u0301\u4e2d-"), max_size=60))
def test_enough_letters_is_found_exactly_when_there_are(text):
    """The early-stopping search answers as counting every letter would,
    around the threshold too (digits, "_", "½" and combining marks are not letters)."""
    assert (_ENOUGH_LETTERS.search(text) is not None) == (len(re.findall(r"[^\W\d_]", text)) >= MIN_LETTERS)


@pytest.mark.parametrize("piece", ["a1", "é_", "中 ", "Z\u0301"])
def test_enough_letters_at_the_threshold(piece):
    """One letter short of the threshold, and exactly at it."""
    assert _ENOUGH_LETTERS.search(piece * (MIN_LETTERS - 1)) is None
    assert _ENOUGH_LETTERS.search(piece * MIN_LETTERS) is not None


def test_the_prose_sample_takes_the_longest_lines_in_document_order():
    lines = split_lines("aaaa\n\nbb\ncccc\nddd\ne\n")
    # Of two lines of one length, the first in the document comes first.
    assert prose_sample(lines, 4) == "aaaa"
    # The two longest lines, then no more: eight characters reach the
    # budget of six.
    assert prose_sample(lines, 6) == "aaaa\ncccc"
    assert prose_sample(lines, 9) == "aaaa\ncccc\nddd"
    assert prose_sample(lines, 100) == "aaaa\nbb\ncccc\nddd\ne"
    assert prose_sample([], 100) == ""
