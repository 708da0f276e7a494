"""What `cleaner check` and the pre-commit hooks object to in a file, and the fix.

An adapter: the cleaning is `Cleaner.clean`; this turns its result into
``FILE:LINE: REASON`` problems and, when asked, rewrites the file.
"""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .formats import (
    COMPRESSIONS,
    DEFAULT_MAX_DOC_BYTES,
    DEFAULT_MAX_DOC_LINES,
    ByteReader,
    Compression,
    TooLarge,
    clean_document,
    format_of,
)
from .formats.document import TEXT, DocumentFormat
from .outputs import Folder
from .pathnames import printable, shown
from .pipeline import Cleaner
from .result import CleanResult, Decoding
from .steps.decode import BYTE_ORDER_MARKS
from .steps.extract import looks_like_html

# Repairs that `clean` makes but `check` does not object to: a no-break space
# is not damage, and a hook must pass an article that only has those.
COSMETIC_FIXES = frozenset({"normalize:spaces"})

# How a refusal names the formats of many documents a file, which `check`
# does not read (a file is checked, and fixed, as one document).
RECORD_FORMAT_NAMES = {"jsonl": "JSONL", "parquet": "Parquet", "warc": "WARC"}



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


@dataclass(frozen=True, slots=True)
class FileAsRead:
    """A file's bytes as `check` read them (decompressed), and what the file
    was when it was opened: a fix replaces the file only while both still
    hold, so that an edit made while it was checked is never written over."""

    data: bytes
    identity: tuple[int, int, int, int]  # device, inode, size, modification time (ns)


