"""The `cleaner` command: a thin adapter over the library.

Exit codes: 0 all good; 1 some documents failed, or (check) problems found;
2 usage error, unreadable rule file, a plan that would write over an input
or write one output twice, or an output folder in use by another run;
130 interrupted (Ctrl-C); 141 standard output closed under it (a pipe).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from . import __version__
from .batch import BatchOptions, run_batch
from .checking import run_checks
from .cliargs import (
    add_limit_options,
    add_rule_options,
    add_threshold_option,
    config_from_args,
    count_argument,
    max_doc_bytes,
)
from .config import ConfigError
from .engines import ENGINES, EngineUnavailable, cleaner_for, default_jobs, make_engine
from .formats import (
    RESULT_FIELDS,
    ByteReader,
    DocumentOptions,
    Filters,
    TooLarge,
    clean_document,
    format_of,
    over_line_limit,
)
from .formats.base import outcome
from .htmlreport import DEFAULT_MAX_TEXTS, read_records, write_report
from .outputs import OutputFolder, OutputFolderInUse
from .pathnames import path_of, printable, shown
from .pipeline import Cleaner
from .plan import UsageError, another_runs_place, check_plan, find_inputs
from .progress import ERRORS_LISTED, ProgressBar, Summary, to_stderr
from .records import REJECTED
from .reportfile import ReportFile
from .rulefile import RuleFileError
from .steps.decode import NotTextError
from .tablecache import CacheNotUsed

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141
# Failures printed one a line as they happen; the rest are in the summary's
# count and the report (a corpus can hold millions of broken records).
ERRORS_PRINTED = 100
T = TypeVar("T")


# The standard streams the caller closed (`1>&-`), which `main` pointed at
# the null device.
CLOSED_STREAMS: set[str] = set()


def main(argv: list[str] | None = None) -> int:
    for name in ("stdout", "stderr"):  # closed by the caller (2>&-): write nowhere rather than fail
        if getattr(sys, name) is None:
            CLOSED_STREAMS.add(name)
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115 - for the rest of the process
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    with warnings.catch_warnings():
        warnings.simplefilter("always", CacheNotUsed)
        previous = warnings.showwarning
        warnings.showwarning = _show_warning
        stdout = sys.stdout
        sys.stdout = _Guarded(stdout)
        handlers = _stop_on_termination()
        try:
            return args.run(args)
        except (UsageError, RuleFileError, ConfigError) as exc:
            _error(str(exc))
            return EXIT_USAGE
        except Terminated as exc:
            _error(f"stopped by {signal.Signals(exc.signum).name}")
            return 128 + exc.signum
        except KeyboardInterrupt:
            _error("interrupted")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader of standard output went away (`cleaner explain x | head`):
            # nothing more to say, and nothing to say it to.
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        except StandardOutputFailed as exc:
            # Standard output cannot take more (`> /dev/full`, a full disk):
            # one line, not a traceback, and not again at exit.
            _error(f"cannot write to standard output: {exc.strerror or exc}")
            _silence_stdout()
            return EXIT_PROBLEMS
        finally:
            warnings.showwarning = previous
            sys.stdout = stdout
            for signum, handler in handlers.items():
                signal.signal(signum, handler)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, CacheNotUsed):
        _error(f"note: {message}")
    else:
        print(warnings.formatwarning(message, category, filename, lineno, line), file=sys.stderr, end="")


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP. A batch stops after the work in hand, as at a
    first Ctrl-C (see `_stop_between_steps_on_ctrl_c`); any other command
    at once. Either way what was being written is removed on the way out
    (the finally blocks that abort temporary files run for it, as they
    cannot for kill -9)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame) -> None:
    raise Terminated(signum)


def _stop_on_termination() -> dict[int, object]:
    """Install the SIGTERM and SIGHUP handlers; the ones they replace, by
    signal (none where this is not the main thread: a library caller's)."""
    replaced = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            replaced[signum] = signal.signal(signum, _raise_terminated)
        except ValueError:  # not the main thread
            break
    return replaced


class StandardOutputFailed(OSError):
    """A write to standard output failed (but for a closed pipe)."""


class _Guarded:
    """Standard output, whose failures are told apart from those of the
    files a command reads and writes: those name their file, these do not."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StandardOutputFailed(exc.errno, exc.strerror) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StandardOutputFailed(exc.errno, exc.strerror) from exc

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- commands -----------------------------------------------------------------


def cmd_clean(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    options = _document_options(args)
    if "-" in args.paths or args.output == "-":
        if args.paths != ["-"] or args.output != "-":
            raise UsageError("- (standard input) goes with -o - (standard output), and alone: one document in, its text out")
        given = [name for name, value in (("--report", args.report), ("--html-report", args.html_report),
                                          ("--rejects", args.rejects), ("--resume", args.resume)) if value]
        if given:
            raise UsageError(f"{', '.join(given)}: for a run into an output folder; with - -o - the cleaned "
                             "text is all that is written")
        return _clean_stdin(args, options)
    if not args.output:
        raise UsageError("-o: the output folder's name is empty")
    out_path = Path(args.output)
    found = find_inputs(args.paths)
    if not found.inputs:
        raise UsageError(f"no .txt, .html or .jsonl files (plain, .gz or .zst) in {' '.join(map(shown, args.paths))}")
    if args.url and len(found.inputs) != 1:
        raise UsageError(f"--url is for one document; {len(found.inputs)} files were found (give the URLs in a JSONL file)")
    reports = [Path(p) for p in (args.report, args.html_report, args.rejects) if p]
    check_plan(found, out_path, reports)  # before anything is written
    # Rule files are checked before anything is written. The cleaner is the
    # one this process's tasks use (and forked workers inherit): building a
    # second (compiling the rules again) was most of 0.2 s of start-up.
    cleaner = cleaner_for(config_from_args(args))
    _check_source(cleaner, options.source)
    cores = default_jobs()
    jobs = args.jobs or cores
    if args.engine == "local" and jobs > MAX_JOBS_PER_CORE * cores:
        raise UsageError(f"--jobs {jobs}: more than {MAX_JOBS_PER_CORE} worker processes for each of this machine's "
                         f"{cores} cores (each holds about 150 MB)")
    try:
        engine = make_engine(args.engine, jobs, cleaner.config, scheduler=args.scheduler)
    except EngineUnavailable as exc:
        raise UsageError(str(exc)) from None
    try:
        return _clean_into(args, cleaner, found, out_path, engine, options, reports)
    finally:
        engine.close()


# Local worker processes beyond this many a core only add memory: the work
# is CPU-bound. (A run given 100,000 started forking them.)
MAX_JOBS_PER_CORE = 4


def _check_source(cleaner: Cleaner, source: str | None) -> None:
    """`--source` names a rule set: one the run does not have is a usage
    error before anything is written, not a failure of every document."""
    known = sorted(r.id for r in cleaner.rule_sets if not r.generic)
    if source is not None and source not in known:
        raise UsageError(f"--source {source!r}: no rule file has that [source] id (known: {', '.join(known) or 'none'})")


def language_codes() -> frozenset[str]:
    """The language codes langdetect gives (its profiles' names): the codes
    `--languages` may name."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return frozenset(os.listdir(PROFILES_DIRECTORY))


def _document_options(args: argparse.Namespace) -> DocumentOptions:
    languages = frozenset(code.strip() for code in (args.languages or "").split(",") if code.strip())
    known = language_codes()
    unknown = sorted(languages - known)
    if unknown:
        # A typo ("eng" for "en") would reject every document of the run.
        raise UsageError(f"--languages: {', '.join(map(repr, unknown))} is no language code langdetect gives "
                         f"(its codes: {', '.join(sorted(known))})")
    filters = Filters(languages, args.min_chars or 0, args.min_words or 0, args.drop_spun_docs)
    return DocumentOptions(
        max_bytes=max_doc_bytes(args),
        max_lines=args.max_doc_lines,
        keep_empty=args.keep_empty,
        filters=filters,
        result=args.result,
        text_key=args.text_key,
        html_key=args.html_key,
        id_key=args.id_key,
        url_key=args.url_key,
        with_metadata=args.with_metadata,
        url=args.url,
        source=args.source,
    )


def _clean_stdin(args: argparse.Namespace, options: DocumentOptions) -> int:
    """`cleaner clean - -o -`: one document on standard input (text or HTML,
    told apart by its content), its cleaned text on standard output; a
    failure is one line on standard error and exit code 1."""
    if "stdout" in CLOSED_STREAMS:  # the cleaned text is all this writes: it must not go nowhere
        _error("-o -: standard output is closed; the cleaned text would go nowhere")
        return EXIT_PROBLEMS
    cleaner = Cleaner(config_from_args(args))
    data = sys.stdin.buffer.read(options.max_bytes + 1)
    if len(data) > options.max_bytes:
        _error(f"-: {TooLarge(options.max_bytes)}")
        return EXIT_PROBLEMS
    result = clean_document(cleaner, data, content_type=None, url=options.url, source=options.source,
                            max_lines=options.max_lines)
    if isinstance(result, str):
        _error(f"-: {result}")
        return EXIT_PROBLEMS
    status, rejected = outcome(result, options)
    if status == REJECTED:
        _error(f"-: rejected: {rejected}")
        return EXIT_OK
    sys.stdout.write(result.text)
    sys.stdout.flush()
    return EXIT_OK


def _clean_into(args, cleaner: Cleaner, found, out_path: Path, engine, options: DocumentOptions,
                reports: list[Path]) -> int:
    try:
        out = OutputFolder.open_locked(out_path)
    except OutputFolderInUse as exc:
        raise UsageError(f"{exc.filename}: {exc.strerror}; wait for it to end, or clean into another folder") from None
    except OSError as exc:
        raise UsageError(f"{shown(out_path)}: cannot make or open the output folder: {exc.strerror or exc}") from None
    try:
        # Again, now that this run holds its folder: two runs started at once
        # into folders one inside the other each checked the plan before the
        # other held its lock. Now at least the second to lock sees the first.
        check_plan(found, out_path, reports)
    except BaseException:
        out.close()
        raise
    report = visual = rejects = None
    try:
        report = _open_report(Path(args.report), Path(args.report), keep=True) if args.report else None
        if args.html_report and report is None:  # the visual report is built from a JSONL one, kept meanwhile beside it
            html_report = Path(args.html_report)
            visual = _open_report(html_report.with_name(html_report.name + ".records"), html_report, keep=False)
        rejects = _open_report(Path(args.rejects), Path(args.rejects), keep=True) if args.rejects else None
        summary, seconds = _run(args, cleaner, found, out, engine, options, [r for r in (report, visual) if r], rejects)
    except BaseException:
        for writer in (report, visual, rejects):
            if writer is not None:
                writer.abort()
        out.close()
        raise
    out.close()
    status = EXIT_PROBLEMS if summary.totals["error"] or summary.notices else EXIT_OK
    for writer in (report, rejects):
        if writer is not None:
            writer.close()
    source = report or visual
    if args.html_report and source.finish():
        try:
            write_report(source.records, source.base, Path(args.html_report))
        except OSError as exc:
            source.error = f"cannot write the visual report {shown(args.html_report)}: {exc.strerror or exc}"
    for writer in (report, visual, rejects):
        if writer is not None:
            if writer is visual:
                writer.close()  # not kept: removed
            writer.release()
            if writer.error:
                _error(writer.error)
                status = EXIT_PROBLEMS
    written = {writer: writer.error is None for writer in (report, visual) if writer is not None}
    to_stderr(summary.text(
        seconds, shown(out_path), shown(args.report) if report is not None and written[report] else None,
        shown(args.html_report) if args.html_report and written[report or visual] else None,
    ))
    return status


def _open_report(path: Path, asked: Path, *, keep: bool) -> ReportFile:
    try:
        return ReportFile(path, keep=keep)
    except OSError as exc:
        raise UsageError(f"{shown(asked)}: cannot write the report there: {exc.strerror or exc}") from None


def _run(args, cleaner: Cleaner, found, out: OutputFolder, engine, document: DocumentOptions,
         reports: list[ReportFile], rejects: ReportFile | None) -> tuple[Summary, float]:
    started = time.monotonic()
    summary = Summary.of(found)
    progress = ProgressBar(sum(_size(item.path) for item in found.inputs), enabled=_use_progress(sys.stderr))
    options = BatchOptions(
        document=document,
        resume=args.resume,
        in_flight=4 * engine.workers,  # a few tasks per worker: none waits for work, memory stays flat
        # Without a report, only the summary reads the records: their counts
        # do, and the failed, empty and rejected ones it prints or lists
        # (one past the printed ones, for the line that says more failed).
        records_kept=None if reports else max(ERRORS_PRINTED, ERRORS_LISTED) + 1,
    )
    steps = run_batch(cleaner, found.inputs, out, engine, options)
    printed = 0  # failures printed as they happened
    try:
        for step in _stop_between_steps_on_ctrl_c(steps):
            summary.add(step)
            for notice in step.notices:
                progress.write(f"cleaner: {notice}")
            for record in step.records:
                if not record.was_cleaned and not step.quiet:
                    printed += 1
                    if printed <= ERRORS_PRINTED:
                        progress.write(f"cleaner: {record.path}: {record.error}")
                    elif printed == ERRORS_PRINTED + 1:
                        progress.write(f"cleaner: more documents failed; the summary counts them, and the report "
                                       "lists them" + ("" if args.report else " (--report)"))
                for report in reports:
                    report.add(record)
            if rejects is not None:
                for line in step.rejects:
                    rejects.write_line(line)
            progress.update(step, summary)
    finally:
        steps.close()  # now, not when the traceback is freed: its temporary files go
        progress.close()
    return summary, time.monotonic() - started


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _stop_between_steps_on_ctrl_c(steps: Iterator[T]) -> Iterator[T]:
    """`steps`, but a first Ctrl-C (or SIGTERM, or SIGHUP) stops the run
    between two of them, where every temporary file is known to the code
    that removes it (an interrupt in the middle of creating one could leave
    it behind); a second stops at once."""
    asked: int | None = None

    def stop(signum: int) -> None:
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated(signum)

    def handler(signum, frame):
        nonlocal asked
        if asked is not None:
            stop(signum)
        asked = signum
        again = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        print(f"cleaner: stopping after the work in hand ({again} again to stop at once)", file=sys.stderr)

    signals = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    try:
        previous = {signum: signal.signal(signum, handler) for signum in signals}
    except ValueError:  # not the main thread (a library caller's thread): no handler of ours
        yield from steps
        return
    try:
        for step in steps:
            yield step
            if asked is not None:
                stop(asked)
    finally:
        for signum, was in previous.items():
            signal.signal(signum, was)


def cmd_check(args: argparse.Namespace) -> int:
    cleaner = Cleaner(config_from_args(args))
    found = find_inputs(args.paths)
    for path, why in found.skipped:
        _error(f"{path}: skipped: {why}")
    return run_checks(cleaner, (item.path for item in found.inputs), fix=args.fix,
                      max_bytes=max_doc_bytes(args), max_lines=args.max_doc_lines)


def cmd_explain(args: argparse.Namespace) -> int:
    cleaner = Cleaner(config_from_args(args))
    path = Path(args.file)
    input_format, compression = format_of(path, named=True)
    many = input_format.output_suffix == ".jsonl"  # a file of many documents: one is chosen by its line
    if many and args.record is None:
        raise UsageError(f"{shown(path)} holds one document a line: choose one with --record N (its line number)")
    where = f"{shown(path)}:{args.record}" if many else shown(path)
    try:
        with ByteReader.open(path, compression) as reader:
            found = dict(input_format.originals(reader, {args.record if many else None}, max_doc_bytes(args)))
    except OSError as exc:
        raise UsageError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except TooLarge as exc:
        raise UsageError(f"{where}: {exc}") from None
    if many and args.record in found and found[args.record] is None:  # in clean's words
        raise UsageError(f"{where}: line {TooLarge(max_doc_bytes(args))}")
    original = found.get(args.record if many else None)
    if original is None:
        raise UsageError(f"{where}: no document there (a blank line, or not a JSON object with text or html)")
    # Held to `clean`'s limits, with its words: a million short lines took
    # a minute and a gigabyte to explain.
    refused = over_line_limit(original.data, original.content_type, args.max_doc_lines)
    if refused:
        raise UsageError(f"{where}: {refused}")
    try:
        result = cleaner.clean(original.data, url=args.url or original.url, source=args.source,
                               content_type=original.content_type)
    except (NotTextError, ValueError) as exc:
        raise UsageError(f"{where}: {exc}") from None
    color = _use_color(sys.stdout)
    paint = (lambda code, s: f"\033[{code}m{s}\033[0m") if color else (lambda code, s: s)
    print(f"{where}: source {result.source or '-'}, language {result.language.code or '-'}"
          f" ({result.language.confidence if result.language.confidence is not None else result.language.reason}),"
          f" encoding {result.decoding.encoding}" + (", extracted from HTML" if result.extracted else ""))
    cuts = {c.line: c for c in result.cuts}
    for label in result.labels:
        verdict = paint("32", "keep") if label.keep else paint("31", "DROP")
        # A document's text is printed with its control characters written
        # out: an escape sequence in a page must not drive the terminal.
        reason = "" if label.reason == "content" else f" [{label.reason}{': ' + printable(label.detail) if label.detail else ''}]"
        text = printable(label.text) if label.keep else paint("2", printable(label.text))
        print(f"{label.line:5} {verdict}{paint('33', reason)} {text}")
        if label.line in cuts:
            print(f"{'':5}      {paint('33', '[' + cuts[label.line].reason + ']')} cut {cuts[label.line].text!r}")
    for repair in result.repairs:
        print(f"repair line {repair.line}: {', '.join(repair.fixes)}")
    spun = result.spun
    if spun.score is None:
        print(f"spun: {spun.reason}")
    else:
        print(f"spun: score {spun.score:.2f}, {'FLAGGED' if spun.flagged else 'not flagged'} (threshold {cleaner.config.spun_threshold})")
        for passage in spun.passages:
            print(f"  line {passage.line}: {passage.score:.2f}  {printable('; '.join(passage.evidence))}")
    for warning in result.warnings:
        print(f"warning: {printable(warning)}")
    sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    source = Path(args.report)
    out = Path(args.output)
    try:
        # The whole report is checked before anything is written, and the
        # page may go over neither it nor a document it names.
        count = 0
        named: set[Path] = {Path(os.path.realpath(source))}
        base = source.resolve().parent
        for record in read_records(source):
            count += 1
            for name in (record.file, record.output):
                if name is not None:
                    named.update(_paths_named(name, base))
        real = Path(os.path.realpath(out))
        if real in named:
            raise UsageError(f"{shown(out)}: is the report, a document it names or an output; write the page elsewhere")
        elsewhere = another_runs_place(real)
        if elsewhere:
            raise UsageError(f"{shown(out)}: {elsewhere}")
        if real.exists() and not real.is_file():
            raise UsageError(f"{shown(out)}: is there already, and not a regular file")
        write_report(lambda: read_records(source), base, out, max_texts=args.max_texts)
    except FileNotFoundError as exc:
        raise UsageError(f"{shown(exc.filename or source)}: {exc.strerror}") from None
    except OSError as exc:
        where = exc.filename if exc.filename else source
        raise UsageError(f"{shown(where)}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(str(exc)) from None
    print(f"{count} documents -> {shown(out)}", file=sys.stderr)
    return EXIT_OK


def _paths_named(name: str, base: Path) -> set[Path]:
    """The files a report's `file` or `output` may stand for: read against
    the report's folder and against this one (a relative output name is
    the run's), and, where it holds a backslash, both as a shown name and
    as it is ("a\\xffb" is also how a name holding the byte 0xff is shown)."""
    readings = {path_of(name), name} if "\\" in name else {name}
    places = {base} if os.path.isabs(name) else {base, Path.cwd()}
    return {Path(os.path.realpath(place / reading)) for reading in readings for place in places}


def cmd_rules_test(args: argparse.Namespace) -> int:
    from .ruletests import run_rule_tests

    cleaner = Cleaner(config_from_args(args))
    failed = 0
    for rule_set in cleaner.rule_sets:
        failures = run_rule_tests(cleaner, rule_set)
        print(f"{'FAIL' if failures else 'ok  '} {rule_set.id} ({len(rule_set.tests)} tests) {rule_set.path}")
        for failure in failures:
            print(f"     {failure}")
        failed += bool(failures)
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_rules_list(args: argparse.Namespace) -> int:
    cleaner = Cleaner(config_from_args(args))
    for r in cleaner.rule_sets:
        match = "every document" if r.generic else ", ".join([*r.hosts, *(repr(f) for f in r.fingerprints)])
        rules = len(r.keep) + len(r.drop) + len(r.drop_block) + len(r.cut)
        print(f"{r.id}: {rules} rules, {len(r.tests)} tests; applies to {match}  ({r.path})")
    return EXIT_OK


# --- helpers --------------------------------------------------------------------


def _use_progress(stream) -> bool:
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _use_color(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _error(message: str) -> None:
    to_stderr(f"cleaner: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner",
        description="Strip boilerplate (navigation, ads, related links, directories, captions) from scraped "
        "articles, repair their text, and score passages that look machine-spun.",
        epilog="Exit codes: 0 all good; 1 documents failed or problems found; 2 usage error, bad rule file, "
        "an output that would land on an input, or an output folder in use by another run; 130 interrupted; "
        "141 standard output closed (a pipe). "
        "Built word tables are kept in ~/.cache/cleaner (CLEANER_CACHE_DIR: elsewhere; set and empty: off), "
        "so that later runs start faster.",
    )
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    add_rule_options(common)
    common.add_argument("--no-builtin-rules", action="store_true", help="use only the rule files given with --rules")
    add_threshold_option(common)

    clean = sub.add_parser("clean", parents=[common], help="clean files and folders into an output folder",
                           description="Clean .txt, .html/.htm and .jsonl files, plain or compressed (.gz, .zst); "
                           "folders are searched recursively. a/b.html becomes OUT/a/b.txt; a .jsonl file becomes "
                           "OUT/<name>.jsonl with one cleaned record per input record (compressed as the input was). "
                           "Outputs appear only when complete. A progress bar shows on a terminal; a summary "
                           "follows. Inputs are never modified: a run that could write over an input, or write one "
                           "output twice, is refused before it writes anything. Links inside input folders are not "
                           "followed (the summary lists them). Only one run at a time writes into an output folder.")
    clean.add_argument("paths", nargs="+", metavar="PATH",
                       help="files or folders to clean; - reads one document from standard input (with -o -)")
    clean.add_argument("-o", "--output", required=True, metavar="OUT",
                       help="output folder (not inside an input folder); - writes the cleaned text of the one "
                       "document read from - to standard output")
    clean.add_argument("--report", metavar="FILE.jsonl", help="write one JSON record per document: what was dropped and why")
    clean.add_argument("--html-report", metavar="FILE.html", help="also write the visual report (see 'cleaner report')")
    clean.add_argument("--url", help="the URL of the one document cleaned (selects a source's rule file by host)")
    clean.add_argument("--source", help="use this source's rule file (its [source] id) for every document")
    outcomes = clean.add_argument_group(
        "what becomes of a document",
        "A document left empty (all boilerplate) has status 'empty' and, from a text or HTML file, no output. "
        "A filter rejects a cleaned document with its reason (status 'rejected'): it is left out of the "
        "output, and goes whole to --rejects if given. JSONL outputs keep every other record, a failed one "
        "as it came with its error.")
    outcomes.add_argument("--keep-empty", action="store_true", help="write a text or HTML file's output even when it is empty")
    outcomes.add_argument("--languages", metavar="CODES",
                          help="keep only documents in these languages, e.g. en,de (langdetect's codes)")
    outcomes.add_argument("--min-chars", type=count_argument, metavar="N", help="reject documents left with fewer characters")
    outcomes.add_argument("--min-words", type=count_argument, metavar="N", help="reject documents left with fewer words")
    outcomes.add_argument("--drop-spun-docs", action="store_true", help="reject documents flagged as spun")
    outcomes.add_argument("--rejects", metavar="FILE.jsonl", help="write rejected documents there, whole, with the reason")
    corpus = clean.add_argument_group("JSONL records")
    corpus.add_argument("--result", choices=RESULT_FIELDS, default="summary",
                        help="what an output record carries under 'cleaner': a summary (status, language, spun "
                        "score, dropped lines by reason; the default), the full result, or none")
    corpus.add_argument("--text-key", default="text", metavar="KEY", help="the key of a record's text (default text)")
    corpus.add_argument("--html-key", default="html", metavar="KEY", help="the key of a record's HTML (default html)")
    corpus.add_argument("--id-key", default="id", metavar="KEY", help="the key of a record's id (default id)")
    corpus.add_argument("--url-key", default="url", metavar="KEY", help="the key of a record's URL (default url)")
    corpus.add_argument("--with-metadata", action="store_true",
                        help="add the page's title, author and date to output records made from HTML")
    add_limit_options(clean)
    clean.add_argument("--jobs", type=count_argument, metavar="N",
                       help="worker processes (default: all cores); with --engine dask, the local cluster's workers")
    clean.add_argument("--resume", action="store_true",
                       help="skip outputs already complete and up to date: same input bytes, rule files, options "
                       "and version (recorded under OUT/.cleaner-state/)")
    clean.add_argument("--engine", choices=ENGINES, default="local",
                       help="where the work runs: worker processes here (default), or Dask (pip install 'scrape-cleaner[dask]')")
    clean.add_argument("--scheduler", metavar="ADDRESS",
                       help="with --engine dask: a running scheduler, e.g. tcp://10.0.0.5:8786 "
                       "(default: start a local cluster of --jobs workers)")
    spun = clean.add_mutually_exclusive_group()
    spun.add_argument("--drop-spun", action="store_true", help="drop flagged spun passages instead of only reporting them")
    spun.add_argument("--no-spun", action="store_true", help="do not score spun text (faster; the report's spun score is null)")
    clean.set_defaults(run=cmd_clean)

    check = sub.add_parser("check", parents=[common], help="report boilerplate and spun text; exit 1 if any",
                           description="Print FILE:LINE: REASON for every line that cleaning would drop, cut or "
                           "repair, and every spun passage. Exit 1 if there is any. With --fix, text files are "
                           "rewritten with the cleaned text, and what the fix left is listed.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    check.add_argument("--fix", action="store_true", help="rewrite .txt files in place with the cleaned text (other files are only checked)")
    check.add_argument("--drop-spun", action="store_true", help="with --fix, also remove flagged spun passages")
    add_limit_options(check)
    check.set_defaults(run=cmd_check)

    explain = sub.add_parser("explain", parents=[common], help="show every line of a file with keep/drop and the reason",
                             description="Print each line with its verdict and reason, the repairs, the cuts and the "
                             "spun passages with their evidence.")
    explain.add_argument("file", metavar="FILE", help="a text or HTML file (plain or compressed), or a JSONL file with --record")
    explain.add_argument("--record", type=count_argument, metavar="N", help="in a JSONL file: the record on line N")
    explain.add_argument("--url", help="the page's URL (selects a source's rule file by host)")
    explain.add_argument("--source", help="use this source's rule file (its [source] id)")
    add_limit_options(explain)
    explain.set_defaults(run=cmd_explain)

    report = sub.add_parser("report", help="turn a JSON report into one self-contained HTML page",
                            description="Build a page (no network needed: styles, script and charts are inline) with "
                            "a summary, a sortable and filterable table of documents, and each document's text with "
                            "dropped lines struck through and spun passages highlighted. The original files named in "
                            "the report are read again for their text.")
    report.add_argument("report", metavar="REPORT.jsonl", help="what 'cleaner clean --report' wrote")
    report.add_argument("-o", "--output", required=True, metavar="FILE.html")
    report.add_argument("--max-texts", type=count_argument, default=DEFAULT_MAX_TEXTS, metavar="N",
                        help=f"embed the text of at most N documents (default {DEFAULT_MAX_TEXTS}); "
                        "the others show their dropped lines only")
    report.set_defaults(run=cmd_report)

    rules = sub.add_parser("rules", help="list rule files or run their test cases")
    rules_sub = rules.add_subparsers(title="rules commands", metavar="ACTION")
    rules_test = rules_sub.add_parser("test", parents=[common], help="run every rule file's [[test]] cases")
    rules_test.set_defaults(run=cmd_rules_test)
    rules_list = rules_sub.add_parser("list", parents=[common], help="list the rule files in use")
    rules_list.set_defaults(run=cmd_rules_list)
    rules.set_defaults(run=lambda args: (rules.print_help(sys.stderr), EXIT_USAGE)[1])
    return parser


if __name__ == "__main__":
    sys.exit(main())
