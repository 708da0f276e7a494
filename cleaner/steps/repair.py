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
import unicodedata

import ftfy
from ftfy.badness import is_bad

from ..result import Decision, Line, Repair
from .base import Document

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


def _characters_ftfy_changes() -> re.Pattern[str]:
    """The characters that one of the character-level fixers we run would
    change or remove (entities start with "&"), from ftfy's own tables."""
    from ftfy import chardata

    codes = {*chardata.LIGATURES, *chardata.WIDTH_MAP, *chardata.CONTROL_CHARS}
    codes |= {*range(0x80, 0xA0), *range(0xD800, 0xE000), 0x1B, ord("&")}  # C1 controls, surrogates, ESC
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(codes)) + "]")


_FTFY_CHANGES = _characters_ftfy_changes()


def ftfy_can_change(text: str) -> bool:
    """Whether `ftfy.fix_and_explain(text, FTFY_CONFIG)` could differ from
    `text`. ftfy itself answers most lines only after trying every fixer; this
    asks the same questions its fixers do, in C: an entity or a character one
    of them maps, text not in NFC, or mojibake by ftfy's own `is_bad` (without
    which it leaves the encoding alone). Non-English text, all accents and
    curly quotes, mostly has none of these.

    >>> ftfy_can_change("Der Bürgermeister sagte: „Wir öffnen die Brücke.“")
    False
    >>> ftfy_can_change("The caf\u00c3\u00a9 reopened")
    True
    """
    return bool(_NEEDS_FTFY.search(text)) and _ftfy_fixers_apply(text)


def _ftfy_fixers_apply(text: str) -> bool:
    """`ftfy_can_change` for text `_NEEDS_FTFY` found something in (a
    character beyond printable ASCII, or an "&"): `repair_text` has asked."""
    return bool(_FTFY_CHANGES.search(text)) or not unicodedata.is_normalized("NFC", text) or is_bad(text)


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
    if not _NEEDS_FTFY.search(text):  # plain ASCII: nothing for ftfy or the space normalisers
        return text, ()
    fixes: list[str] = []
    if not _ftfy_fixers_apply(text):
        fixed, explanation = text, None
    else:
        fixed, explanation = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
    if fixed != text and explanation:
        fixes.extend(f"{step.action}:{step.parameter}" for step in explanation)
    spaced = _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", fixed))
    if spaced != fixed:
        fixes.append("normalize:spaces")
    return spaced, tuple(fixes)


EMPTIED = Decision(False, "repair:emptied", "nothing left after repair")


class RepairStep:
    """Repairs every line; a line that repair leaves empty is accounted for
    as dropped, not lost."""

    name = "repair"

    def __call__(self, document: Document) -> dict[int, Decision]:
        document.lines, repairs = repair_lines(document.lines)
        document.repairs.extend(repairs)
        original = document.original
        return {line.number: EMPTIED for line in document.lines if line.blank and original[line.number].strip()}
