"""pre-commit hooks: refuse, or fix, newly added articles that still carry
boilerplate or spun text.

    cleaner-hook check [--all] [--rules DIR] [--spun-threshold X] [--max-doc-mb MB] [--max-doc-lines N] FILE...
    cleaner-hook fix   [--all] [--rules DIR] [--spun-threshold X] [--drop-spun] [--max-doc-mb MB] [--max-doc-lines N] FILE...

pre-commit passes the staged files; by default only those the commit adds
are looked at (``git diff --staged --diff-filter=A``, as pre-commit-hooks'
check-added-large-files does), so articles already in the repository are not
held to rules written after them. ``--all`` looks at every file passed.

`check` prints ``FILE:LINE: REASON`` for each problem and fails if there is
any. `fix` rewrites ``.txt`` files with the cleaned text, prints ``Fixing FILE``,
and fails when it changed something (so the user reviews and stages it again)
or when problems remain that it does not fix (spun passages, unless
``--drop-spun``; HTML files, which are not rewritten in place; files such as
``README`` and ``LICENSE``, which pre-commit counts as plain text but whose
names do not say they are articles).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .checking import run_checks
from .cliargs import add_limit_options, add_rule_options, add_threshold_option, config_from_args, max_doc_bytes
from .pipeline import Cleaner
from .rulefile import RuleFileError


def added_files() -> set[str] | None:
    """Paths the staged change adds, or None outside a git work tree."""
    try:
        run = subprocess.run(
            ["git", "diff", "--staged", "--name-only", "--diff-filter=A", "-z"],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return {name for name in run.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cleaner-hook", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["check", "fix"])
    parser.add_argument("files", nargs="*", metavar="FILE")
    parser.add_argument("--all", action="store_true", help="look at every file passed, not only newly added ones")
    add_rule_options(parser)
    add_threshold_option(parser)
    parser.add_argument("--drop-spun", action="store_true", help="fix: also remove spun passages")
    add_limit_options(parser)
    # pre-commit puts the hook's args before the file names: options and
    # files may come in any order.
    args = parser.parse_intermixed_args(argv)

    try:
        cleaner = Cleaner(config_from_args(args))
    except RuleFileError as exc:
        print(f"cleaner-hook: {exc}", file=sys.stderr)
        return 2

    files = args.files
    if not args.all:
        added = added_files()
        if added is None:
            print("cleaner-hook: not in a git work tree; use --all to check the files given", file=sys.stderr)
            return 2
        files = [f for f in files if Path(f).as_posix() in added]

    return run_checks(cleaner, [Path(name) for name in files], fix=args.action == "fix",
                      max_bytes=max_doc_bytes(args), max_lines=args.max_doc_lines)


if __name__ == "__main__":
    sys.exit(main())
