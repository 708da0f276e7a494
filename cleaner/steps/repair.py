"""repair: undo mojibake and other damage with ftfy, line by line.

Line by line, so that line numbers in every later decision are those of the
input the user sees, and so that a line ftfy cannot change costs nothing.

The ftfy options, and why (everything not named keeps ftfy's default):

- fix_encoding, decode_inconsistent_utf8, restore_byte_a0,
  replace_lossy_sequences: on. Mojibake (``â€™``, ``Ã©``) is the commonest
  damage in scraped text and ftfy's detector is conservative.
- unescape_html="auto": on for text that is not HTML. Scraped text keeps
  entities (``&amp;``) more often than it means them literally.
- remove_control_chars, remove_terminal_escapes, fix_c1_controls,
  fix_surrogates: on. None of these carries meaning in an article.
- fix_latin_ligatures, fix_character_width: on. ``ﬁ`` and full-width Latin
  letters split words for every tokeniser downstream.
- uncurl_quotes: OFF. Curly quotes are information (an apostrophe is not a
  closing quote), straightening them changes every article for no gain, and
  quotes turned the wrong way are evidence the spun-text detector reads.
- fix_line_breaks: OFF. Line breaks are ours to split on; turning U+2028 into
  a newline would shift the line numbers of everything after it.
- normalization="NFC": the composed form, which is what the web mostly sends.

After ftfy, odd spaces (no-break, en/em/thin spaces) become plain spaces and
zero-width spaces are removed: they glue or split words invisibly. Zero-width
joiners (U+200C/U+200D) are kept: Persian, Indic scripts and emoji need them.
"""
from __future__ import annotations

import re

import ftfy

from ..result import Line, Repair

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    uncurl_quotes=False,
    fix_line_breaks=False,
    explain=True,
)

_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
# A line needs ftfy only if it has something ftfy can act on: a non-ASCII
# character, an entity, or a control character. Most English lines have none.
_NEEDS_FTFY = re.compile(r"[^\x20-\x7e\t]|&")


def repair_lines(lines: list[Line]) -> tuple[list[Line], list[Repair]]:
    repaired: list[Line] = []
    repairs: list[Repair] = []
    for line in lines:
        text, fixes = repair_text(line.text)
        if fixes:
            repairs.append(Repair(line.number, fixes))
            line = Line(line.number, text)
        repaired.append(line)
    return repaired, repairs


def repair_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Repair one line; return the new text and what was done (empty if nothing).

    >>> repair_text("The caf\u00c3\u00a9 isn\u00e2\u20ac\u2122t open")
    ('The café isn’t open', ('encode:sloppy-windows-1252', 'decode:utf-8'))
    """
    if not _NEEDS_FTFY.search(text):
        return text, ()
    fixes: list[str] = []
    fixed, explanation = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
    if fixed != text and explanation:
        fixes.extend(f"{step.action}:{step.parameter}" for step in explanation)
    spaced = _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", fixed))
    if spaced != fixed:
        fixes.append("normalize:spaces")
    return spaced, tuple(fixes)
