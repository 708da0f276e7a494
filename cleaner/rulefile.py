"""Rule files: one TOML file per source, read and checked here.

A rule file says which documents it is for (`[source]`: URL hosts, text
fingerprints, or `generic = true` for every document) and what to do with
their lines: `[[keep]]` protects lines, `[[drop]]` drops lines, `[[drop_block]]`
drops from a start line to an end line (or to the end of the document), and
`[[cut]]` cuts a phrase out of a line. `[heuristics]` overrides thresholds of
the generic heuristics for this source's documents. Each rule has an `id`; a dropped line's
reason is ``rule:<source id>/<rule id>``. `[[test]]` tables hold the file's own
test cases, run by the test suite and by ``cleaner rules test``.

A file that does not parse, has an unknown key, a missing id or a bad regex is
refused with a `RuleFileError` that names the file, the place and the problem.
Nothing is skipped silently.

Rule patterns are compiled with the `regex` module rather than `re`: it
survives most patterns that backtrack catastrophically in `re`, and its
searches take a timeout, so one bad user pattern cannot hang a batch (the
rules step reports a rule that runs out of time, by its id).
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .datafiles import heuristic_threshold_names
from .pathnames import printable, shown
from .prefilter import GroupPrefilter, prefilter_literals

RULE_KINDS = ("keep", "drop", "drop_block", "cut")
# The most nodes a pattern may compile to (see `expanded_size`): the regex
# module writes repeated parts out in memory, so `(?:x{9999})` written 1,000
# times in a row took 4.1 GB. The largest shipped pattern
# (generic/cookie-notice) is 1,719; the costliest pattern at this limit that
# was found, `(?:((((x)+)+)+)+)` written 1,612 times in a row as a `drop`
# rule, peaks at 191 MB in `cleaner rules test`, against 151 MB with the
# shipped rules alone.
MAX_EXPANDED_SIZE = 100_000
_COUNTED = re.compile(r"\{(\d{1,9})?(?:,(\d{1,9})?)?\}")
# The empty-line check of a pattern (a pattern that matches the empty string
# would drop every blank line) runs with this limit: a recursive pattern
# can run without end even there.
EMPTY_LINE_SECONDS = 1.0
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class RuleFileError(ValueError):
    """A rule file that cannot be used. `str()` is one line naming file and place."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{shown(self.path)}:{line}" if line else shown(self.path)
        super().__init__(f"{where}: {printable(message)}")


@dataclass(frozen=True, slots=True)
class LineRule:
    """A `keep`, `drop` or `cut` rule: one regex searched in each line."""

    id: str
    kind: str
    pattern: regex.Pattern
    description: str = ""
    #: One of these is in every match (see cleaner/prefilter.py): a line
    #: that holds none is not searched.
    literals: tuple[str, ...] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class BlockRule:
    """Drop from a line matching `start` up to (not including) a line matching
    `end`, or to the end of the document when `end` is None."""

    id: str
    start: regex.Pattern
    end: regex.Pattern | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class RuleTest:
    """A rule file's own test case: cleaning `text` must keep every line in
    `keep`, drop every line in `drop` by a rule of this file, and leave none of
    the phrases in `absent` in the output."""

    name: str
    text: str
    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSet:
    id: str
    path: str
    description: str = ""
    generic: bool = False
    hosts: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()
    keep: tuple[LineRule, ...] = ()
    drop: tuple[LineRule, ...] = ()
    drop_block: tuple[BlockRule, ...] = ()
    cut: tuple[LineRule, ...] = ()
    #: Threshold overrides for the generic heuristics on this source's
    #: documents, as (name, value) pairs; names are those of heuristics.toml.
    heuristics: tuple[tuple[str, float], ...] = ()
    tests: tuple[RuleTest, ...] = field(default=(), compare=False)
    #: Every `keep`, `drop` and `cut` rule's prefilter, asked of a line at
    #: once (keys: the kind and the rule's place in its tuple); see
    #: `cleaner.steps.rules.apply_rules`.
    line_prefilter: GroupPrefilter = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        literals = {(kind, k): rule.literals for kind in ("keep", "drop", "cut") for k, rule in enumerate(getattr(self, kind))}
        object.__setattr__(self, "line_prefilter", GroupPrefilter(literals))

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def fingerprint_hits(self, text: str) -> int:
        lowered = text.lower()
        return sum(1 for f in self.fingerprints if f.lower() in lowered)


