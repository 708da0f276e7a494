"""A batch of everything the web hands an ingest job, through the real command."""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_mixed_bad_batch_is_reported_file_by_file_and_inputs_stay_byte_identical(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(FIXTURES / "articles/harbour-ferry.txt", inputs / "good.txt")
    (inputs / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    sentence = "Le café de la gare a rouvert ses portes à la fin de l'été, après six mois de travaux sur le toit.\n"
    (inputs / "latin1.txt").write_bytes(sentence.encode("latin-1"))
    (inputs / "utf16.txt").write_bytes(
        "The harbour ferry carried its first passengers of the year on Monday after repairs.\n".encode("utf-16")
    )
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.txt").write_text("  \n\n\t\n")
    words = "the council met on tuesday and approved a budget for roads schools parks and libraries".split()
    rng = random.Random(0)
    (inputs / "huge.txt").write_text(" ".join(rng.choice(words) for _ in range(3_600_000)))  # over 20 MB, one line
    (inputs / "docs.jsonl").write_text(
        '{"id": 1, "text": "The bridge reopened on Monday after a month of repairs to its deck."}\n{not json\n'
    )
    before = digests(inputs)
    assert (inputs / "huge.txt").stat().st_size > 20_000_000

    report = tmp_path / "report.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "clean", str(inputs), "-o", str(tmp_path / "out"), "--report", str(report)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert run.returncode == 1  # some documents failed
    assert "Traceback" not in run.stderr
    records = {r["path"].removeprefix(str(inputs) + "/"): r for r in map(json.loads, report.read_text().splitlines())}
    assert {name: r["status"] for name, r in records.items()} == {
        "blank.txt": "error",
        "docs.jsonl:1": "ok",
        "docs.jsonl:2": "error",
        "empty.txt": "error",
        "good.txt": "ok",
        "huge.txt": "ok",
        "image.html": "error",
        "latin1.txt": "ok",
        "utf16.txt": "ok",
    }
    for name, record in records.items():
        if record["status"] == "error":
            assert f"{inputs / name}: {record['error']}" in run.stderr  # one line naming the file
    assert (tmp_path / "out/latin1.txt").read_text(encoding="utf-8") == sentence
    assert records["utf16.txt"]["encoding"] == "utf-16"
    assert digests(inputs) == before
