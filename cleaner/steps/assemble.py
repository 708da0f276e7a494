"""split and assemble: text to numbered lines, and kept lines back to text."""
from __future__ import annotations

from ..result import Decision, Line


def split_lines(text: str) -> list[Line]:
    """Lines numbered as an editor numbers them: split on ``\\n`` only (with
    ``\\r\\n`` counted as one break), not on the other characters that
    `str.splitlines` treats as breaks."""
    return [Line(number, part.removesuffix("\r")) for number, part in enumerate(text.split("\n"), start=1)]


def assemble(lines: list[Line], decisions: dict[int, Decision]) -> str:
    """The kept lines in order, with the blank-line layout of the input.

    A gap (blank and dropped lines between two kept lines) that held a dropped
    line shrinks to one blank line if it had any, none if it had none, so a
    removed block leaves no hole. A gap with nothing dropped stays as it was,
    so cleaning twice changes nothing. Blank lines at the start and end go.
    """
    out: list[str] = []
    gap_blanks, gap_dropped = 0, False
    for line in lines:
        decision = decisions.get(line.number)
        if decision is not None and not decision.keep:
            gap_dropped = True
        elif line.blank:
            gap_blanks += 1
        else:
            if out:
                out.extend([""] * (min(gap_blanks, 1) if gap_dropped else gap_blanks))
            out.append(line.text)
            gap_blanks, gap_dropped = 0, False
    return "\n".join(out) + "\n" if out else ""
