"""The contract every step keeps (after datatrove's `PipelineStep`).

A step has a `name` and is called with the `Document` on its way through
the pipeline; it returns its decisions, line number to `Decision`, for the
lines it claims, and may record what else it found on the document (the
lines as repaired or cut, the language, the spun score). It does not print,
read files or know about the command line. The pipeline applies the
decisions (the first step to claim a line decides it) and counts them by
step and reason as it goes, so the summary and the report never parse
reason strings.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Protocol

from ..result import Cut, Decision, Decoding, Language, Line, Repair, SpunResult

if TYPE_CHECKING:
    from ..rulefile import RuleSet

KEPT = Decision(True, "content")


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline."""

    text: str  # the text the lines were split from (extracted, for HTML)
    lines: list[Line]
    original: dict[int, str]  # each line as it was before repair and cuts (what `explain` shows)
    decoding: Decoding
    extracted: bool
    chars_in: int
    url: str | None = None
    source: str | None = None  # the source id asked for, if any
    decisions: dict[int, Decision] = field(default_factory=dict)
    #: Dropped lines by (step name, reason), counted as steps claim them.
    drops: Counter = field(default_factory=Counter)
    cuts: list[Cut] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_rules: RuleSet | None = None
    language: Language = Language(None, None, "detection turned off")
    spun: SpunResult = SpunResult(None, False, (), "not scored: spun scoring turned off")
    #: What steps that read the same lines again keep between their passes
    #: over this document, by the step's name.
    memo: dict[str, object] = field(default_factory=dict)

    def kept(self) -> list[Line]:
        """The non-blank lines no step has dropped."""
        decisions = self.decisions
        return [l for l in self.lines if not l.blank and decisions.get(l.number, KEPT).keep]

    def claim(self, step: str, found: dict[int, Decision]) -> None:
        """Apply a step's decisions to the lines no step has claimed yet."""
        self.claim_each(found, repeat(step))

    def claim_each(self, found: dict[int, Decision], steps: Iterable[str]) -> None:
        """`claim` for decisions of several steps: `steps` names each one's
        step, in the order of `found`."""
        decisions = self.decisions
        for (number, decision), step in zip(found.items(), steps):
            if number not in decisions:
                decisions[number] = decision
                if not decision.keep:
                    self.drops[step, decision.reason] += 1


class Step(Protocol):
    name: str

    def __call__(self, document: Document) -> dict[int, Decision]: ...
