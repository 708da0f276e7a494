"""extract: HTML pages become text with trafilatura, then go through the text steps.

trafilatura's options, and why:

- favor_recall=True: trafilatura's own precision filters drop whole
  paragraphs on pages it misjudges, and what is lost there cannot come back;
  what it leaves in (related links, newsletter boxes, captions) is exactly
  what the line steps after it remove.
- include_comments=False: reader comments are not the article.
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
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    return text or ""
