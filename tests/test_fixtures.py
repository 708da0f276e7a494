"""The project's own fixtures against their annotation (fixtures/expected.json)."""
from __future__ import annotations

import pytest

from annotated import mismatches
from cleaner.steps.decode import decode
from cleaner.steps.extract import extract_html
from conftest import FIXTURES, load_annotation

ANNOTATION = load_annotation(FIXTURES / "expected.json")


@pytest.mark.parametrize("name", sorted(ANNOTATION))
def test_fixture_matches_annotation(cleaner, name):
    expected = ANNOTATION[name]
    path = FIXTURES / name
    data = path.read_bytes()
    if path.suffix == ".html":
        result = cleaner.clean(data, content_type="text/html")
        lines = extract_html(data.decode("utf-8")).split("\n")
    else:
        result = cleaner.clean(data)
        lines = decode(data)[0].split("\n")
    assert mismatches(result, lines, expected) == []
    assert result.language.code == expected["language"]
    if expected["spun"] is None:
        assert result.spun.score is None and "not covered" in result.spun.reason
    else:
        assert result.spun.flagged is expected["spun"]


def test_every_fixture_is_annotated():
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.suffix in {".txt", ".html"}}
    assert on_disk == set(ANNOTATION)


def test_mojibake_fixture_is_repaired(cleaner):
    result = cleaner.clean((FIXTURES / "articles/mojibake-cafe.txt").read_bytes())
    assert "Café owners" in result.text
    assert "didn’t know" in result.text  # curly apostrophe restored, not straightened
    assert "Tom & Jerry" in result.text
    assert "Ã" not in result.text and "â€" not in result.text
    assert {r.line for r in result.repairs} == {1, 3, 5, 7, 9}


def test_legacy_encoded_fixture_is_decoded(cleaner):
    result = cleaner.clean((FIXTURES / "articles/village-shop-cp1252.txt").read_bytes())
    assert result.decoding.method == "detected"
    assert result.text.startswith("Café prices")
    assert "took over the café" in result.text
