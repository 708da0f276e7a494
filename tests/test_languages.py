"""Text in other languages than English: repairs that never change correct
text (fixtures/correct-text.toml, the 55 languages langdetect knows), and the
choice of ftfy's settings through `Config(repair=...)`."""
from __future__ import annotations

import pickle
import tomllib
import unicodedata
from importlib import resources

import ftfy
import pytest
from ftfy.chardata import WIDTH_MAP

import cleaner
from cleaner import Cleaner, Config
from cleaner.cli import main
from cleaner.config import ConfigError
from cleaner.steps.repair import REPAIR_DEFAULTS, repair_text
from conftest import FIXTURES

CORRECT_TEXT: dict[str, str] = tomllib.loads((FIXTURES / "correct-text.toml").read_text(encoding="utf-8"))["text"]

# langdetect's profiles (the languages it can answer), read from the package.
LANGDETECT_LANGUAGES = {path.name for path in resources.files("langdetect").joinpath("profiles").iterdir()}

# What langdetect answers for a language's entry when that is not the
# language itself: its profiles read this short traditional Chinese as
# Korean (most traditional characters count as Korean hanja to it).
KNOWN_CONFUSIONS = {"zh-tw": "ko"}


def test_correct_text_covers_every_language_langdetect_knows():
    assert set(CORRECT_TEXT) == LANGDETECT_LANGUAGES
    assert len(CORRECT_TEXT) == 55


@pytest.mark.parametrize("code", sorted(CORRECT_TEXT))
def test_each_entry_is_in_its_language(code):
    """The data is what it says it is: langdetect (as the pipeline runs it)
    reads each entry as its language."""
    found = Cleaner(score_spun=False).clean(CORRECT_TEXT[code]).language.code
    assert found == KNOWN_CONFUSIONS.get(code, code)


def test_correct_text_holds_what_a_careless_repair_would_change():
    """The entries that are there to catch a repair that changes correct
    text still hold what it would change (an editor that normalised the file
    would have removed it): characters NFC would swap for others, and
    full-width forms."""
    swapped = {code for code, text in CORRECT_TEXT.items() if not all(unicodedata.is_normalized("NFC", c) for c in text)}
    assert swapped == {"el", "bn", "hi", "pa"}
    full_width = {code for code, text in CORRECT_TEXT.items() if any(ord(c) in WIDTH_MAP for c in text)}
    assert full_width == {"ja", "zh-cn", "zh-tw"}
    assert "\uff0c" in CORRECT_TEXT["zh-cn"] and "\u3000" in CORRECT_TEXT["ja"]


@pytest.mark.parametrize("code", sorted(CORRECT_TEXT))
def test_repair_reports_nothing_on_correct_text(code):
    text = CORRECT_TEXT[code]
    assert repair_text(text) == (text, ())
    result = cleaner.clean(text)
    assert result.repairs == ()
    assert text in result.text  # the text comes out as it went in


def test_check_reports_no_repair_on_correct_text(tmp_path, capsys):
    paths = []
    for code, text in sorted(CORRECT_TEXT.items()):
        path = tmp_path / f"{code}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(str(path))
    main(["check", *paths])
    out = capsys.readouterr().out
    assert ": repair:" not in out
    assert out.count(".txt:") == 0, out  # nor anything else: two sentences of prose in each


# --- Config(repair=...) -----------------------------------------------------------

CJK_LINE = "市长表示\uff1a新线路将于明年开通\uff0c全程约\uff11\uff12公里。"


def test_repair_accepts_ftfy_settings_and_applies_them():
    width = Config(repair=REPAIR_DEFAULTS._replace(fix_character_width=True))
    result = Cleaner(width, score_spun=False).clean(CJK_LINE)
    assert result.text == "市长表示:新线路将于明年开通,全程约12公里。\n"
    assert result.repairs[0].fixes == ("apply:fix_character_width",)
    # The project's settings leave it as written.
    assert Cleaner(score_spun=False).clean(CJK_LINE).text == CJK_LINE + "\n"


def test_ftfy_settings_of_the_caller_are_used_as_given():
    """ftfy's own defaults straighten quotes, which the project's keep; the
    caller's explain=False does not stop the result saying what was done."""
    line = "She said \u201cno\u201d and left."
    assert cleaner.clean(line).text == line + "\n"
    own = ftfy.TextFixerConfig(fix_line_breaks=False, explain=False)
    result = cleaner.clean(line, repair=own)
    assert result.text == 'She said "no" and left.\n'
    assert result.repairs[0].fixes == ("apply:uncurl_quotes",)


def test_repair_config_stays_immutable_hashable_and_picklable():
    settings = REPAIR_DEFAULTS._replace(fix_character_width=True)
    a, b = Config(repair=settings), Config(repair=REPAIR_DEFAULTS._replace(fix_character_width=True))
    assert a == b and hash(a) == hash(b) and a != Config()
    with pytest.raises(AttributeError):
        a.repair = True  # type: ignore[misc]
    worker = pickle.loads(pickle.dumps(Cleaner(a, score_spun=False)))
    assert worker.clean(CJK_LINE).repairs[0].fixes == ("apply:fix_character_width",)
    # clean() keeps one shared Cleaner per configuration: settings are a key.
    assert cleaner.clean(CJK_LINE, repair=settings).text != cleaner.clean(CJK_LINE).text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (ftfy.TextFixerConfig(), "fix_line_breaks must be False"),
        (REPAIR_DEFAULTS._replace(normalization="NFX"), "normalization must be"),
        ("yes", "repair must be True, False or an ftfy.TextFixerConfig"),
        (1, "repair must be True, False or an ftfy.TextFixerConfig"),
    ],
)
def test_repair_refuses_what_it_cannot_honour(value, message):
    with pytest.raises(ConfigError, match=message):
        Config(repair=value)


def test_repair_off_changes_nothing():
    damaged = "The caf\u00c3\u00a9 opened \u00e2\u20ac\u201c at last"
    assert cleaner.clean(damaged, repair=False).repairs == ()
    assert cleaner.clean(damaged).text == "The café opened – at last\n"


def test_decomposed_letters_are_composed_but_swapped_characters_kept():
    """NFC's composition is a repair (Vietnamese written with combining
    marks); its replacement of one character with another is not."""
    assert repair_text("Tie\u0302\u0301ng Vie\u0323\u0302t") == ("Tiếng Việt", ("normalize:NFC",))
    greek = "Τι ώρα είναι\u037e"
    assert repair_text(greek) == (greek, ())
    mixed = "Vie\u0323\u0302t \u095b\u0930\u0942\u0930"  # decomposed Vietnamese, then Devanagari za as one character
    assert repair_text(mixed) == ("Việt \u095b\u0930\u0942\u0930", ("normalize:NFC",))
    assert repair_text(greek, ftfy.TextFixerConfig(fix_line_breaks=False, normalization="NFKC"))[0] == "Τι ώρα είναι;"
