"""decode: bytes to str, never crashing on what the web hands us.

Order of trust: a byte-order mark, then strict UTF-8 (most of the web, and a
legacy encoding rarely decodes as valid UTF-8 by accident), then
charset_normalizer's guess, then UTF-8 with replacement characters (reported).
Bytes with NULs and no UTF-16/32 mark are binary, not text.
"""
from __future__ import annotations

import codecs

from ..result import Decoding


class NotTextError(ValueError):
    """The input is binary (or otherwise not text) and was not cleaned."""


# The byte-order marks read: each with the codec that reads the text with
# its mark, and the one that writes text after it in the same byte order
# (`check --fix` writes a file back in its own form; Python's "utf-16" would
# write the machine's order, whatever the file's was). UTF-32 marks first:
# the UTF-32-LE mark begins with the UTF-16-LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)

# How much of the input is looked at for NUL bytes and by the charset guesser:
# enough to be sure, bounded so huge files cost nothing extra.
_SNIFF_BYTES = 64 * 1024


def decode(data: bytes | str) -> tuple[str, Decoding]:
    if isinstance(data, str):
        return data, Decoding("utf-8", "str")
    for bom, encoding, _ in BYTE_ORDER_MARKS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), Decoding(encoding, "bom")
            except UnicodeDecodeError:
                break  # a mark followed by garbage: let the checks below decide
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise NotTextError("not text: binary data (NUL bytes)")
    try:
        return data.decode("utf-8"), Decoding("utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    guessed = _guess_encoding(data)
    if guessed:
        try:
            return data.decode(guessed), Decoding(guessed, "detected")
        except (UnicodeDecodeError, LookupError):
            pass
    text = data.decode("utf-8", errors="replace")
    return text, Decoding("utf-8", "fallback", replaced=text.count("\ufffd"))


def _guess_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # heavy import, only for non-UTF-8 input

    best = from_bytes(data[:_SNIFF_BYTES]).best()
    return best.encoding if best is not None else None
