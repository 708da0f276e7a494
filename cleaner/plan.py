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
from .outputs import LOCK_NAME, STATE_FOLDER, lock_held
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
    an input, each other, or another run's output folder; return if there
    is none.

    Folders and files are told apart by what they are (device and inode),
    not by their paths: a folder mounted at a second path, or a hard link,
    is still the input."""
    problems: list[str] = []
    places = _Places(found)
    real_out = Path(os.path.realpath(out))
    where = places.check_existing(real_out, up=True)
    if where:
        problems.append(f"output folder {shown(out)}: {where}")
    running = places.run_above(real_out)
    if running:
        problems.append(f"output folder {shown(out)}: is inside {shown(running)}, the output folder of a run going on")
    for folder in found.roots:
        if real_out / STATE_FOLDER == folder or real_out / STATE_FOLDER in folder.parents:
            problems.append(f"input folder {shown(folder)}: is inside the output folder's {STATE_FOLDER}")

    outputs: dict[PurePath, InputFile] = {}
    for item in found.inputs:
        target = item.output_relative
        earlier = outputs.setdefault(target, item)
        if earlier is not item:
            problems.append(
                f"{shown(out / target)}: both {earlier.shown} and {item.shown} would be written here "
                "(give their common folder instead, or clean them into separate output folders)"
            )
    folders = {parent for target in outputs for parent in target.parents if parent != PurePath()}
    for target, item in outputs.items():
        if target in folders:
            problems.append(f"{shown(out / target)}: the output of {item.shown}, and a folder other outputs go into")
            continue
        if not where:
            on_path = places.check_below(real_out, target)
            if on_path:
                problems.append(f"{shown(out / target)}, the output of {item.shown}: {on_path}")

    real_outputs = {real_out / target for target in outputs}
    real_folders = {real_out / folder for folder in folders}
    seen_reports: dict[Path, Path] = {}
    for report in reports:
        real = Path(os.path.realpath(report))
        name = f"report {shown(report)}"
        if real in seen_reports:
            problems.append(f"{name}: the same file as the report {shown(seen_reports[real])}")
        seen_reports.setdefault(real, report)
        on_input = places.check_existing(real, up=True, file=True)
        if on_input:
            problems.append(f"{name}: {on_input}")
        if real in real_outputs:
            problems.append(f"{name}: is also an output of the run")
        if real in real_folders or any(parent in real_outputs for parent in real.parents):
            problems.append(f"{name}: is where the run puts a folder of outputs, or inside an output")
        if real == real_out or real_out / STATE_FOLDER == real or real_out / STATE_FOLDER in real.parents:
            problems.append(f"{name}: is the output folder or inside its {STATE_FOLDER}")
        else:
            elsewhere = another_runs_place(real, own=real_out)
            if elsewhere:
                problems.append(f"{name}: {elsewhere}")
    if problems:
        raise PlanRefused(problems)


class _Places:
    """What is at a path, looked up once: symbolic links, and input files and
    folders known by device and inode."""

    def __init__(self, found: Found) -> None:
        self._folders: dict[tuple[int, int], Path] = {}
        for root in found.roots:
            identity = _identity(root)
            if identity is not None and root.is_dir():
                self._folders[identity] = root
        self._files = {_identity(item.path) for item in found.inputs} - {None}
        self._seen: dict[Path, os.stat_result | None] = {}
        self._folder_verdicts: dict[Path, str | None] = {}

    def _lstat(self, path: Path) -> os.stat_result | None:
        if path not in self._seen:
            try:
                self._seen[path] = os.lstat(path)
            except OSError:
                self._seen[path] = None
        return self._seen[path]

    def _input_folder(self, status: os.stat_result) -> Path | None:
        return self._folders.get((status.st_dev, status.st_ino))

    def check_existing(self, real: Path, *, up: bool, file: bool = False) -> str | None:
        """Why writing at `real` (a resolved path) could touch an input: it is
        an input file, or an input folder is it or holds it. `file`: it is
        written as a file, so it must not be something else already."""
        status = self._lstat(real)
        if status is not None:
            if (status.st_dev, status.st_ino) in self._files:
                return "is an input file"
            folder = self._input_folder(status)
            if folder is not None:
                return f"is the input folder {shown(folder)}"
            if file and not stat.S_ISREG(status.st_mode):
                return "is there already, and not a regular file" + (" (a folder)" if stat.S_ISDIR(status.st_mode) else "")
        if up:
            for parent in real.parents:
                parent_status = self._lstat(parent)
                folder = self._input_folder(parent_status) if parent_status is not None else None
                if folder is not None:
                    return f"is inside the input folder {shown(folder)}"
        return None

    def check_below(self, real_out: Path, target: PurePath) -> str | None:
        """Why writing the output `target` below the output folder could
        touch an input, go through a link, or land in another run's output
        folder: each folder on its path is looked at once for all outputs."""
        path = real_out
        for part in target.parts[:-1]:
            path = path / part
            why = self._folder_below(path)
            if why is not None:
                return why or None  # "": the folder is not there yet, so neither is anything below it
        status = self._lstat(real_out / target)
        if status is None:
            return None
        if stat.S_ISLNK(status.st_mode):
            return "is a symbolic link; outputs are never written through one"
        if (status.st_dev, status.st_ino) in self._files:
            return "is an input file"
        if not stat.S_ISREG(status.st_mode):
            return "is there already, and not a regular file" + (" (a folder)" if stat.S_ISDIR(status.st_mode) else "")
        return None

    def _folder_below(self, path: Path) -> str | None:
        """For a folder on an output's path: why not to write through it, ""
        if it is not there (nothing below it is), or None if it is fine."""
        if path not in self._folder_verdicts:
            status = self._lstat(path)
            if status is None:
                verdict = ""
            elif stat.S_ISLNK(status.st_mode):
                verdict = f"{shown(path)} is a symbolic link; outputs are never written through one"
            elif self._input_folder(status) is not None:
                verdict = f"{shown(path)} is the input folder {shown(self._input_folder(status))}"
            elif _locked(path):
                verdict = f"{shown(path)} is the output folder of a run going on"
            else:
                verdict = None
            self._folder_verdicts[path] = verdict
        return self._folder_verdicts[path]

    def run_above(self, real_out: Path) -> Path | None:
        """An output folder of a run going on that holds `real_out`."""
        for parent in real_out.parents:
            if _locked(parent):
                return parent
        return None


def another_runs_place(real: Path, own: Path | None = None) -> str | None:
    """Why a file written at `real` (a resolved path) could land in what
    another run writes: inside the output folder of a run going on (its
    outputs, or its lock, which would then no longer keep a second run out),
    or inside any output folder's state folder. `own`: this run's output
    folder, which is not another's."""
    if STATE_FOLDER in real.parts[:-1]:
        return f"is inside a {STATE_FOLDER} folder, where runs keep their state and lock"
    for parent in real.parents:
        if parent != own and _locked(parent):
            return f"is inside {shown(parent)}, the output folder of a run going on"
    return None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _locked(folder: Path) -> bool:
    """Whether a run going on holds `folder` as its output folder."""
    lock = folder / STATE_FOLDER / LOCK_NAME
    return lock.is_file() and lock_held(lock)
