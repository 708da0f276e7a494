"""How a file's name, and a document's text, are shown in messages and in
the report.

A file name on Linux is any bytes but NUL and '/': it may hold bytes that
are not UTF-8, newlines, terminal escape sequences, or characters that turn
text right to left. Printed as it is, such a name fails to encode (a
traceback), splits a one-line message in two, or drives the terminal. So
every name is shown as its bytes read as UTF-8, with

* each byte that is not part of valid UTF-8 written ``\\xNN`` (NN of 80-ff),
* each ASCII control character written ``\\n``, ``\\r``, ``\\t`` or ``\\xNN``
  (NN of 00-1f, or 7f),
* each other control or direction character (C1 controls, U+200E/U+200F,
  U+202A-U+202E, U+2066-U+2069) written ``\\uNNNN``.

Everything else, a backslash included, is shown as it is. `path_of` turns a
shown name back into the path, exactly unless the real name itself holds a
backslash followed by one of those forms. A document's text printed on a
terminal (`explain`, `check`) is escaped the same way (`printable`).
"""
from __future__ import annotations

import os
import re

_HIDDEN = re.compile("[\x00-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNNAMED = {"n": b"\n", "r": b"\r", "t": b"\t"}
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with its control and direction characters written out (see
    the module's docstring), safe to print on one line of a terminal."""
    return _HIDDEN.sub(_escape, text) if _HIDDEN.search(text) else text


def shown(path: str | os.PathLike) -> str:
    """`path` as it appears in a message or the report (see the module's docstring)."""
    return printable(os.fsencode(path).decode("utf-8", "backslashreplace"))


def path_of(name: str) -> str:
    """The path a `shown` name stands for (a `str` that `open` takes)."""
    if "\\" not in name:
        return name
    pieces: list[bytes] = []
    position = 0
    for match in _ESCAPE.finditer(name):
        pieces.append(name[position : match.start()].encode("utf-8"))
        code = match.group(1)
        if code[0] == "x":
            pieces.append(bytes([int(code[1:], 16)]))
        elif code[0] == "u":
            pieces.append(chr(int(code[1:], 16)).encode("utf-8"))
        else:
            pieces.append(_UNNAMED[code])
        position = match.end()
    pieces.append(name[position:].encode("utf-8"))
    return os.fsdecode(b"".join(pieces))
