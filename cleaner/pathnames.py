"""How a file's name is shown in messages and in the report.

A file name on Linux is any bytes but NUL and '/': it may hold bytes that
are not UTF-8, newlines, or other control characters. Printed as it is,
such a name fails to encode (a traceback) or splits a one-line message in
two. So every name is shown as its bytes read as UTF-8, with

* each byte that is not part of valid UTF-8 written ``\\xNN``,
* each control character written ``\\n``, ``\\r``, ``\\t`` or ``\\xNN``.

Everything else, a backslash included, is shown as it is. `path_of` turns a
shown name back into the path, exactly unless the real name itself holds a
backslash followed by ``x`` and two hex digits or one of ``n``, ``r``, ``t``
(then the shown name reads the same as a different one).
"""
from __future__ import annotations

import os
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNNAMED = {"n": b"\n", "r": b"\r", "t": b"\t"}
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|[nrt])")


def shown(path: str | os.PathLike) -> str:
    """`path` as it appears in a message or the report (see the module's docstring)."""
    raw = os.fsencode(path)
    text = raw.decode("utf-8", "backslashreplace")
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)
    return text


def path_of(name: str) -> str:
    """The path a `shown` name stands for (a `str` that `open` takes)."""
    if "\\" not in name:
        return name
    pieces: list[bytes] = []
    position = 0
    for match in _ESCAPE.finditer(name):
        pieces.append(name[position : match.start()].encode("utf-8"))
        code = match.group(1)
        pieces.append(bytes([int(code[1:], 16)]) if code[0] == "x" else _UNNAMED[code])
        position = match.end()
    pieces.append(name[position:].encode("utf-8"))
    return os.fsdecode(b"".join(pieces))