# The keys each table may have: anything else is a typo and is refused.
_SOURCE_KEYS = {"id", "description", "generic", "hosts", "fingerprints"}
_LINE_RULE_KEYS = {"id", "pattern", "description", "case_sensitive"}
_BLOCK_RULE_KEYS = {"id", "start", "end", "description", "case_sensitive"}
_TEST_KEYS = {"name", "text", "keep", "drop", "absent"}
_TOP_KEYS = {"source", "test", "heuristics", *RULE_KINDS}


def builtin_rules_dir() -> Path:
    """The rule files that ship with the package.

    In an installed wheel they sit inside the package (the build copies the
    top-level ``rules/`` there); in a source checkout or an editable install
    they are the ``rules/`` folder beside the package.
    """
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


# A rule file larger than this is refused unread: hand-written rules are a
# few KB (the largest built-in file is under 10 KB).
MAX_RULE_FILE_BYTES = 1_000_000
# The most nodes a file's patterns may compile to together: without it a
# file could hold thousands of patterns at the limit above. Twenty-five
# times the shipped generic.toml (7,723); a file at it (395 `drop` rules of
# the costliest kind above) peaks at 295 MB in `cleaner rules test`.
MAX_FILE_EXPANDED_SIZE = 200_000


def load_rule_file(path: Path | str) -> RuleSet:
    path = Path(path)
    raw = _read_rule_file(path)
    try:
        data = tomllib.loads(raw)
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: a number of more digits than Python reads
        raise RuleFileError(path, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise RuleFileError(path, "not valid TOML: arrays or tables nested too deeply") from None
    return _build(path, raw, data)


def _read_rule_file(path: Path) -> str:
    """The file's text. Only a regular file is read (a link to one is), and
    only up to `MAX_RULE_FILE_BYTES`: a FIFO would wait for ever, a device
    such as /dev/zero never end. The file is opened without waiting and
    checked as opened, so it cannot be swapped between check and read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RuleFileError(path, f"cannot read rule file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RuleFileError(path, "not a regular file (a rule file must be one)")
        try:
            data = handle.read(MAX_RULE_FILE_BYTES + 1)
        except OSError as exc:
            raise RuleFileError(path, f"cannot read rule file: {exc.strerror or exc}") from None
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RuleFileError(path, f"larger than {MAX_RULE_FILE_BYTES:,} bytes: not a rule file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(path, f"cannot read rule file: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def load_rule_dirs(dirs: list[Path | str]) -> list[RuleSet]:
    """Every ``*.toml`` file of each folder, in order; a later file with the
    same source id replaces an earlier one (so a user folder can override a
    built-in file)."""
    by_id: dict[str, RuleSet] = {}
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise RuleFileError(folder, "rules folder does not exist or is not a folder")
        seen_here: dict[str, str] = {}
        for path in sorted(folder.glob("*.toml")):
            rule_set = load_rule_file(path)
            if rule_set.id in seen_here:
                raise RuleFileError(path, f"source id {rule_set.id!r} is also used by {seen_here[rule_set.id]}")
            seen_here[rule_set.id] = str(path)
            by_id.pop(rule_set.id, None)  # re-insert so the override keeps the later position
            by_id[rule_set.id] = rule_set
    return list(by_id.values())


def _build(path: Path, raw: str, data: dict) -> RuleSet:
    _check_keys(path, raw, data, _TOP_KEYS, "top level")
    source = data.get("source")
    if not isinstance(source, dict):
        raise RuleFileError(path, "missing [source] table (it needs at least an id)")
    _check_keys(path, raw, source, _SOURCE_KEYS, "[source]", _line_of(raw, "source", 0, array=False))
    source_id = source.get("id")
    if not isinstance(source_id, str) or not _ID.match(source_id):
        raise RuleFileError(
            path, "[source] id must be lower-case letters, digits, '-', '_' or '.'", _line_of(raw, "source", 0, False)
        )
    generic = source.get("generic", False)
    hosts = _str_list(path, raw, source, "hosts", "[source]")
    fingerprints = _str_list(path, raw, source, "fingerprints", "[source]")
    if not isinstance(generic, bool):
        raise RuleFileError(path, "[source] generic must be true or false")
    if not generic and not hosts and not fingerprints:
        raise RuleFileError(path, "[source] needs hosts, fingerprints, or generic = true; otherwise it never applies")

    rules: dict[str, list] = {kind: [] for kind in RULE_KINDS}
    ids: set[str] = set()
    expansion = _Expansion(path)
    for kind in RULE_KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise RuleFileError(path, f"{kind} must be an array of tables: write [[{kind}]]")
        for index, entry in enumerate(entries):
            line = _line_of(raw, kind, index)
            where = f"[[{kind}]] #{index + 1}"
            if not isinstance(entry, dict):
                raise RuleFileError(path, f"{where} must be a table", line)
            allowed = _BLOCK_RULE_KEYS if kind == "drop_block" else _LINE_RULE_KEYS
            _check_keys(path, raw, entry, allowed, where, line)
            rule_id = entry.get("id")
            if not isinstance(rule_id, str) or not _ID.match(rule_id):
                raise RuleFileError(path, f"{where} needs an id of lower-case letters, digits, '-', '_' or '.'", line)
            if rule_id in ids:
                raise RuleFileError(path, f"{where}: id {rule_id!r} is used twice in this file", line)
            ids.add(rule_id)
            flags = 0 if entry.get("case_sensitive", False) else regex.IGNORECASE
            description = str(entry.get("description", ""))
            if kind == "drop_block":
                start = _compile(path, entry, "start", flags, where, line, True, expansion)
                end = _compile(path, entry, "end", flags, where, line, False, expansion)
                rules[kind].append(BlockRule(rule_id, start, end, description))
            else:
                pattern = _compile(path, entry, "pattern", flags, where, line, True, expansion)
                try:
                    empty = pattern.search("", timeout=EMPTY_LINE_SECONDS) is not None
                except (TimeoutError, MemoryError, RecursionError):
                    raise RuleFileError(path, f"{where} {rule_id!r}: pattern does not finish on an empty line", line) from None
                if empty:
                    raise RuleFileError(path, f"{where} {rule_id!r}: pattern matches the empty string", line)
                rules[kind].append(LineRule(rule_id, kind, pattern, description, prefilter_literals(pattern)))

    tests = []
    for index, entry in enumerate(data.get("test", [])):
        line = _line_of(raw, "test", index)
        where = f"[[test]] #{index + 1}"
        if not isinstance(entry, dict):
            raise RuleFileError(path, f"{where} must be a table", line)
        _check_keys(path, raw, entry, _TEST_KEYS, where, line)
        if not isinstance(entry.get("text"), str):
            raise RuleFileError(path, f"{where} needs text = '''...'''", line)
        tests.append(
            RuleTest(
                name=str(entry.get("name", f"test {index + 1}")),
                text=entry["text"],
                keep=tuple(_str_list(path, raw, entry, "keep", where)),
                drop=tuple(_str_list(path, raw, entry, "drop", where)),
                absent=tuple(_str_list(path, raw, entry, "absent", where)),
            )
        )

    heuristics = data.get("heuristics", {})
    line = _line_of(raw, "heuristics", 0, array=False)
    if not isinstance(heuristics, dict):
        raise RuleFileError(path, "heuristics must be a table: write [heuristics]", line)
    _check_keys(path, raw, heuristics, set(heuristic_threshold_names()), "[heuristics]", line)
    for key, value in heuristics.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise RuleFileError(path, f"[heuristics] {key} must be a number >= 0", line)

    return RuleSet(
        id=source_id,
        path=str(path),
        description=str(source.get("description", "")),
        generic=generic,
        hosts=tuple(h.lower() for h in hosts),
        fingerprints=tuple(fingerprints),
        keep=tuple(rules["keep"]),
        drop=tuple(rules["drop"]),
        drop_block=tuple(rules["drop_block"]),
        cut=tuple(rules["cut"]),
        heuristics=tuple(sorted(heuristics.items())),
        tests=tuple(tests),
    )


class _Expansion:
    """The nodes a file's patterns compile to so far (see `expanded_size`):
    each pattern is checked against `MAX_EXPANDED_SIZE`, and all of them
    together against `MAX_FILE_EXPANDED_SIZE`, before it is compiled."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0

    def add(self, pattern: str, name: str, line: int | None) -> None:
        size = expanded_size(pattern)
        if size > MAX_EXPANDED_SIZE:
            raise RuleFileError(
                self.path, f"{name} would compile to about {size:,} nodes (at most {MAX_EXPANDED_SIZE:,}): "
                "the regex module writes each repeated part out in memory", line,
            )
        self.total += size
        if self.total > MAX_FILE_EXPANDED_SIZE:
            raise RuleFileError(
                self.path, f"{name}: the file's patterns would compile to more than {MAX_FILE_EXPANDED_SIZE:,} "
                "nodes together: the regex module writes each repeated part out in memory", line,
            )


def _compile(path, entry, key, flags, where, line, required, expansion: _Expansion) -> regex.Pattern | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise RuleFileError(path, f"{where} needs {key} = a non-empty regular expression", line)
    name = f"{where} {entry.get('id', '')!r}"
    expansion.add(value, f"{name}: {key}", line)
    try:
        return regex.compile(value, flags)
    except regex.error as exc:
        raise RuleFileError(path, f"{name}: bad regex in {key}: {exc}", line) from None
    except (RecursionError, MemoryError, OverflowError):
        raise RuleFileError(path, f"{name}: {key} is nested too deeply or too large to compile", line) from None


def expanded_size(pattern: str) -> int:
    """About how many nodes the regex module writes out when it compiles
    `pattern`. The parts of a sequence and the alternatives of a group add
    up; a repeated part is written out as many times as its least count, and
    once more when it may repeat further (`x{200}` 200 times, `x{2,9}` three,
    `x+` two, `x*` and `x?` once), so nested repeats multiply.
    `(?:x{9999})` written 1,000 times in a row is 10,001,000 (it took 4.1 GB
    to compile), `(?:(?:x{200}){200}){200}` 8,080,401 (3.4 GB), and twenty
    nested `(...)+` 4,194,301 (`((x)+)+` and so on: 1.6 GB, for a pattern of
    61 characters).

    A reading of the pattern's text that may count more than the module
    writes, not less: a character or an escape counts one, a character set
    the characters between its brackets (the module stores it member by
    member), and a group, a loop or an alternative one more; inline flags and
    comments count nothing. So a pattern without `{m,n}` or `+` is at most
    its length."""
    totals = [0]  # the size so far of each open group, and of the whole pattern
    last = 0  # the size of the atom or group just read: what a quantifier repeats
    quantified = False  # the last token was a quantifier: a "?" or "+" now makes it lazy or possessive
    i = 0
    while i < len(pattern):
        char = pattern[i]
        counted = _COUNTED.match(pattern, i) if char == "{" else None
        if counted and counted.group() == "{}":  # "x{}" is the text "x{}"
            counted = None
        if quantified and char in "?+":
            i += 1
            quantified = False
            continue
        quantified = bool(counted) or char in "*+?"
        if counted or char in "*+?":
            copies = _copies(counted.group() if counted else char)
            repeated = last * copies + 1
            totals[-1] += repeated - last
            last = repeated
            i = counted.end() if counted else i + 1
        elif char == "(":
            opening = _GROUP_OPENING.match(pattern, i + 1)
            i = opening.end() if opening else i + 1
            if not (opening and opening.group().endswith(")")):  # else flags, a comment, a recursion: no group
                totals.append(1)
            last = 0
        elif char == ")" and len(totals) > 1:
            last = totals.pop()
            totals[-1] += last
            i += 1
        elif char == "|":
            last = 0
            totals[-1] += 1
            i += 1
        else:
            end, size = _atom(pattern, i)
            i, last = end, size
            totals[-1] += size
    return sum(totals)


def _copies(quantifier: str) -> int:
    """How many times the regex module writes out the part `quantifier`
    repeats (measured: `x{50000,100000}` costs what `x{50000}` does, and
    each of twenty nested `(...)+` or `(...){1,2}` doubles the memory)."""
    if quantifier in "*?":
        return 1
    if quantifier == "+":
        return 2
    least, comma, most = quantifier[1:-1].partition(",")
    least_count = int(least or 0)
    if not comma or most == least:  # {m} or {m,m}: exactly m times
        return max(least_count, 1)
    return least_count + 1 if least_count else 1  # {m,n} and {m,}: m, then a loop of one


def _atom(pattern: str, start: int) -> tuple[int, int]:
    """The end of the atom at `start` (a character, an escape or a character
    set) and its size: one, or for a set the characters between its brackets."""
    if pattern[start] == "\\":
        return _end_of_escape(pattern, start), 1
    if pattern[start] == "[":
        end = _end_of_set(pattern, start)
        return end, max(end - start - 2, 1)
    return start + 1, 1


def _end_of_set(pattern: str, start: int) -> int:
    """The index after the character set opening at `start`."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


# After the "(" of a group: the openings that write nothing out themselves.
# Those ending in ")" are whole (inline flags, a comment, a recursion or a
# named back-reference); the rest open a group whose content counts. An
# unclosed comment runs to the end, so that "(?#" a thousand times is read
# once, not a thousand times (the pattern does not compile anyway).
_GROUP_OPENING = re.compile(
    r"\?(?:#[^)]*\)?|[-a-zA-Z]*\)|[-+]?\d+\)|&\w+\)|P[=>]\w+\)|P?<\w+>|'\w+'|<[=!]|[-a-zA-Z]*:|[=!>|])"
)
# The escapes that take a braced or bracketed argument: \x{263a}, \N{DASH},
# \p{L}, \g<name>. An unclosed one runs to the end, as a comment does.
_ESCAPE_ARGUMENT = re.compile(r"[xNpP]\{[^}]*\}?|g<[^>]*>?")


def _end_of_escape(pattern: str, start: int) -> int:
    """The index after the escape at `start` (a backslash)."""
    argument = _ESCAPE_ARGUMENT.match(pattern, start + 1)
    return argument.end() if argument else start + 2


def _check_keys(path, raw, table: dict, allowed: set[str], where: str, line: int | None = None) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RuleFileError(
            path, f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})", line
        )


def _str_list(path, raw, table: dict, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleFileError(path, f"{where}: {key} must be a list of non-empty strings")
    return value


def _line_of(raw: str, table: str, index: int, array: bool = True) -> int | None:
    """1-based line of the `index`-th ``[[table]]`` (or ``[table]``) header.

    tomllib gives no positions for valid documents, so the header is found in
    the text; good enough to point a person at the right table.
    """
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]" if array else rf"^\s*\[\s*{re.escape(table)}\s*\]")
    count = 0
    for number, text in enumerate(raw.splitlines(), start=1):
        if header.match(text):
            if count == index:
                return number
            count += 1
    return None
