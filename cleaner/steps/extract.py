"""extract: HTML pages become text with trafilatura, then go through the text steps.

trafilatura's options, and why (measured with bench/aeb.py on the 80
development pages, trafilatura's output alone, F1: favor_precision 0.965,
neither 0.960, favor_recall 0.958):

- favor_precision=True: it loses less article text than it drops
  boilerplate, on pages of many sites; the line steps after it remove what
  it still leaves in (related links, newsletter boxes, captions).
- include_comments=False: reader comments are not the article (trafilatura's
  default keeps them, which costs it most of the difference to this mode).
- include_tables=True: tables in articles are content (figures, results).
- include_images/include_links=False, output_format="txt": plain text, one
  paragraph per line, is what the line steps read.
- deduplicate=False: the dedupe step does this, and says which line went.
"""
from __future__ import annotations

import re

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(r"<(?:p|div|br|a|span|script|meta|title)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str, content_type: str | None = None) -> bool:
    """Whether to extract: the content type says so, or the text starts like a page."""
    if content_type:
        return "html" in content_type.lower()
    head = text[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 5


def extract_html(html: str, url: str | None = None) -> str:
    """The article text of an HTML page, one paragraph a line ('' if none found)."""
    import trafilatura  # heavy: only paid for when HTML comes in

    text = trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    return text or ""


def html_metadata(html: str, url: str | None = None) -> dict[str, str | None]:
    """The page's title, author and date (as YYYY-MM-DD), as trafilatura
    reads them from its markup; None where it finds none."""
    from trafilatura import extract_metadata

    try:
        found = extract_metadata(html, default_url=url)
    except Exception:  # noqa: BLE001 - a page whose metadata cannot be read has none
        found = None
    return {key: getattr(found, key, None) if found is not None else None for key in ("title", "author", "date")}
