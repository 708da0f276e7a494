"""The report record: what a batch says about one document.

One record per document (per record of a JSONL file), for documents that
were cleaned and for those that were not. This module is the one place its
keys are defined; everything that writes or reads a report (the batch, its
resume state, the summary, `check`, the visual report) goes through
`Record`. A record's line in the report is `Record.to_json()`, with the keys
in this order:

    path, status, error, id (JSONL records only), output,
    source, language, language_confidence, dropped, cuts, repairs, spun,
    encoding, extracted, warnings, chars_in, chars_out,
    file, line, digest, dropped_by_step, rejected

The keys from `source` to `chars_out` are `CleanResult.to_dict()`'s (see
result.py); a document that was not cleaned has them at `NOT_CLEANED`'s
values, so every record has every key.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import CleanResult

OK = "ok"
EMPTY = "empty"  # cleaned, and nothing was left
REJECTED = "rejected"  # cleaned, and turned away by a document filter
ERROR = "error"  # not cleaned
STATUSES = (OK, EMPTY, REJECTED, ERROR)

# The result's keys for a document that was not cleaned, in the order
# CleanResult.to_dict() gives them.
NOT_CLEANED: dict[str, Any] = {
    "source": None,
    "language": None,
    "language_confidence": None,
    "dropped": [],
    "cuts": [],
    "repairs": [],
    "spun": None,
    "encoding": None,
    "extracted": False,
    "warnings": [],
    "chars_in": 0,
    "chars_out": 0,
}


def digest(data: bytes) -> str:
    """A short digest of a document's bytes (the `digest` key): the visual
    report reads the original again and tells whether it has changed since."""
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Record:
    #: Where the document is, as messages show it (see pathnames.py): the
    #: input file, or ``FILE:LINE`` for a record of a JSONL file.
    path: str
    status: str
    error: str | None = None
    #: The output file the document went into, or None.
    output: str | None = None
    #: `CleanResult.to_dict()`, or None for a document that was not cleaned.
    result: dict | None = None
    #: The input file as it is shown (its path for reading, see pathnames.path_of).
    file: str | None = None
    #: For a record of a JSONL file: its line, and its "id" field.
    line: int | None = None
    id: Any = None
    #: `digest()` of the document's bytes as they were cleaned (decompressed;
    #: a JSONL record's line), or None if they could not be read.
    digest: str | None = None
    #: The dropped lines counted by the step that dropped them.
    dropped_by_step: dict[str, int] | None = None
    #: Why a document filter rejected it (status "rejected").
    rejected: str | None = None

    @classmethod
    def cleaned(cls, path: str, fields: dict, **envelope: Any) -> Record:
        return cls(path, OK, result=fields, **envelope)

    @classmethod
    def of_result(
        cls, path: str, result: CleanResult, fields: dict | None = None, *, status: str = OK, **envelope: Any
    ) -> Record:
        """The record of a cleaned document (ok, empty or rejected); `fields`
        is `result.to_dict()` when the caller has it already."""
        fields = result.to_dict() if fields is None else fields
        return cls(path, status, result=fields, dropped_by_step=dict(result.dropped_by_step), **envelope)

    @classmethod
    def failed(cls, path: str, message: str, **envelope: Any) -> Record:
        return cls(path, ERROR, error=message, **envelope)

    def as_failed(self, message: str) -> Record:
        """This document, reported as not cleaned after all (its output was
        lost); its own error stays if it had one, and a rejected document,
        which has no output to lose, stays rejected. Like any failed record
        it drops no lines: none by reason, none by step."""
        if self.status in (ERROR, REJECTED):
            return self
        return replace(self, status=ERROR, error=message, output=None, result=None, dropped_by_step=None)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"path": self.path, "status": self.status, "error": self.error}
        if self.line is not None:
            data["id"] = self.id
        data["output"] = self.output
        data.update(self.result if self.result is not None else NOT_CLEANED)
        data["file"] = self.file
        data["line"] = self.line
        data["digest"] = self.digest
        data["dropped_by_step"] = self.dropped_by_step or {}
        data["rejected"] = self.rejected
        return data

    @classmethod
    def from_json(cls, text: str | bytes) -> Record:
        """A record from its report line; ValueError if it is not one."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: object) -> Record:
        if not isinstance(data, dict):
            raise ValueError(f"not a report record: a JSON {type(data).__name__}, not an object")
        path, status = data.get("path"), data.get("status")
        if not isinstance(path, str) or status not in STATUSES:
            raise ValueError(f"not a report record: no path, or a status other than {', '.join(STATUSES)}")
        for key, kind in (("error", str), ("output", str), ("file", str), ("line", int), ("digest", str),
                          ("dropped_by_step", dict), ("rejected", str)):
            if data.get(key) is not None and not isinstance(data[key], kind):
                raise ValueError(f"not a report record: {key} is a {type(data[key]).__name__}")
        result = None
        if status != ERROR:
            result = {key: data.get(key, default) for key, default in NOT_CLEANED.items()}
            _check_result(result)
        return cls(
            path,
            status,
            error=data.get("error"),
            output=data.get("output"),
            result=result,
            file=data.get("file"),
            line=data.get("line"),
            id=data.get("id"),
            digest=data.get("digest"),
            dropped_by_step=data.get("dropped_by_step"),
            rejected=data.get("rejected"),
        )

    # --- what readers of the record use -------------------------------------------

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def was_cleaned(self) -> bool:
        """Cleaned, whatever came of it (ok, empty or rejected)."""
        return self.status != ERROR

    def _get(self, key: str) -> Any:
        return (self.result or NOT_CLEANED)[key]

    @property
    def language(self) -> str | None:
        return self._get("language")

    @property
    def source(self) -> str | None:
        return self._get("source")

    @property
    def dropped(self) -> list[dict]:
        """``{line, text, reason, detail}`` for each dropped line."""
        return self._get("dropped")

    @property
    def cuts(self) -> list[dict]:
        return self._get("cuts")

    @property
    def extracted(self) -> bool:
        return bool(self._get("extracted"))

    @property
    def chars_in(self) -> int:
        return self._get("chars_in")

    @property
    def chars_out(self) -> int:
        return self._get("chars_out")

    @property
    def spun(self) -> dict:
        """``{score, flagged, reason, passages}``; score None where not scored."""
        return self._get("spun") or {"score": None, "flagged": False, "reason": "", "passages": []}

    @property
    def spun_flagged(self) -> bool:
        return bool(self.spun.get("flagged"))


