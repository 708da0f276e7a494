"""The layering written in pyproject.toml holds (import-linter), and the
check fails when an adapter imports another."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

LINT = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")
needs_linter = pytest.mark.skipif(LINT is None, reason="import-linter not installed (pip install -e '.[test]')")


def lint(tree) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})


@needs_linter
def test_the_layers_hold():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 kept, 0 broken" in done.stdout


@needs_linter
@pytest.mark.parametrize(
    "module, line",
    [
        ("checking.py", "from . import htmlreport  # an adapter importing another"),
        ("steps/spun.py", "from .. import batch  # a step importing the batch"),
        ("records.py", "from . import pipeline  # core data importing the pipeline"),
    ],
)
def test_the_check_fails_when_a_module_imports_above_its_layer(tmp_path, module, line):
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "cleaner", tree / "cleaner", ignore=shutil.ignore_patterns("__pycache__", "data", "rules"))
    shutil.copy(ROOT / "pyproject.toml", tree)
    with open(tree / "cleaner" / module, "a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")
    done = lint(tree)
    assert done.returncode != 0 and "BROKEN" in done.stdout
