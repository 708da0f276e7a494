"""A batch's plan, made before anything is written: which files are read,
where each one's output goes, and whether any write could land on an input
or on another write.

Symbolic links. A path named on the command line is followed wherever it
leads: the user named it. Inside a folder being searched, links are not
followed, to files or to folders (a link in a downloaded corpus could lead
anywhere on the machine); each is listed in the summary as skipped, with
dangling links and folders that cannot be read. Outputs are never written
through a link: an output folder holding a link on an output's path is
refused, and a link made there while the run goes makes that file fail.

A plan is refused, with every problem listed, when an output or report
path is, or lies inside, an input file or folder; when two inputs would
write one output (the same file named twice counts once); or when the
reports and the outputs would share a path.
"""
from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from .formats import Compression, InputFormat, format_of
from .outputs import STATE_FOLDER
from .pathnames import shown


class UsageError(ValueError):
    """A mistake in what the user asked for (exit code 2)."""


class PlanRefused(UsageError):
    """The plan would write over an input or write one path twice."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"nothing was written: {len(problems)} problem{'s' if len(problems) != 1 else ''} with where outputs would go:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path  # where it is read from
    relative: PurePath  # where its output goes below the output folder, with the input's suffix
    format: InputFormat
    compression: Compression | None = None

    @property
    def shown(self) -> str:
        return shown(self.path)

    @property
    def output_relative(self) -> PurePath:
        """a/b.html -> a/b.txt; c.jsonl.gz -> c.jsonl.gz (compressed as the input was)."""
        base = self.relative.with_suffix("") if self.compression else self.relative
        return base.with_suffix(self.format.output_suffix + (self.compression.suffix if self.compression else ""))


@dataclass(slots=True)
class Found:
    """What a search of the paths found."""

    inputs: list[InputFile] = field(default_factory=list)
    #: Paths passed over that a user might have meant to clean, and why:
    #: links inside folders, dangling links, folders that cannot be read.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Files of no input kind, counted by suffix ("hidden" for hidden ones).
    others: Counter = field(default_factory=Counter)
    #: The folders and files named, resolved (what outputs must not touch).
    roots: list[Path] = field(default_factory=list)


def find_inputs(paths: list[str | Path]) -> Found:
    """Files named, and the files of a known kind under folders named
    (recursively; hidden files and folders and links skipped), in a stable
    order: each folder's entries by name. A file reached twice is read once."""
    found = Found()
    seen: set[tuple[int, int]] = set()

    def add(path: Path, relative: PurePath, named: bool) -> None:
        try:
            status = path.stat()
        except OSError as exc:
            found.skipped.append((shown(path), f"cannot read: {exc.strerror or exc}"))
            return
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would never end, or never start
            found.skipped.append((shown(path), "not a regular file"))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in seen:
            return
        input_format, compression = format_of(path, named=named)
        if input_format is None:
            found.others[Path(path.name.lower()).suffix or "(no suffix)"] += 1
            return
        seen.add(identity)
        found.inputs.append(InputFile(path, relative, input_format, compression))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.roots.append(path.resolve())
            _walk(path, add, found)
        elif path.exists():
            found.roots.append(path.resolve())
            add(path, PurePath(path.name), True)
        elif path.is_symlink():
            raise UsageError(f"{shown(path)}: a symbolic link to nothing (dangling)")
        else:
            raise UsageError(f"{shown(path)}: no such file or folder")
    return found


def _walk(top: Path, add, found: Found) -> None:
    """Depth first, each folder's entries by name, a folder's files where
    its name falls among them (a stack of open listings, not recursion:
    folders may nest deeper than Python recurses)."""
    stack = [(iter(_entries(top, found)), top, PurePath())]
    while stack:
        entries, folder, relative = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = folder / entry.name
        if entry.name.startswith("."):
            found.others["hidden"] += 1
        elif entry.is_symlink():
            why = "symbolic link, not followed inside a folder (name it to clean what it leads to)"
            if not path.exists():
                why = "symbolic link to nothing (dangling)"
            found.skipped.append((shown(path), why))
        elif entry.is_dir(follow_symlinks=False):
            stack.append((iter(_entries(path, found)), path, relative / entry.name))
        elif entry.is_file(follow_symlinks=False):
            add(path, relative / entry.name, False)
        else:
            found.others["not a regular file"] += 1


