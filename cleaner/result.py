"""What the pipeline decides, as plain data.

Every step returns values of these types; `CleanResult` gathers them. Nothing
here does any cleaning. `CleanResult.to_dict()` is the report record.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the text being cleaned; `number` is 1-based."""

    number: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class Decision:
    """A step's verdict on one line: keep or drop, and why.

    `reason` is countable (``rule:generic/skip-link``, ``heuristic:caption``,
    ``dedupe:repeated``); `detail` is for people (which line it repeats, say).
    """

    keep: bool
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LineLabel:
    """A line of the input with its final decision (what `explain` prints)."""

    line: int
    text: str
    keep: bool
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DroppedLine:
    line: int
    text: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Cut:
    """A phrase cut out of a kept line (inline spam)."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Repair:
    """What the repair step changed on one line: ftfy's steps, as `action:parameter`."""

    line: int
    fixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decoding:
    """How bytes became text. `method` is one of: ``str`` (given text),
    ``bom``, ``utf-8``, ``detected``, ``fallback`` (undecodable bytes replaced)."""

    encoding: str
    method: str
    replaced: int = 0


@dataclass(frozen=True, slots=True)
class SpunPassage:
    line: int
    score: float
    evidence: tuple[str, ...]
    #: The score reaches the configured threshold (set once, by the spun step).
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class SpunResult:
    """The spun-text verdict. `score` is None when it does not apply
    (`reason` says why, e.g. a language the reference data does not cover)."""

    score: float | None
    flagged: bool
    passages: tuple[SpunPassage, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Language:
    code: str | None
    confidence: float | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CleanResult:
    """A cleaned document: its text and every decision that made it.
    `dropped_by_step` counts the dropped lines by the step that dropped them
    (``{"rules": 3, "heuristics": 12}``), as the pipeline counted them."""

    text: str
    source: str | None
    language: Language
    spun: SpunResult
    labels: tuple[LineLabel, ...]
    cuts: tuple[Cut, ...] = ()
    repairs: tuple[Repair, ...] = ()
    decoding: Decoding = Decoding("utf-8", "str")
    extracted: bool = False
    chars_in: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    dropped_by_step: tuple[tuple[str, int], ...] = ()

    @property
    def dropped(self) -> tuple[DroppedLine, ...]:
        return tuple(DroppedLine(l.line, l.text, l.reason, l.detail) for l in self.labels if not l.keep)

    @property
    def chars_out(self) -> int:
        return len(self.text)

    @property
    def changed(self) -> bool:
        """True when cleaning found something to remove or repair."""
        return bool(self.cuts or self.repairs or any(not l.keep for l in self.labels))

    def summary(self) -> dict:
        """The result in brief, for output records: language, spun score and
        flag, and the dropped lines counted by reason."""
        dropped: dict[str, int] = {}
        for label in self.labels:
            if not label.keep:
                dropped[label.reason] = dropped.get(label.reason, 0) + 1
        return {
            "language": self.language.code,
            "spun_score": self.spun.score,
            "spun_flagged": self.spun.flagged,
            "dropped": dropped,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
        }

    def to_dict(self) -> dict:
        """The report fields of this document (without `path`/`status`)."""
        return {
            "source": self.source,
            "language": self.language.code,
            "language_confidence": self.language.confidence,
            # Written out rather than with dataclasses.asdict, which copies
            # each field recursively (it was most of the time this took), and
            # from the labels rather than `dropped`, which would build a
            # DroppedLine per line first (about four times as long).
            "dropped": [
                {"line": l.line, "text": l.text, "reason": l.reason, "detail": l.detail} for l in self.labels if not l.keep
            ],
            "cuts": [{"line": c.line, "text": c.text, "reason": c.reason} for c in self.cuts],
            "repairs": [{"line": r.line, "fixes": list(r.fixes)} for r in self.repairs],
            "spun": {
                "score": self.spun.score,
                "flagged": self.spun.flagged,
                "reason": self.spun.reason,
                "passages": [
                    {"line": p.line, "score": p.score, "evidence": list(p.evidence)} for p in self.spun.passages
                ],
            },
            "encoding": self.decoding.encoding,
            "extracted": self.extracted,
            "warnings": list(self.warnings),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
        }
