"""repair: undo mojibake and other damage with ftfy, line by line.

Line by line, so that line numbers in every later decision are those of the
input the user sees, and so that a line ftfy cannot change costs nothing.

A repair never changes correct text, in any language: it undoes damage
(mojibake, entities, control characters, Latin ligatures, decomposed
letters), not the way a language is written. `Config.repair` is True (the
settings below, `REPAIR_DEFAULTS`), False (no repair), or an
`ftfy.TextFixerConfig` of the caller's own, used as given except that ftfy
is always asked to explain itself (that is what the result reports) and
that `fix_line_breaks` must be off (the text is split into lines before
repair; a repair cannot add a line).

The ftfy options of `REPAIR_DEFAULTS`, and why (everything not named keeps
ftfy's default):

- fix_encoding, decode_inconsistent_utf8, restore_byte_a0,
  replace_lossy_sequences: on. Mojibake (``â€™``, ``Ã©``) is the commonest
  damage in scraped text and ftfy's detector is conservative (a test runs it
  over correct text in every language langdetect knows).
- unescape_html="auto": on for text that is not HTML. Scraped text keeps
  entities (``&amp;``) more often than it means them literally.
- remove_control_chars, remove_terminal_escapes, fix_c1_controls,
  fix_surrogates: on. None of these carries meaning in an article.
- fix_latin_ligatures: on. ``ﬁ`` is what PDF and OCR tools leave, never how
  a language is written, and it splits words for every tokeniser downstream.
- fix_character_width: OFF. Full-width punctuation (``，``, ``：``, ``（``),
  full-width Latin letters and digits and the ideographic space are how
  Chinese, Japanese and Korean are written; half-width katakana is a
  Japanese text's own choice too. Turning them into ASCII rewrote correct
  text (``，`` became ``,``).
- uncurl_quotes: OFF. Curly quotes are information (an apostrophe is not a
  closing quote), straightening them changes every article for no gain, and
  quotes turned the wrong way are evidence the spun-text detector reads.
- fix_line_breaks: OFF. Line breaks are ours to split on; turning U+2028 into
  a newline would shift the line numbers of everything after it.
- normalization="NFC": decomposed letters (``e`` + combining acute, as some
  systems write Vietnamese or file names) are composed, which is what the
  web mostly sends and what stoplists and rule patterns are written in. But
  not the way Unicode's NFC goes further: a character that NFC would swap
  for another one (the Greek question mark ``;`` for ``;``, the Greek ano
  teleia for a middle dot, Devanagari ``क़`` written as one character, Bengali
  ``ড়``, Hebrew presentation forms, the CJK compatibility ideographs that
  keep a Korean hanja's reading or a Japanese name's form apart) is kept as
  written: it is a character someone typed, not damage. (Any other
  normalization form, from a caller's own config, is applied as
  `unicodedata` applies it.)

After ftfy, odd spaces (no-break, en/em/thin spaces) become plain spaces and
zero-width spaces are removed: they glue or split words invisibly. Zero-width
joiners (U+200C/U+200D) are kept: Persian, Indic scripts and emoji need them.
(That is reported as ``normalize:spaces``, which `cleaner check` does not
count as a repair.)
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE

from ..prefilter import SearchNearRequired
from ..result import Decision, Line, Repair
from .base import Document

#: The project's ftfy settings (`Config(repair=True)`); see the module's
#: docstring for each choice. Derive your own with ``REPAIR_DEFAULTS._replace(...)``.
REPAIR_DEFAULTS = ftfy.TextFixerConfig(
    unescape_html="auto",
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization="NFC",
    explain=True,
)

_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
# A line needs ftfy only if it has something ftfy can act on: a non-ASCII
# character, an entity, or a control character. Most English lines have none.
_NEEDS_FTFY = re.compile(r"[^\x20-\x7e\t]|&")
# Rounds of ftfy, then normalization, on one line at most: ftfy's own loop
# ends when a round changes nothing, and composing can give it something new
# to fix; the bound keeps a line from going round for ever whatever happens.
MAX_REPAIR_ROUNDS = 4


def ftfy_settings(repair: bool | ftfy.TextFixerConfig) -> ftfy.TextFixerConfig:
    """The ftfy settings that `Config.repair` stands for (True: `REPAIR_DEFAULTS`)."""
    return REPAIR_DEFAULTS if repair is True else repair._replace(explain=True)


@lru_cache(maxsize=8)
def _characters_ftfy_changes(settings: ftfy.TextFixerConfig) -> re.Pattern[str] | None:
    """The characters that one of the character-level fixers `settings` turn
    on would change or remove (entities start with "&"), from ftfy's own
    tables; None if no fixer is on."""
    codes: set[int] = set()
    if settings.unescape_html:
        codes.add(ord("&"))
    if settings.fix_c1_controls:
        codes |= {*range(0x80, 0xA0)}
    if settings.fix_latin_ligatures:
        codes |= {*chardata.LIGATURES}
    if settings.fix_character_width:
        codes |= {*chardata.WIDTH_MAP}
    if settings.uncurl_quotes:
        codes |= {0x02BC, *range(0x2018, 0x2020)}  # ftfy's SINGLE_QUOTE_RE and DOUBLE_QUOTE_RE
    if settings.fix_line_breaks:  # refused by Config, but repair_text may be called with it
        codes |= {0x0D, 0x85, 0x2028, 0x2029}
    if settings.fix_surrogates:
        codes |= {*range(0xD800, 0xE000)}
    if settings.remove_terminal_escapes:
        codes.add(0x1B)
    if settings.remove_control_chars:
        codes |= {*chardata.CONTROL_CHARS}
    if not codes:
        return None
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(codes)) + "]")


def ftfy_can_change(text: str, settings: ftfy.TextFixerConfig = REPAIR_DEFAULTS) -> bool:
    """Whether ftfy with `settings` (and the normalization step after it)
    could change `text`. ftfy itself answers most lines only after trying
    every fixer; this asks the same questions its fixers do, in C: an entity
    or a character one of them maps, text not in the normal form, or
    mojibake by ftfy's own `is_bad` (without which it leaves the encoding
    alone). Non-English text, all accents and curly quotes, mostly has none
    of these.

    >>> ftfy_can_change("Der Bürgermeister sagte: „Wir öffnen die Brücke.“")
    False
    >>> ftfy_can_change("The caf\u00c3\u00a9 reopened")
    True
    >>> ftfy_can_change("市政府表示，新线路将于明年开通。")
    False
    """
    return bool(_NEEDS_FTFY.search(text)) and _ftfy_fixers_apply(text, settings)


def _ftfy_fixers_apply(text: str, settings: ftfy.TextFixerConfig) -> bool:
    """`ftfy_can_change` for text `_NEEDS_FTFY` found something in (a
    character beyond printable ASCII, or an "&"): `repair_text` has asked."""
    changes = _characters_ftfy_changes(settings)
    return (
        (changes is not None and bool(changes.search(text)))
        or (settings.normalization is not None and not unicodedata.is_normalized(settings.normalization, text))
        or (settings.fix_encoding and _is_mojibake(text))
    )


@lru_cache(maxsize=1)
def _mojibake_search() -> SearchNearRequired:
    return SearchNearRequired(BADNESS_RE)


def _is_mojibake(text: str) -> bool:
    """ftfy's `is_bad(text)` (a search of its mojibake pattern), searched
    only around the characters one of which every match of the pattern
    holds: 290 characters with ftfy 6.3, not counting curly apostrophes,
    dashes or the ellipsis. A line with none of them is not searched at
    all; one with some (curly double quotes, "©", accented letters) is read
    a few characters around each (see `SearchNearRequired`, and its
    figures)."""
    return _mojibake_search().found(text)


def normalize(text: str, form: str) -> str:
    """`text` in the normalization `form`; for NFC, only by composing: a
    character that NFC would replace with another (a singleton such as the
    Greek question mark, or a composition exclusion such as Devanagari
    ``क़`` as one character) is kept as written, and the text around it is
    composed on its own.

    >>> normalize("Vie\u0302\u0323t", "NFC") == "Vi\u1ec7t"
    True
    >>> normalize("Τι ώρα είναι\u037e", "NFC") == "Τι ώρα είναι\u037e"
    True
    """
    if unicodedata.is_normalized(form, text):
        return text
    if form != "NFC":
        return unicodedata.normalize(form, text)
    parts: list[str] = []
    start = 0
    for position, character in enumerate(text):
        if not unicodedata.is_normalized("NFC", character):  # NFC would swap it for another
            parts += [unicodedata.normalize("NFC", text[start:position]), character]
            start = position + 1
    parts.append(unicodedata.normalize("NFC", text[start:]))
    return "".join(parts)


def repair_lines(lines: list[Line], settings: ftfy.TextFixerConfig = REPAIR_DEFAULTS) -> tuple[list[Line], list[Repair]]:
    repaired: list[Line] = []
    repairs: list[Repair] = []
    for line in lines:
        text, fixes = repair_text(line.text, settings)
        if fixes:
            repairs.append(Repair(line.number, fixes))
            line = Line(line.number, text)
        repaired.append(line)
    return repaired, repairs


def repair_text(text: str, settings: ftfy.TextFixerConfig = REPAIR_DEFAULTS) -> tuple[str, tuple[str, ...]]:
    """Repair one line with ftfy's `settings`; return the new text and what
    was done (empty if nothing).

    >>> repair_text("The caf\u00c3\u00a9 isn\u00e2\u20ac\u2122t open")
    ('The café isn’t open', ('encode:sloppy-windows-1252', 'decode:utf-8'))
    >>> repair_text("北京，上海：（全角）ＡＢＣ")
    ('北京，上海：（全角）ＡＢＣ', ())
    """
    if not _NEEDS_FTFY.search(text):  # plain ASCII: nothing for ftfy or the space normalisers
        return text, ()
    fixes: list[str] = []
    for _ in range(MAX_REPAIR_ROUNDS):
        fixed = _ftfy_rounds(text, settings, fixes)
        spaced = _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", fixed))
        if spaced == fixed:
            break
        if "normalize:spaces" not in fixes:
            fixes.append("normalize:spaces")
        # An odd space can hide mojibake from ftfy ("\xa0Ã©" is left alone,
        # " Ã©" is not): it looks again, so that repairing a repaired line
        # changes nothing.
        text = spaced
    return spaced, tuple(fixes)


def _ftfy_rounds(text: str, settings: ftfy.TextFixerConfig, fixes: list[str]) -> str:
    """ftfy's fixers and the normalization, until they change nothing more;
    what they did is added to `fixes`."""
    if not _ftfy_fixers_apply(text, settings):
        return text
    # ftfy normalises inside its loop; here `normalize` (which keeps what NFC
    # would swap) takes that place, and ftfy runs again on what it composed
    # (``A`` + tilde, then ``©``, is mojibake only once composed).
    fixers = settings._replace(normalization=None)
    fixed = text
    for _ in range(MAX_REPAIR_ROUNDS):
        before = fixed
        fixed, explanation = ftfy.fix_and_explain(fixed, config=fixers)
        if fixed != before and explanation:
            fixes.extend(f"{step.action}:{step.parameter}" for step in explanation)
        if settings.normalization is None:
            break
        normalized = normalize(fixed, settings.normalization)
        if normalized == fixed:
            break
        fixes.append(f"normalize:{settings.normalization}")
        fixed = normalized
    return fixed


EMPTIED = Decision(False, "repair:emptied", "nothing left after repair")


class RepairStep:
    """Repairs every line with ftfy's `settings` (see `ftfy_settings`); a
    line that repair leaves empty is accounted for as dropped, not lost."""

    name = "repair"

    def __init__(self, settings: ftfy.TextFixerConfig = REPAIR_DEFAULTS) -> None:
        self.settings = settings

    def __call__(self, document: Document) -> dict[int, Decision]:
        document.lines, repairs = repair_lines(document.lines, self.settings)
        document.repairs.extend(repairs)
        original = document.original
        return {line.number: EMPTIED for line in document.lines if line.blank and original[line.number].strip()}