def _identity(status: os.stat_result) -> tuple[int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def check_file(cleaner: Cleaner, path: Path, fix: bool = False, *, max_bytes: int = DEFAULT_MAX_DOC_BYTES,
               max_lines: int = DEFAULT_MAX_DOC_LINES) -> FileCheck:
    """Check one file, plain or compressed as `clean` reads it; with `fix`,
    rewrite a file named as plain text (`.txt`, plain or compressed) that has
    problems with its cleaned text, in its own encoding and line endings and
    compressed as it was. Any other file is checked but not rewritten (HTML,
    and a file whose name does not say it is text: a script or a table could
    lose code or rows); nor is a read-only file, one that changed while it
    was checked, or one whose cleaned text its encoding cannot hold. Files of
    many documents (JSONL, Parquet, WARC) are refused. A file over `clean`'s
    limits (`max_bytes` decompressed, `max_lines` lines or tags) fails
    unread, with `clean`'s reason."""
    outcome = FileCheck(path)
    input_format, compression = format_of(path, named=True)
    if not isinstance(input_format, DocumentFormat):
        name = RECORD_FORMAT_NAMES.get(input_format.name, input_format.name)
        outcome.error = f"check reads text and HTML files; clean {name} with 'cleaner clean'"
        return outcome
    try:
        with ByteReader.open(path, compression) as reader:
            # Taken before reading: an edit made while the file is read
            # changes it, and the fix is then refused.
            identity = _identity(os.fstat(reader.raw.fileno()))
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
            outcome.not_fixed = _why_not_rewritten(input_format, path, data)
            if outcome.not_fixed is None:
                try:
                    rewritten = in_the_files_form(result.text, data, result.decoding)
                except ValueError as exc:
                    outcome.not_fixed = str(exc)
                else:
                    outcome.not_fixed = _rewrite(path, rewritten, compression, FileAsRead(data, identity), max_bytes)
            outcome.fixed = outcome.not_fixed is None
    return outcome


def _why_not_rewritten(input_format: DocumentFormat, path: Path, data: bytes) -> str | None:
    """Why a file of `input_format` (told by its name) is not rewritten, or
    None. Only a name that says plain text is trusted: a file named with any
    other suffix is read as a document whatever it is, and cleaning a script,
    a Markdown file or a CSV table would drop its code, headings or rows. A
    link is rewritten at its target, so the target's name must say so too
    (`a.txt` leading to `notes.md` is notes.md). And a page saved as `.txt`
    is still HTML: cleaned as text, its markup would be cut up."""
    names = ", ".join(TEXT.suffixes)
    compressed = "/".join(COMPRESSIONS)
    if input_format is not TEXT:
        return f"its name does not say it is plain text (--fix rewrites only {names} files, plain or {compressed})"
    target = Path(os.path.realpath(path))
    if format_of(target, named=True)[0] is not TEXT:
        return f"it is a link to {shown(target)}, whose name does not say it is plain text (--fix rewrites only {names} files)"
    if looks_like_html(data[:8192].decode("utf-8", "replace")):
        return "it holds HTML, though named as text (clean it with 'cleaner clean', which extracts the article)"
    return None


def in_the_files_form(text: str, original: bytes, decoding: Decoding) -> bytes:
    """`text`, cleaned from `original` (a file's bytes, decoded as `decoding`
    says), as bytes of that file's form: its encoding, byte-order mark and
    line endings (CRLF when it used CRLF throughout), so that the lines a fix
    keeps come back byte for byte. ValueError, with the one-line reason,
    when they could not: undecodable bytes, mixed line endings, or cleaned
    text (a repaired character) its encoding cannot hold."""
    if decoding.method == "fallback":
        raise ValueError(f"it is not valid in any known encoding ({decoding.replaced:,} characters replaced), "
                         "and a rewrite would lose the bytes it has")
    mark, codec = b"", decoding.encoding
    if decoding.method == "bom":
        mark, codec = next((m, writes) for m, _, writes in BYTE_ORDER_MARKS if original.startswith(m))
    try:
        as_read = original[len(mark):].decode(codec)
    except (UnicodeDecodeError, LookupError):
        raise ValueError(f"it does not decode again as {decoding.encoding}") from None
    breaks, crlf = as_read.count("\n"), as_read.count("\r\n")
    if 0 < crlf < breaks:
        raise ValueError(f"its line endings are mixed ({crlf:,} CRLF, {breaks - crlf:,} LF), "
                         "and a rewrite would change them")

    def encoded(lf_text: str) -> bytes:
        return mark + (lf_text.replace("\n", "\r\n") if crlf else lf_text).encode(codec)

    # The file's own text must come back as its bytes, or the lines kept
    # would change too (cleaning splits lines at LF, a CRLF as one break).
    if encoded(as_read.replace("\r\n", "\n")) != original:
        raise ValueError(f"its bytes do not come back from its text in {decoding.encoding}")
    try:
        return encoded(text)
    except UnicodeEncodeError as exc:
        raise ValueError(f"the cleaned text holds {exc.object[exc.start]!r}, which its encoding "
                         f"({decoding.encoding}) cannot hold (clean it with 'cleaner clean', which writes UTF-8)") from None


def _rewrite(path: Path, data: bytes, compression: Compression | None, read: FileAsRead, max_bytes: int) -> str | None:
    """Replace the file `path` leads to with `data` (compressed as
    `compression` says), keeping its mode and owner; or say why not. A link
    is followed (its target is the article); a file with several hard links
    is left alone, since a new file in its place would part it from its
    other names; so is a read-only file, which its owner marked as not to be
    changed, and a file that is no longer as it was `read`."""
    target = Path(os.path.realpath(path))
    try:
        status = target.stat()
    except OSError as exc:
        return f"cannot read it again: {exc.strerror or exc}"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink} hard links, which a rewrite would part (clean it with 'cleaner clean')"
    # The mode bit, not only os.access: root may write any file, and a
    # rename would replace a read-only one whatever its mode.
    if not status.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        return "it is read-only"
    try:
        with Folder.open(target.parent, create=False) as folder:
            writer = folder.writer(target.name, compression)
            try:
                writer.write_bytes(data)
                writer.keep_owner_and_mode(status)
                writer.finish()
                # Last, just before the rename: an edit saved in the moment
                # between the two is not seen (an editor takes no lock to wait
                # on), but one made while the file was checked is.
                if not _unchanged(target, read, compression, max_bytes):
                    writer.abort()
                    return "it changed while it was being checked"
            except BaseException:
                writer.abort()
                raise
            writer.commit()
    except OSError as exc:
        return f"cannot write it: {exc.strerror or exc}"
    return None


def _unchanged(target: Path, read: FileAsRead, compression: Compression | None, max_bytes: int) -> bool:
    """Whether the file at `target` is still the one `read`: the same file,
    size and modification time, and the same bytes (a time stamp may be
    too coarse to show an edit of the same size)."""
    try:
        if _identity(target.stat()) != read.identity:
            return False
        with ByteReader.open(target, compression) as reader:
            return reader.read(max_bytes) == read.data
    except (OSError, TooLarge):
        return False


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
            status = 1
        if outcome.problems:
            status = 1
    return status


def _short(text: str, width: int = 80) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"
