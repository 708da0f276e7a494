"""An installed wheel, away from the checkout, finds its rule files and data."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

import cleaner
from conftest import ROOT


def test_distribution_name_version_and_licence():
    """The distribution is scrape-cleaner ("cleaner" on PyPI is another
    project), its version is read from cleaner/__init__.py, and the licence
    the metadata names is the LICENSE file's."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "scrape-cleaner"
    assert project["project"]["dynamic"] == ["version"] and "version" not in project["project"]
    assert project["tool"]["hatch"]["version"]["path"] == "cleaner/__init__.py"
    assert project["project"]["scripts"]["cleaner"] == "cleaner.cli:main"
    assert project["project"]["license"] == {"text": "MIT"}
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 The cleaner authors\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence


@pytest.mark.slow
def test_wheel_ships_rules_and_data_and_runs_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("scrape_cleaner-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    metadata = zipfile.ZipFile(wheel).read(f"scrape_cleaner-{cleaner.__version__}.dist-info/METADATA").decode()
    assert "Name: scrape-cleaner\n" in metadata and f"Version: {cleaner.__version__}\n" in metadata
    assert f"scrape_cleaner-{cleaner.__version__}.dist-info/licenses/LICENSE" in names
    assert "cleaner/rules/generic.toml" in names
    assert "cleaner/data/heuristics.toml" in names and "cleaner/data/spun_artifacts.toml" in names
    assert "cleaner/data/thesaurus.tsv.gz" in names and "cleaner/data/spun_model.json" in names
    assert "cleaner/data/neighbours.tsv.gz" in names and "cleaner/data/tortured_phrases.tsv" in names

    target = tmp_path / "site"
    # As `pip install scrape-cleaner` from an index: by its name, from a
    # folder of distributions standing in for the index.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--no-index", "--find-links", str(wheels),
         "--target", str(target), "scrape-cleaner"],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "doc.txt").write_text(
        "Skip to main content\n\nThe harbour ferry carried its first passengers of the year on Monday after repairs.\n",
        encoding="utf-8",
    )
    script = (
        "import cleaner, sys\n"
        "from cleaner.rulefile import builtin_rules_dir\n"
        "print(cleaner.__file__)\n"
        "print(builtin_rules_dir())\n"
        "sys.exit(cleaner.cli.main(['clean', 'doc.txt', '-o', 'out', '--jobs', '1']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", "import cleaner.cli\n" + script], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    package_file, rules_dir = run.stdout.split("\n")[:2]
    assert package_file.startswith(str(target)) and rules_dir == str(target / "cleaner" / "rules")
    assert (elsewhere / "out/doc.txt").read_text(encoding="utf-8").startswith("The harbour ferry")
