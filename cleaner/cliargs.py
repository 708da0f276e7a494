"""Command-line options shared by the `cleaner` command and the pre-commit
hook: how they are read, checked and turned into a `Config`."""
from __future__ import annotations

import argparse

from .config import DEFAULT_CONFIG, Config, make_config


def threshold_argument(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def count_argument(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def megabytes_argument(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", action="append",
                        help="a folder of extra rule files (*.toml), read after the built-in ones; repeatable")


def add_threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spun-threshold", metavar="X", type=threshold_argument,
                        help=f"spun score (0..1) at which a document or passage is flagged (default {DEFAULT_CONFIG.spun_threshold})")


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
