"""extract: HTML pages become text, block by block, then go through the text steps.

The page is cut into blocks (``htmlblocks.py``: a paragraph, a heading, a
list item, a table row), and the block model (``blockmodel.py``) keeps
those that belong to the article, reading for each block its text, its
place in the HTML (tags, class and id words, link density, depth) and two
extractions of the page: trafilatura's and readability's. The model judges
per block where the two disagree, which neither does alone: trafilatura
takes one of an article's several body containers where readability takes
them all; readability takes other posts' teasers where trafilatura stops.
Measured with bench/aeb.py on the 80 development pages, each site's pages
selected by a model fitted without that site: 0.975 F1 after the line steps,
against 0.965 for trafilatura alone with `favor_precision` and no comments
(see the README's Accuracy section).

trafilatura's options for the extraction the model reads, and why:

- balanced focus, `fast` (no fallback of its own): readability is asked
  separately and the model is the judge between them. (With the fallback,
  trafilatura's own comparison picks readability's text whole on some pages
  and the model loses one of its two views.)
- include_comments=False: reader comments are not the article.
- include_tables=True: tables in articles are content (figures, results).
- include_images/include_links=False, output_format="txt": plain text.
- deduplicate=False: the dedupe step does this, and says which line went.

The lines of the result are blocks' texts, one block a line; the page's own
headline is usually not among them (like trafilatura's body text and the
benchmark's article bodies, the model keeps the article's text, not its title).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml.etree import Comment, strip_elements

from . import htmlblocks
from .blockmodel import BlockModel, load_block_model
from .heuristics import stoplist_for
from .language import LanguageDetector

# Elements of a page that hold no text a reader sees.
UNREAD_ELEMENTS = ("script", "style", "svg", "template", Comment)
# langdetect reads at most this much of the extraction, when the page does not
# say its language (enough to pick a stoplist; the pipeline's own detection,
# on the article, reads more).
LANGUAGE_SAMPLE = 500

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(r"<(?:p|div|br|a|span|script|meta|title)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str, content_type: str | None = None) -> bool:
    """Whether to extract: the content type says so, or the text starts like a page."""
    if content_type:
        return "html" in content_type.lower()
    head = text[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 5


#: The options of the "trafilatura precise" benchmark row: trafilatura alone
#: at its most precise, as HTML mode used it before the block model.
TRAFILATURA_OPTIONS = {
    "output_format": "txt",
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
    "with_metadata": False,
}
#: The options of the trafilatura extraction the block model reads: its
#: balanced focus without its fallbacks (readability is asked separately,
#: and the block model is the judge between them).
BLOCK_MODEL_TRAFILATURA = {**TRAFILATURA_OPTIONS, "favor_precision": False, "fast": True}


@dataclass(slots=True)
class PageTables:
    """An HTML page as the block model reads it."""

    blocks: list  # htmlblocks.Block, in document order
    rows: list[list[float]]  # their features
    fallback: str  # trafilatura's text: what to give if the model keeps nothing


def extract_html(html: str, url: str | None = None, model: BlockModel | None = None) -> str:
    """The article text of an HTML page, one block a line ('' if none found):
    the blocks the block model keeps (`model`: the shipped one if None)."""
    tables = page_tables(html, url)
    return select_blocks(tables, model or load_block_model()) if tables is not None else ""


def select_blocks(tables: PageTables, model: BlockModel) -> str:
    """The text of the blocks `model` keeps. If it keeps none, trafilatura's
    text: a page whose article the model cannot place is still extracted."""
    kept = [b.text for b, p in zip(tables.blocks, model.probabilities(tables.rows)) if p >= model.threshold]
    return "\n".join(kept) if kept else tables.fallback


def page_tables(html: str, url: str | None = None) -> PageTables | None:
    """The page's blocks and the block model's rows for them, read against
    trafilatura's and readability's extractions (None: not a page lxml reads)."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return None
    # What no extraction reads, removed once rather than by each (the same
    # text from both on 79 of the 80 development pages, in 0.8 of the time).
    strip_elements(tree, *UNREAD_ELEMENTS, with_tail=False)
    extracted = [trafilatura_text(tree, url, **BLOCK_MODEL_TRAFILATURA), readability_text(tree)]
    page = htmlblocks.segment(tree)
    words = htmlblocks.block_words(page)
    shares = [htmlblocks.coverage(words, text) for text in extracted]
    language = htmlblocks.declared_language(tree) or LanguageDetector().detect(extracted[0], LANGUAGE_SAMPLE).code
    rows = htmlblocks.block_features(page, words, shares, stoplist_for(language))
    return PageTables(page.blocks, rows, extracted[0])


def trafilatura_text(html, url: str | None = None, **overrides: object) -> str:
    """trafilatura's text of the page (a string, or an lxml tree, which it
    copies) with TRAFILATURA_OPTIONS, `overrides` replacing some."""
    import trafilatura  # heavy: only paid for when HTML comes in

    return trafilatura.extract(html, url=url, **{**TRAFILATURA_OPTIONS, **overrides}) or ""


def readability_text(tree) -> str:
    """The text of readability's article (trafilatura's port of it)."""
    from lxml.etree import tostring
    from trafilatura.external import try_readability

    return tostring(try_readability(copy.deepcopy(tree)), method="text", encoding="unicode") or ""


def html_metadata(html: str, url: str | None = None) -> dict[str, str | None]:
    """The page's title, author and date (as YYYY-MM-DD), as trafilatura
    reads them from its markup; None where it finds none."""
    from trafilatura import extract_metadata

    try:
        found = extract_metadata(html, default_url=url)
    except Exception:  # noqa: BLE001 - a page whose metadata cannot be read has none
        found = None
    return {key: getattr(found, key, None) if found is not None else None for key in ("title", "author", "date")}
