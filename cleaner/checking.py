"""What `cleaner check` and the pre-commit hooks object to in a file, and the fix.

An adapter: the cleaning is `Cleaner.clean`; this turns its result into
``FILE:LINE: REASON`` problems and, when asked, rewrites the file.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .formats import DEFAULT_MAX_DOC_BYTES, DEFAULT_MAX_DOC_LINES, ByteReader, TooLarge, clean_document, format_of
from .formats.jsonl import JSONL
from .outputs import Folder
from .pathnames import printable, shown
from .pipeline import Cleaner
from .result import CleanResult

# Repairs that `clean` makes but `check` does not object to: a no-break space
# is not damage, and a hook must pass an article that only has those.
COSMETIC_FIXES = frozenset({"normalize:spaces"})


@dataclass
class FileCheck:
    path: Path
    problems: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None
    fixed: bool = False
    not_fixed: str | None = None  # why problems were left in place

    @property
    def failed(self) -> bool:
        return bool(self.error or self.problems)

    def lines(self) -> Iterator[str]:
        for line, message in self.problems:
            yield f"{shown(self.path)}:{line}: {message}"


def problem_lines(result: CleanResult) -> list[tuple[int, str]]:
    """(line, message) for everything a check objects to, in line order: lines
    cleaning drops, phrases it cuts, real repairs, and kept passages whose spun
    score reaches the threshold."""
    problems = [
        (d.line, d.reason + (f" ({d.detail})" if d.detail else "") + f": {_short(d.text)}") for d in result.dropped
    ]
    problems += [(c.line, f"{c.reason}: cut {c.text!r}") for c in result.cuts]
    problems += [
        (r.line, f"repair: {', '.join(r.fixes)}") for r in result.repairs if not set(r.fixes) <= COSMETIC_FIXES
    ]
    dropped = {d.line for d in result.dropped}
    problems += [
        (p.line, f"spun (score {p.score:.3f}): {'; '.join(p.evidence)}")
        for p in result.spun.passages
        if p.flagged and p.line not in dropped
    ]
    return sorted(problems, key=lambda p: p[0])


def check_file(cleaner: Cleaner, path: Path, fix: bool = False, *, max_bytes: int = DEFAULT_MAX_DOC_BYTES,
               max_lines: int = DEFAULT_MAX_DOC_LINES) -> FileCheck:
    """Check one file, plain or compressed as `clean` reads it; with `fix`,
    rewrite a text file that has problems with its cleaned text, compressed
    as it was (HTML and JSONL are never rewritten in place). A file over
    `clean`'s limits (`max_bytes` decompressed, `max_lines` lines or tags)
    fails unread, with `clean`'s reason."""
    outcome = FileCheck(path)
    input_format, compression = format_of(path, named=True)
    if input_format is JSONL:
        outcome.error = "check reads text and HTML files; clean JSONL with 'cleaner clean'"
        return outcome
    try:
        with ByteReader.open(path, compression) as reader:
            data = reader.read(max_bytes)
    except TooLarge as exc:
        outcome.error = str(exc)
        return outcome
    except OSError as exc:
        outcome.error = f"cannot read: {exc.strerror or exc}"
        return outcome
    result = clean_document(cleaner, data, content_type=input_format.content_type, max_lines=max_lines)
    if isinstance(result, str):
        outcome.error = result
        return outcome
    outcome.problems = problem_lines(result)
    if result.extracted:
        outcome.problems = [(line, f"{message} (line of the extracted text)") for line, message in outcome.problems]
    if fix and outcome.problems:
        if result.extracted:
            outcome.not_fixed = "HTML is not rewritten in place (use 'cleaner clean')"
        elif result.changed:
            outcome.not_fixed = _rewrite(path, result.text, compression)
            outcome.fixed = outcome.not_fixed is None
    return outcome


def _rewrite(path: Path, text: str, compression) -> str | None:
    """Rewrite the file `path` leads to with `text`, keeping its mode and
    owner; or say why not. A link is followed (its target is the article);
    a file with several hard links is left alone, since a new file in its
    place would part it from its other names."""
    target = Path(os.path.realpath(path))
    try:
        status = target.stat()
    except OSError as exc:
        return f"cannot read it again: {exc.strerror or exc}"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink} hard links, which a rewrite would part (clean it with 'cleaner clean')"
    try:
        with Folder.open(target.parent, create=False) as folder:
            writer = folder.writer(target.name, compression)
            try:
                writer.write(text)
                writer.keep_owner_and_mode(status)
            except BaseException:
                writer.abort()
                raise
            writer.commit()
    except OSError as exc:
        return f"cannot write it: {exc.strerror or exc}"
    return None


def run_checks(cleaner: Cleaner, paths: Iterable[Path], fix: bool = False, out=None, err=None, *,
               max_bytes: int = DEFAULT_MAX_DOC_BYTES, max_lines: int = DEFAULT_MAX_DOC_LINES) -> int:
    """Check (or fix) each file and print what is wrong: ``FILE:LINE: REASON``
    on `out`, errors on `err` (a file over the limits, see `check_file`, is
    one error, and the others are checked). After a fix, the problems
    printed are those the fix left (spun passages, say), with the rewritten
    file's line numbers. Returns 1 if any file has problems, failed, or was
    changed; else 0."""
    out = out or sys.stdout
    err = err or sys.stderr
    status = 0
    for path in paths:
        outcome = check_file(cleaner, path, fix=fix, max_bytes=max_bytes, max_lines=max_lines)
        if outcome.error:
            print(f"{shown(path)}: {outcome.error}", file=err)
            status = 1
            continue
        if outcome.fixed:
            print(f"Fixing {shown(path)}", file=out)
            status = 1  # a changed file is for the user to review (pre-commit's convention)
            outcome.problems = check_file(cleaner, path, max_bytes=max_bytes, max_lines=max_lines).problems
        for line in outcome.lines():
            print(line, file=out)
        if outcome.not_fixed:
            print(f"{shown(path)}: not fixed: {outcome.not_fixed}", file=err)
        if outcome.problems:
            status = 1
    return status


def _short(text: str, width: int = 80) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"