def _check_result(result: dict) -> None:
    """The result keys a reader relies on have the types it expects."""
    for key in ("dropped", "cuts", "repairs", "warnings"):
        if not isinstance(result[key], list) or not all(isinstance(item, dict | str) for item in result[key]):
            raise ValueError(f"not a report record: {key} is not a list")
    for item in result["dropped"]:
        if not isinstance(item.get("line"), int) or not isinstance(item.get("reason"), str):
            raise ValueError("not a report record: a dropped line without a line number or reason")
    for key in ("chars_in", "chars_out"):
        if not isinstance(result[key], int):
            raise ValueError(f"not a report record: {key} is not a number")
    for key in ("source", "language", "encoding"):  # counted by value: a list or object cannot be
        if result[key] is not None and not isinstance(result[key], str):
            raise ValueError(f"not a report record: {key} is a {type(result[key]).__name__}, not a string")
    if result["language_confidence"] is not None and not isinstance(result["language_confidence"], int | float):
        raise ValueError("not a report record: language_confidence is not a number")
    spun = result["spun"]
    if spun is not None and not (isinstance(spun, dict) and isinstance(spun.get("passages", []), list)):
        raise ValueError("not a report record: spun is not an object")


@dataclass
class Tally:
    """What a run's summary counts of records (`progress.Summary`), counted
    as they come. A run that writes no report hands on, for a file it has
    written, only the file's first few failed, empty and rejected records
    (whose paths the summary lists) and a tally of the rest: it need not
    keep, or read back, every record (`batch.BatchOptions.records_kept`)."""

    statuses: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    spun: int = 0
    reasons: Counter = field(default_factory=Counter)  # dropped lines by reason
    steps: Counter = field(default_factory=Counter)  # dropped lines by the step that dropped them
    languages: Counter = field(default_factory=Counter)  # of the documents cleaned

    def add(self, record: Record) -> None:
        self.statuses[record.status] += 1
        self.chars_in += record.chars_in
        self.chars_out += record.chars_out
        for dropped in record.dropped:
            self.reasons[dropped["reason"]] += 1
        if record.dropped_by_step:
            self.steps.update(record.dropped_by_step)
        if record.spun_flagged:
            self.spun += 1
        if record.was_cleaned:
            self.languages[record.language or "unknown"] += 1
