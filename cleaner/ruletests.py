"""Run the `[[test]]` cases that rule files carry (used by the test suite and
by ``cleaner rules test``)."""
from __future__ import annotations

from .pipeline import Cleaner
from .rulefile import RuleSet


def run_rule_tests(cleaner: Cleaner, rule_set: RuleSet) -> list[str]:
    """The failures of `rule_set`'s test cases, one line each; [] if all pass.

    A `drop` line must be dropped by a rule of this file (or, if the file sets
    `[heuristics]` thresholds, by a heuristic): a line that some other step
    happens to drop does not prove the file's rule still works.
    """
    failures: list[str] = []
    source = None if rule_set.generic else rule_set.id
    for test in rule_set.tests:
        result = cleaner.clean(test.text, source=source, content_type="text/plain")
        labels: dict[str, list] = {}
        for label in result.labels:
            labels.setdefault(label.text.strip(), []).append(label)
        prefix = f"{rule_set.path}: test {test.name!r}"
        for line in test.keep:
            found = labels.get(line.strip())
            if not found:
                failures.append(f"{prefix}: keep line is not in the test text: {line!r}")
            elif not all(l.keep for l in found):
                reason = next(l.reason for l in found if not l.keep)
                failures.append(f"{prefix}: dropped ({reason}) but must be kept: {line!r}")
        for line in test.drop:
            found = labels.get(line.strip())
            if not found:
                failures.append(f"{prefix}: drop line is not in the test text: {line!r}")
                continue
            for label in found:
                if label.keep:
                    failures.append(f"{prefix}: kept but must be dropped: {line!r}")
                elif not _claimed_by(rule_set, label.reason):
                    failures.append(f"{prefix}: dropped by {label.reason}, not by this file: {line!r}")
        for phrase in test.absent:
            if phrase.casefold() in result.text.casefold():
                failures.append(f"{prefix}: {phrase!r} is still in the output")
    return failures


def _claimed_by(rule_set: RuleSet, reason: str) -> bool:
    return reason.startswith(f"rule:{rule_set.id}/") or (bool(rule_set.heuristics) and reason.startswith("heuristic:"))
