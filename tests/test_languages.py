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


# --- boilerplate in other languages ------------------------------------------------

# fixtures/languages/<code>.txt: a news page as scraped, in each language the
# generic rules and box headers cover. Every page has the same layout: skip
# link, navigation, search; headline, dateline and the article; share prompt,
# a related list under its header, a newsletter box, comments, a cookie
# notice and a copyright line. (fixtures/expected.json annotates every line;
# test_fixtures.py holds each page to it.)
PAGES = {path.stem: path for path in sorted((FIXTURES / "languages").glob("*.txt"))}
TWELVE = {"zh", "ja", "ko", "es", "fr", "de", "pt", "it", "ru", "nl", "pl", "tr"}


def _page(code: str) -> tuple[list[str], dict[int, str], cleaner.CleanResult]:
    data = PAGES[code].read_bytes()
    result = Cleaner(score_spun=False).clean(data)
    return data.decode("utf-8").split("\n"), {d.line: d.reason for d in result.dropped}, result


def test_a_page_in_each_of_the_twelve_languages():
    assert set(PAGES) == TWELVE


@pytest.mark.parametrize("code", sorted(TWELVE))
def test_page_furniture_is_dropped_by_what_it_is(code):
    """The skip link, search and other furniture by the generic rules; the
    related list and the newsletter box under their headers; the menu
    around them; the headline, its dateline and the article kept."""
    lines, dropped, result = _page(code)
    first = 9 if code == "zh" else 8  # the headline (Chinese has one menu entry more)
    assert dropped[1] == "rule:generic/skip-link"
    assert dropped[first - 1] == "rule:generic/search-box"
    assert all(n in dropped for n in range(2, first - 1))  # the navigation
    related = next(n for n in dropped if dropped[n] == "heuristic:related_list")
    assert [dropped.get(n) for n in range(related, related + 4)] == ["heuristic:related_list"] * 4  # header and 3 teasers
    newsletter = related + 4
    assert dropped[newsletter] == "heuristic:newsletter_box"
    assert dropped.get(newsletter + 1) == "heuristic:newsletter_box"  # its prompt, a sentence
    assert any(reason == "rule:generic/cookie-notice" for reason in dropped.values())
    kept = [n for n, text in enumerate(lines, start=1) if text.strip() and n not in dropped]
    assert kept == list(range(first, related - (3 if code == "zh" else 2) + 1))  # headline .. last paragraph
    assert result.language.code == ("zh-cn" if code == "zh" else code)


def test_check_reports_nothing_on_the_articles_of_the_twelve_languages(tmp_path, capsys):
    """The articles of the pages, as a clean document of their own (headline,
    dateline, paragraphs): cleaner check has nothing to say."""
    paths = []
    for code in sorted(TWELVE):
        lines, dropped, result = _page(code)
        article = tmp_path / f"{code}.txt"
        article.write_text(result.text, encoding="utf-8")
        assert len(result.text.splitlines()) >= 6
        paths.append(str(article))
    assert main(["check", *paths]) == 0
    assert capsys.readouterr().out == ""


# Box headers (cleaner/data/heuristics.toml), a few of each kind in each
# language, as lines of their own; and lines that only mention the words.
BOX_HEADERS = {
    "related_list": [
        "相关阅读", "相關新聞", "延伸閱讀", "関連記事", "あわせて読みたい", "관련 기사", "많이 본 뉴스",
        "Noticias relacionadas", "También te puede interesar", "À lire aussi", "Sur le même sujet",
        "Das könnte Sie auch interessieren", "Mehr zum Thema", "Leia também", "Notícias relacionadas",
        "Articoli correlati", "Potrebbe interessarti anche", "Читайте также", "Похожие статьи",
        "Lees ook", "Meest gelezen", "Czytaj także", "Najczęściej czytane", "İlgili haberler", "En çok okunanlar",
    ],
    "newsletter_box": [
        "订阅我们的新闻简报", "訂閱電子報", "メールマガジン登録", "ニュースレター", "뉴스레터 구독",
        "Suscríbete a nuestro boletín", "Inscrivez-vous à notre newsletter", "Abonnez-vous à la lettre d'information",
        "Newsletter abonnieren", "Melden Sie sich für unseren Newsletter an", "Assine a nossa newsletter",
        "Iscriviti alla newsletter", "Подпишитесь на нашу рассылку", "Schrijf je in voor onze nieuwsbrief",
        "Zapisz się do newslettera", "Bültenimize abone olun",
    ],
    "comments_box": [
        "网友评论（12）", "發表評論", "コメント（3）", "댓글 5", "Comentarios (4)", "12 commentaires",
        "Kommentare (8)", "Deixe um comentário", "Lascia un commento", "Комментарии (4)", "Reacties (6)",
        "Komentarze (9)", "Yorumlar (2)",
    ],
}
MENTIONS = [
    "相关部门表示，新的自行车道将于明年开通，市民可以免费使用。",
    "Die Zeitung hat ihren Newsletter abonnieren lassen, sagte die Sprecherin am Montag.",
    "Los vecinos dejaron comentarios sobre el proyecto en la web del ayuntamiento durante todo el mes.",
    "Читатели оставили комментарии к статье о новом мосте через реку.",
]


