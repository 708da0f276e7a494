"""Fuzzing: hypothesis on the rule-file loader, and atheris (where it
installs) on the whole clean() call and the loader."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, RuleFileError
from cleaner.rulefile import load_rule_file
from conftest import ROOT

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEYS = ["id", "pattern", "start", "end", "description", "case_sensitive", "hosts", "fingerprints", "generic", "text", "keep", "drop", "absent", "name", "bogus"]
TABLES = ["source", "heuristics"]
ARRAYS = ["keep", "drop", "drop_block", "cut", "test", "other"]
value = st.one_of(
    st.text(max_size=20),
    st.integers(-5, 50),
    st.booleans(),
    st.lists(st.text(max_size=10), max_size=3),
    st.sampled_from(["(", "[a-", "x*", "^home$", "a{2,1}", "(?P<n>x)", "\\", "generic"]),
)
table = st.dictionaries(st.sampled_from(KEYS), value, max_size=5)


def toml_string(text: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_string(x) for x in v) + "]"
    return toml_string(v)


@st.composite
def rule_files(draw) -> str:
    parts = []
    for name in draw(st.lists(st.sampled_from(TABLES), unique=True, max_size=2)):
        parts.append(f"[{name}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in draw(table).items()))
    for name in draw(st.lists(st.sampled_from(ARRAYS), max_size=4)):
        parts.append(f"[[{name}]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in draw(table).items()))
    return "\n".join(parts)


@SETTINGS
@given(rule_files())
def test_any_generated_rule_file_loads_or_is_refused_with_a_rule_file_error(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        rule_set = load_rule_file(path)
    except RuleFileError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    cleaner = Cleaner(builtin_rules=False, rules_dirs=())
    cleaner.rule_sets.append(rule_set)
    if rule_set.generic:
        cleaner.generic_rules.append(rule_set)
    cleaner.clean("Home\nThe council met on Tuesday and approved the budget for the year.\n")


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_a_rule_file_load_or_are_refused(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        load_rule_file(path)
    except RuleFileError:
        pass


@pytest.mark.slow
@pytest.mark.parametrize("target, runs", [("clean", 1500), ("rulefile", 3000)])
def test_atheris_fuzz_run_finds_nothing(tmp_path, target, runs):
    pytest.importorskip("atheris")
    command = [sys.executable, str(ROOT / "tests/fuzz/fuzz_targets.py"), target]
    flags = [f"-runs={runs}", "-seed=1", "-max_len=2000", f"-artifact_prefix={tmp_path}/"]
    run = subprocess.run(
        command + flags,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr[-3000:]
