"""The `cleaner` command: a thin adapter over the library.

Exit codes: 0 all good; 1 some documents failed, or (check) problems found;
2 usage error, unreadable rule file, or an output folder inside the input.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from . import __version__
from .batch import Engine, default_jobs, local_engine, run_batch
from .checking import run_checks
from .config import Config, make_config
from .files import (
    CONTENT_TYPES,
    KINDS,
    AtomicWriter,
    UsageError,
    check_output_folder,
    file_size,
    find_inputs,
    remove_stale_temporaries,
)
from .htmlreport import DEFAULT_MAX_TEXTS, read_records, write_report
from .pipeline import Cleaner
from .progress import ProgressBar, Summary
from .rulefile import RuleFileError
from .steps.decode import NotTextError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except (UsageError, RuleFileError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130


# --- commands -----------------------------------------------------------------


def cmd_clean(args: argparse.Namespace) -> int:
    out_dir = Path(args.output)
    check_output_folder(out_dir, args.paths)
    for extra in (args.report, args.html_report):
        if extra:
            check_output_folder(Path(extra), args.paths)
    cleaner = Cleaner(config_from_args(args))  # rule files are checked before anything is written
    items = find_inputs(args.paths)
    if not items:
        raise UsageError(f"no .txt, .html or .jsonl files (plain, .gz or .zst) in {' '.join(args.paths)}")
    started = time.monotonic()
    engine = _engine(args, args.jobs or default_jobs(), cleaner.config)  # may be refused: nothing is written yet
    if args.resume:  # once, before this run makes temporary files of its own
        remove_stale_temporaries(out_dir)
        if args.report:
            remove_stale_temporaries(Path(args.report).parent, Path(args.report).name)
    report = AtomicWriter(Path(args.report)) if args.report else None
    kept_records: list[dict] | None = [] if args.html_report else None
    summary = Summary(files=len(items))
    progress = ProgressBar(sum(file_size(item.path) for item in items), enabled=_use_progress(sys.stderr))
    # A few tasks per worker in flight: none waits for work, memory stays flat.
    steps = run_batch(cleaner, items, out_dir, engine, resume=args.resume, in_flight=4 * engine.workers)
    try:
        for step in _stop_between_steps_on_ctrl_c(steps):
            summary.add(step)
            for record in step.records:
                if record["status"] == "error":
                    progress.write(f"cleaner: {record['path']}: {record['error']}")
                if report is not None:
                    report.write(json.dumps(record, ensure_ascii=False) + "\n")
                if kept_records is not None:
                    kept_records.append(record)
            progress.update(step, summary)
    except BaseException:
        if report is not None:
            report.abort()
        raise
    finally:
        steps.close()  # now, not when the traceback is freed: its temporary files go
        progress.close()
        engine.close()
    if report is not None:
        report.commit()
    if kept_records is not None:
        write_report(kept_records, Path(args.html_report))
    print(summary.text(time.monotonic() - started, out_dir, args.report, args.html_report), file=sys.stderr)
    return EXIT_PROBLEMS if summary.totals["error"] else EXIT_OK


def _stop_between_steps_on_ctrl_c(steps: Iterator[T]) -> Iterator[T]:
    """`steps`, but a first Ctrl-C stops the run between two of them, where
    every temporary file is known to the code that removes it (an interrupt
    in the middle of creating one could leave it behind); a second Ctrl-C
    stops at once."""
    asked = False

    def handler(signum, frame):
        nonlocal asked
        if asked:
            raise KeyboardInterrupt
        asked = True
        print("cleaner: stopping after the work in hand (Ctrl-C again to stop at once)", file=sys.stderr)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (a library caller's thread): no handler of ours
        yield from steps
        return
    try:
        for step in steps:
            yield step
            if asked:
                raise KeyboardInterrupt
    finally:
        signal.signal(signal.SIGINT, previous)


def _engine(args: argparse.Namespace, jobs: int, config: Config) -> Engine:
    if args.engine == "local":
        if args.scheduler:
            raise UsageError("--scheduler goes with --engine dask")
        return local_engine(jobs, config)
    from .dask_engine import DaskEngine, DaskUnavailable

    try:
        return DaskEngine(args.scheduler, jobs)
    except DaskUnavailable as exc:
        raise UsageError(str(exc)) from None


def cmd_check(args: argparse.Namespace) -> int:
    cleaner = Cleaner(config_from_args(args))
    return run_checks(cleaner, (item.path for item in find_inputs(args.paths)), fix=args.fix)


def cmd_explain(args: argparse.Namespace) -> int:
    cleaner = Cleaner(config_from_args(args))
    path = Path(args.file)
    try:
        data = path.read_bytes()
        result = cleaner.clean(data, url=args.url, source=args.source, content_type=CONTENT_TYPES.get(KINDS.get(path.suffix.lower())))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (NotTextError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    color = _use_color(sys.stdout)
    paint = (lambda code, s: f"\033[{code}m{s}\033[0m") if color else (lambda code, s: s)
    print(f"{path}: source {result.source or '-'}, language {result.language.code or '-'}"
          f" ({result.language.confidence if result.language.confidence is not None else result.language.reason}),"
          f" encoding {result.decoding.encoding}" + (", extracted from HTML" if result.extracted else ""))
    cuts = {c.line: c for c in result.cuts}
    for label in result.labels:
        verdict = paint("32", "keep") if label.keep else paint("31", "DROP")
        reason = "" if label.reason == "content" else f" [{label.reason}{': ' + label.detail if label.detail else ''}]"
        text = label.text if label.keep else paint("2", label.text)
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
            print(f"  line {passage.line}: {passage.score:.2f}  {'; '.join(passage.evidence)}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    source = Path(args.report)
    try:
        records = read_records(source)
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(str(exc)) from None
    write_report(records, Path(args.output), max_texts=args.max_texts)
    print(f"{len(records)} documents -> {args.output}", file=sys.stderr)
    return EXIT_OK


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


def config_from_args(args: argparse.Namespace) -> Config:
    """The options every command (and the hook) shares, from parsed arguments."""
    overrides: dict = {"rules_dirs": tuple(args.rules or ())}
    if getattr(args, "spun_threshold", None) is not None:
        overrides["spun_threshold"] = args.spun_threshold
    if getattr(args, "drop_spun", False):
        overrides["drop_spun"] = True
    if getattr(args, "no_spun", False):
        overrides["score_spun"] = False
    if getattr(args, "no_builtin_rules", False):
        overrides["builtin_rules"] = False
    return make_config(**overrides)


def _use_progress(stream) -> bool:
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _use_color(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _error(message: str) -> None:
    print(f"cleaner: {message}", file=sys.stderr)


def threshold_argument(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def _jobs(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner",
        description="Strip boilerplate (navigation, ads, related links, directories, captions) from scraped "
        "articles, repair their text, and score passages that look machine-spun.",
        epilog="Exit codes: 0 all good; 1 documents failed or problems found; 2 usage error or bad rule file. "
        "Built word tables are kept in ~/.cache/cleaner (CLEANER_CACHE_DIR: elsewhere; set and empty: off), "
        "so that later runs start faster.",
    )
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", metavar="DIR", action="append",
                        help="a folder of extra rule files (*.toml), read after the built-in ones; repeatable")
    common.add_argument("--no-builtin-rules", action="store_true", help="use only the rule files given with --rules")
    common.add_argument("--spun-threshold", metavar="X", type=threshold_argument,
                        help=f"spun score (0..1) at which a document or passage is flagged (default {Config().spun_threshold})")

    clean = sub.add_parser("clean", parents=[common], help="clean files and folders into an output folder",
                           description="Clean .txt, .html/.htm and .jsonl files, plain or compressed (.gz, .zst); "
                           "folders are searched recursively. a/b.html becomes OUT/a/b.txt; a .jsonl file becomes "
                           "OUT/<name>.jsonl with one cleaned record per input record (compressed as the input was). "
                           "Outputs appear only when complete. A progress bar shows on a terminal; a summary "
                           "follows. Inputs are never modified.")
    clean.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to clean")
    clean.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder (not inside an input folder)")
    clean.add_argument("--report", metavar="FILE.jsonl", help="write one JSON record per document: what was dropped and why")
    clean.add_argument("--html-report", metavar="FILE.html", help="also write the visual report (see 'cleaner report')")
    clean.add_argument("--jobs", type=_jobs, metavar="N",
                       help="worker processes (default: all cores); with --engine dask, the local cluster's workers")
    clean.add_argument("--resume", action="store_true",
                       help="skip outputs already complete and up to date: same input bytes, rule files, options "
                       "and version (recorded under OUT/.cleaner-state/)")
    clean.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="where the work runs: worker processes here (default), or Dask (pip install 'cleaner[dask]')")
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
    check.add_argument("--fix", action="store_true", help="rewrite text files in place with the cleaned text")
    check.add_argument("--drop-spun", action="store_true", help="with --fix, also remove flagged spun passages")
    check.set_defaults(run=cmd_check)

    explain = sub.add_parser("explain", parents=[common], help="show every line of a file with keep/drop and the reason",
                             description="Print each line with its verdict and reason, the repairs, the cuts and the "
                             "spun passages with their evidence.")
    explain.add_argument("file", metavar="FILE")
    explain.add_argument("--url", help="the page's URL (selects a source's rule file by host)")
    explain.add_argument("--source", help="use this source's rule file (its [source] id)")
    explain.set_defaults(run=cmd_explain)

    report = sub.add_parser("report", help="turn a JSON report into one self-contained HTML page",
                            description="Build a page (no network needed: styles, script and charts are inline) with "
                            "a summary, a sortable and filterable table of documents, and each document's text with "
                            "dropped lines struck through and spun passages highlighted. The original files named in "
                            "the report are read again for their text.")
    report.add_argument("report", metavar="REPORT.jsonl", help="what 'cleaner clean --report' wrote")
    report.add_argument("-o", "--output", required=True, metavar="FILE.html")
    report.add_argument("--max-texts", type=_jobs, default=DEFAULT_MAX_TEXTS, metavar="N",
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
