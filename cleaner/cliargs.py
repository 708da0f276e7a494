"""Command-line options shared by the `cleaner` command and the pre-commit
hook: how they are read, checked and turned into a `Config`."""
from __future__ import annotations

import argparse

from .formats import DEFAULT_MAX_DOC_BYTES, DEFAULT_MAX_DOC_LINES
from .config import DEFAULT_CONFIG, Config, make_config


def _number(convert, allowed, rule: str, kind: str = "a number"):
    """An argparse type: `convert` the text, and refuse what `allowed` refuses."""

    def read(value: str):
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {kind}: {value!r}") from None
        if not allowed(number):
            raise argparse.ArgumentTypeError(rule)
        return number

    return read


threshold_argument = _number(float, lambda x: 0.0 <= x <= 1.0, "must be between 0 and 1")
count_argument = _number(int, lambda n: n >= 1, "must be 1 or more", "a whole number")
megabytes_argument = _number(float, lambda x: 1e-6 <= x <= 1e6, "must be between 0.000001 (a byte) and 1000000")


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", action="append",
                        help="a folder of extra rule files (*.toml), read after the built-in ones; repeatable")


def add_threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spun-threshold", metavar="X", type=threshold_argument,
                        help=f"spun score (0..1) at which a document or passage is flagged (default {DEFAULT_CONFIG.spun_threshold})")


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The size limits of one document, the same for every command that
    cleans one (`clean`, `check`, `explain`, the hook)."""
    parser.add_argument("--max-doc-mb", type=megabytes_argument, default=DEFAULT_MAX_DOC_BYTES / 1e6, metavar="MB",
                        help="the largest document read, in MB (a file, or a JSONL line, decompressed; default "
                        f"{DEFAULT_MAX_DOC_BYTES / 1e6:g}); a larger one fails alone, unread. Cleaning a document of short "
                        "words holds about twenty times its size in memory")
    parser.add_argument("--max-doc-lines", type=count_argument, default=DEFAULT_MAX_DOC_LINES, metavar="N",
                        help=f"the most lines a text document, or tags an HTML one, may have (default "
                        f"{DEFAULT_MAX_DOC_LINES:,}); one with more fails alone")


def max_doc_bytes(args: argparse.Namespace) -> int:
    return round(args.max_doc_mb * 1e6)


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