@pytest.mark.parametrize("kind", sorted(BOX_HEADERS))
def test_box_headers_of_other_languages_open_their_box(kind):
    from cleaner.steps.heuristics import load_heuristics_data

    patterns = load_heuristics_data().box_headers
    for header in BOX_HEADERS[kind]:
        found = [name for name, pattern in patterns.items() if pattern.search(header)]
        assert found == [kind], header


def test_sentences_that_mention_box_words_open_no_box():
    from cleaner.steps.heuristics import load_heuristics_data

    patterns = load_heuristics_data().box_headers
    for sentence in MENTIONS:
        assert not any(pattern.search(sentence) for pattern in patterns.values()), sentence


# --- a headline over its dateline ----------------------------------------------------

ARTICLE_EN = [
    "The city council voted on Tuesday to build protected cycle lanes along the whole of the ring road, a project debated for more than a decade.",
    "Work is expected to start in the autumn and to last about eighteen months, with one lane closed in each direction.",
]


@pytest.mark.parametrize(
    "headline,dateline",
    [
        ("City council approves new cycle lanes on the ring road", "Published 12 March 2024, 10:30"),
        ("City council approves new cycle lanes on the ring road", "Updated: March 12, 2024 at 10:30 am"),
        ("City council approves new cycle lanes on the ring road", "12/03/2024"),
        ("Le conseil municipal approuve de nouvelles pistes cyclables", "Publié le 12 mars 2024 à 10h30"),
    ],
)
def test_a_headline_over_its_dateline_is_kept(headline, dateline):
    """Without the dateline the headline is directly before the article and
    is kept; the dateline between them changes nothing."""
    for lines in ([headline, dateline, *ARTICLE_EN], [headline, *ARTICLE_EN]):
        result = Cleaner(score_spun=False).clean("\n".join(lines))
        assert result.dropped == (), lines


def test_a_byline_over_a_dateline_is_not_taken_for_a_headline():
    """A byline or a name holds no stopword, or opens with "By": the dateline
    under it does not make it a heading (it goes, as it did)."""
    for byline in ("By Jane Smith", "Jane Smith"):
        lines = ["Home", "News", byline, "Published 12 March 2024, 10:30", *ARTICLE_EN]
        dropped = {d.line: d.reason for d in Cleaner(score_spun=False).clean("\n".join(lines)).dropped}
        assert set(dropped) == {1, 2, 3}, byline


@pytest.mark.parametrize(
    "text",
    [
        "Published 12 March 2024, 10:30", "March 12, 2024", "Updated 2024-03-12 10:30", "12.03.2024",
        "2024年3月12日 10:30", "2024년 3월 12일", "입력 2024.03.12 10:30", "12 de marzo de 2024",
        "Publié le 12 mars 2024", "Veröffentlicht am 12. März 2024, 10:30 Uhr", "12 de março de 2024",
        "12 marzo 2024", "12 марта 2024", "12 maart 2024", "12 marca 2024", "12 Mart 2024",
    ],
)
def test_dates_the_dateline_pattern_reads(text):
    from cleaner.steps.heuristics import load_heuristics_data

    assert load_heuristics_data().patterns["dateline"].search(text)


@pytest.mark.parametrize("text", ["Top 10 things to do", "Chapter 12", "Call 0800 123 4567", "10:30"])
def test_what_is_not_a_date(text):
    from cleaner.steps.heuristics import load_heuristics_data

    assert not load_heuristics_data().patterns["dateline"].search(text)


# --- Chinese and Japanese prose -------------------------------------------------------


def test_chinese_and_japanese_lines_count_words_and_end_sentences():
    """Runs of Han and kana count a word every two characters, and their
    full stops end a sentence: a paragraph reads as prose, a menu entry as
    one word. Text in other scripts counts as before."""
    from cleaner.steps.heuristics import _TERMINAL, _WORD

    paragraph = "市议会周二以多数票通过了一项计划，将在环城路两侧修建自行车道。"
    assert len(_WORD.findall(paragraph)) == 15
    assert _TERMINAL.search(paragraph) and _TERMINAL.search("と話している。」") and _TERMINAL.search("完成！")
    assert _WORD.findall("首页") == ["首页"] and _WORD.findall("ホーム・ニュース") == ["ホー", "ム", "ニュ", "ース"]
    assert _WORD.findall("Der Bürgermeister, 12 Jahre") == ["Der", "Bürgermeister", "12", "Jahre"]
    assert _WORD.findall("서울 시민 2024년") == ["서울", "시민", "2024년"]
