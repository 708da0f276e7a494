"""What a batch run shows a person: a progress bar while it runs (only on a
terminal) and a summary at the end. Adapters over the report records; they
decide nothing."""
from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .batch import Finished
from .plan import Found
from .records import EMPTY, ERROR, REJECTED, Tally

# The summary lists this many failed documents by path; the report has them all.
ERRORS_LISTED = 10


@dataclass
class Summary:
    """The batch's counts, from the same records the report gets: the
    summary and the report always agree."""

    files: int = 0
    totals: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    steps: Counter = field(default_factory=Counter)  # dropped lines by the step that dropped them
    languages: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    #: The first documents left empty, and rejected (with why), by path.
    empty: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: From the search for inputs: paths passed over, and why; files of no input kind.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    others: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, found: Found) -> Summary:
        return cls(files=len(found.inputs), skipped=list(found.skipped), others=Counter(found.others))

    def add(self, step: Finished) -> None:
        totals = self.totals
        totals["bytes_in"] += step.bytes_read
        totals["bytes_out"] += step.bytes_written
        totals["files_done"] += step.files_done
        totals["files_skipped"] += step.skipped
        totals["documents"] += step.unreported
        totals["error"] += step.unreported
        self.notices.extend(step.notices)
        tally = step.tally
        if tally is None:
            tally = Tally()
            for record in step.records:
                tally.add(record)
        totals["documents"] += tally.statuses.total()
        totals.update(tally.statuses)
        totals["chars_in"] += tally.chars_in
        totals["chars_out"] += tally.chars_out
        totals["spun"] += tally.spun
        self.reasons.update(tally.reasons)
        self.steps.update(tally.steps)
        self.languages.update(tally.languages)
        for record in step.records:
            if record.status == EMPTY and len(self.empty) < ERRORS_LISTED:
                self.empty.append(record.path)
            elif record.status == REJECTED and len(self.rejected) < ERRORS_LISTED:
                self.rejected.append(f"{record.path}: {record.rejected}")
            elif record.status == ERROR and len(self.errors) < ERRORS_LISTED and not step.quiet:
                self.errors.append(f"{record.path}: {record.error}")  # a quiet one's file has its notice

    def text(self, seconds: float, out_dir: str, report: str | None, html_report: str | None) -> str:
        t = self.totals
        rate = t["bytes_in"] / 1e6 / seconds if seconds > 0 else 0.0
        skipped = f" ({t['files_skipped']} up to date, not redone)" if t["files_skipped"] else ""
        lines = [
            f"{t['documents']} documents in {self.files} files{skipped}: {t['ok']} cleaned, "
            + (f"{t[EMPTY]} left empty, " if t[EMPTY] else "")
            + (f"{t[REJECTED]} rejected, " if t[REJECTED] else "")
            + f"{t['error']} failed, {t['spun']} flagged as spun",
            f"{_amount(t['bytes_in'])} read, {_amount(t['bytes_out'])} written "
            f"({t['chars_in']:,} characters in, {t['chars_out']:,} out) -> {out_dir}",
            f"{seconds:,.1f} s, {rate:,.2f} MB/s, {t['documents'] / seconds if seconds > 0 else 0:,.1f} documents/s",
        ]
        if self.reasons:
            by_step = ", ".join(f"{step} {n:,}" for step, n in self.steps.most_common())
            lines.append(
                f"{sum(self.reasons.values()):,} lines dropped" + (f" ({by_step})" if by_step else "") + ": "
                + ", ".join(f"{r} {n:,}" for r, n in self.reasons.most_common(8))
                + (f", {len(self.reasons) - 8} more reasons" if len(self.reasons) > 8 else "")
            )
        if self.languages:
            lines.append("languages: " + ", ".join(f"{code} {n:,}" for code, n in self.languages.most_common(6)))
        if self.skipped:
            lines.append(f"skipped {len(self.skipped):,} paths:")
            lines.extend(f"  {path}: {why}" for path, why in self.skipped)
        if self.others:
            lines.append(
                f"not read: {sum(self.others.values()):,} files of no input kind ("
                + ", ".join(f"{kind} {n:,}" for kind, n in self.others.most_common()) + ")"
            )
        if self.notices:
            lines.append("files not written whole:")
            lines.extend(f"  {notice}" for notice in self.notices)
        for kind, listed, count in (("left empty", self.empty, t[EMPTY]), ("rejected", self.rejected, t[REJECTED])):
            if listed:
                lines.append(f"{kind}:")
                lines.extend(f"  {entry}" for entry in listed)
                if count > len(listed):
                    lines.append(f"  ... and {count - len(listed):,} more" + (" (see the report)" if report else ""))
        if self.errors:
            more = t["error"] - len(self.errors)
            lines.append("failed:")
            lines.extend(f"  {error}" for error in self.errors)
            if more:
                lines.append(f"  ... and {more:,} more" + (" (see the report)" if report else ""))
        if report:
            lines.append(f"report: {report}")
        if html_report:
            lines.append(f"visual report: {html_report}")
        return "\n".join(lines)


def to_stderr(text: str) -> None:
    """Print `text` on standard error; if that has gone (its pipe closed, a
    full disk), say nothing more, and let the run go on: its outputs and
    report matter more than its messages."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process


def _amount(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size} bytes"


class ProgressBar:
    """tqdm over the input bytes, with documents and files in its postfix.
    Disabled (prints nothing) when stderr is not a terminal."""

    def __init__(self, total_bytes: int, *, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1000, file=sys.stderr,
                             desc="cleaning", dynamic_ncols=True, smoothing=0.1)

    def update(self, step: Finished, summary: Summary) -> None:
        if self._bar is None:
            return
        t = summary.totals
        try:
            if step.bytes_read:
                self._bar.update(step.bytes_read)
            self._bar.set_postfix_str(
                f"{t['files_done']:,}/{summary.files:,} files, {t['documents']:,} docs, {t['error']:,} failed",
                refresh=False,
            )
        except (OSError, ValueError):  # the terminal has gone: no more bar
            self._bar = None

    def write(self, message: str) -> None:
        """A line above the bar (the bar is redrawn below it)."""
        if self._bar is None:
            to_stderr(message)
            return
        try:
            self._bar.write(message, file=sys.stderr)
        except (OSError, ValueError):
            self._bar = None
            to_stderr(message)

    def close(self) -> None:
        if self._bar is not None:
            try:
                self._bar.close()
            except (OSError, ValueError):
                pass
