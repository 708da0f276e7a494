"""Compare a cleaning result with a reference annotation (the gold.json format)."""
from __future__ import annotations

from cleaner import CleanResult


def mismatches(result: CleanResult, text_lines: list[str], annotation: dict) -> list[str]:
    """Every way `result` departs from `annotation`; [] when it matches.

    `text_lines` are the lines the line numbers refer to (the input file, or
    the extracted text of an HTML page).
    """
    dropped = {d.line: d for d in result.dropped}
    must_drop = set(annotation["drop"])
    either = set(annotation.get("either", []))
    content = {n for n, line in enumerate(text_lines, start=1) if line.strip()} - must_drop - either
    problems = [f"line {n} kept, should be dropped: {text_lines[n - 1][:70]!r}" for n in sorted(must_drop - set(dropped))]
    problems += [
        f"line {n} dropped ({dropped[n].reason}), should be kept: {text_lines[n - 1][:70]!r}"
        for n in sorted(content & set(dropped))
    ]
    for phrase in annotation.get("inline_spam", []):
        if phrase.casefold() in result.text.casefold():
            problems.append(f"inline spam not cut: {phrase!r}")
    return problems