def _entries(folder: Path, found: Found) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as scan:
            return sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        found.skipped.append((shown(folder), f"folder cannot be read: {exc.strerror or exc}"))
        return []


def check_plan(found: Found, out: Path, reports: list[Path]) -> None:
    """Raise `PlanRefused` listing every way the planned writes could touch
    an input or each other; return if there is none."""
    problems: list[str] = []
    real_out = Path(os.path.realpath(out))
    folders = [root for root in found.roots if root.is_dir()]
    files = {Path(os.path.realpath(item.path)) for item in found.inputs}

    def touches_input(real: Path) -> str | None:
        if real in files:
            return "is an input file"
        for folder in folders:
            if real == folder:
                return f"is the input folder {shown(folder)}"
            if folder in real.parents:
                return f"is inside the input folder {shown(folder)}"
        return None

    where = touches_input(real_out)
    if where:
        problems.append(f"output folder {shown(out)}: {where}")
    for folder in folders:
        if real_out / STATE_FOLDER == folder or real_out / STATE_FOLDER in folder.parents:
            problems.append(f"input folder {shown(folder)}: is inside the output folder's {STATE_FOLDER}")

    # Outputs lie inside the output folder (no link on their paths, below):
    # only inputs inside it can be written over.
    inside_out = [folder for folder in folders if real_out in folder.parents]
    files_inside_out = {file for file in files if real_out in file.parents}
    outputs: dict[PurePath, InputFile] = {}
    links = _LinkFinder(out)
    for item in found.inputs:
        target = item.output_relative
        earlier = outputs.setdefault(target, item)
        if earlier is not item:
            problems.append(
                f"{shown(out / target)}: both {earlier.shown} and {item.shown} would be written here "
                "(give their common folder instead, or clean them into separate output folders)"
            )
            continue
        link = links.first_link(target)
        if link is not None:
            problems.append(f"{shown(out / target)}: {shown(out / link)} is a symbolic link; outputs are never written through one")
            continue
        if not where and (inside_out or files_inside_out):
            on_input = touches_input(real_out / target)
            if on_input:
                problems.append(f"{shown(out / target)}, the output of {item.shown}: {on_input}")

    real_outputs = {real_out / target for target in outputs}
    seen_reports: dict[Path, Path] = {}
    for report in reports:
        real = Path(os.path.realpath(report))
        name = f"report {shown(report)}"
        if real in seen_reports:
            problems.append(f"{name}: the same file as the report {shown(seen_reports[real])}")
        seen_reports.setdefault(real, report)
        on_input = touches_input(real)
        if on_input:
            problems.append(f"{name}: {on_input}")
        if real in real_outputs:
            problems.append(f"{name}: is also an output of the run")
        if real == real_out or real_out / STATE_FOLDER == real or real_out / STATE_FOLDER in real.parents:
            problems.append(f"{name}: is the output folder or inside its {STATE_FOLDER}")
        elif real.is_dir():
            problems.append(f"{name}: is a folder")
    if problems:
        raise PlanRefused(problems)


class _LinkFinder:
    """Finds a symbolic link on an output's path below the output folder,
    looking at each folder once."""

    def __init__(self, out: Path) -> None:
        self._out = out
        self._known: dict[PurePath, bool] = {}  # relative path -> is a link

    def _is_link(self, relative: PurePath) -> bool:
        if relative not in self._known:
            try:
                self._known[relative] = stat.S_ISLNK(os.lstat(self._out / relative).st_mode)
            except OSError:
                self._known[relative] = False  # missing: made by the run, as a folder
        return self._known[relative]

    def first_link(self, target: PurePath) -> PurePath | None:
        parts = target.parts
        for end in range(1, len(parts) + 1):
            relative = PurePath(*parts[:end])
            if self._is_link(relative):
                return relative
        return None
