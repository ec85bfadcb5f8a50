"""Two scans over JSON text that keep character positions: comments blanked out, duplicate keys found.

JSON with comments (tsconfig.json, VS Code settings, .jsonc) is JSON plus ``//`` and
``/* */`` comments and trailing commas. Blanking those characters to spaces (newlines
kept) leaves plain JSON in which every character sits where it was, so the standard
library's fast parser reads it and every offset (errors, spans, findings) still
points at the original bytes. A JSON5 reader would also accept single quotes and
unquoted keys, but reports positions of its own and is far slower; JSON5 proper is
not what those files hold.

Duplicate keys: the C scanner with an ``object_pairs_hook`` says whether a value holds a
repeat but not where, so the walk enters only the values it flags, member by member.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # the stdlib's string reader

# A string (kept as is), a line comment, a block comment (to the end of the text when unclosed).
_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|/\*.*?(?:\*/|\Z)', re.S)
# A string, or a comma whose next non-blank character closes an object or array.
_TRAILING_COMMA_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?|,(?=\s*[\]}])')
_NOT_NEWLINE = re.compile(r"[^\n]")
_WS = re.compile(r"[ \t\n\r]*")


class Stripped(NamedTuple):
    """JSON text with comments and trailing commas blanked; what was removed, as (start, end) characters."""

    text: str
    comments: list[tuple[int, int]]
    trailing_commas: list[int]


def strip_comments(text: str) -> Stripped:
    """``text`` with every comment and trailing comma replaced by spaces (same length, newlines kept)."""
    comments: list[tuple[int, int]] = []

    def blank_comment(match: re.Match) -> str:
        found = match.group()
        if found.startswith('"'):
            return found
        comments.append(match.span())
        return _NOT_NEWLINE.sub(" ", found)

    text = _COMMENT_OR_STRING.sub(blank_comment, text)
    commas: list[int] = []

    def blank_comma(match: re.Match) -> str:
        if match.group() == "," and _after_a_value(text, match.start()):
            commas.append(match.start())
            return " "
        return match.group()

    if "," in text:
        text = _TRAILING_COMMA_OR_STRING.sub(blank_comma, text)
    return Stripped(text, comments, commas)


def _after_a_value(text: str, comma: int) -> bool:
    """Whether the comma at ``comma`` follows a value (``[,]`` and ``{,}`` hold no trailing comma)."""
    i = comma - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    return i >= 0 and text[i] not in "[{,:"


def has_comment_marks(text: str) -> bool:
    """A cheap guess: ``//`` or ``/*`` somewhere (maybe inside a string), or a comma before a closer."""
    return "//" in text or "/*" in text or bool(re.search(r",\s*[\]}]", text))


class Duplicate(NamedTuple):
    """A key an object holds twice: where (the object's path into the value) and both character positions."""

    path: tuple
    key: str
    first: int
    again: int
    again_end: int
    first_end: int


class _Checker:
    """The stdlib's C scanner with a pairs hook that only notes a repeated key (it builds no value)."""

    def __init__(self) -> None:
        self.repeated = False
        decoder = json.JSONDecoder(object_pairs_hook=self._pairs, parse_constant=float)
        self.scan_once = decoder.scan_once  # type: ignore[attr-defined]  # set in JSONDecoder.__init__; typeshed omits it

    def _pairs(self, pairs: list) -> None:
        if len(dict(pairs)) != len(pairs):
            self.repeated = True

    def value(self, text: str, index: int) -> tuple[int, bool]:
        """Where the value at ``index`` ends, and whether some object inside it repeats a key."""
        self.repeated = False
        end = self.scan_once(text, index)[1]
        return end, self.repeated


def duplicate_keys(text: str, limit: int = 20) -> list[Duplicate]:
    """Keys repeated inside one object of ``text`` (valid JSON): the first ``limit`` found (objects are
    entered depth first, so not always the first in the text), sorted in text order.

    The C scanner reads each value whole and says whether a repeat is inside; only those values are
    entered, member by member, so the Python walk follows the paths that lead to a repeat (one parse
    at C speed when there is none).
    """
    checker = _Checker()
    top = _skip(text, 0)
    if top >= len(text) or not checker.value(text, top)[1]:
        return []
    found: list[Duplicate] = []
    pending: list[tuple[int, tuple]] = [(top, ())]
    while pending and len(found) < limit:
        at, path = pending.pop()
        is_object = text[at] == "{"
        seen: dict[str, tuple[int, int]] = {}
        i, index = _skip(text, at + 1), 0
        while i < len(text) and text[i] not in "]}":
            if is_object:
                key, key_end = _scanstring(text, i + 1)
                first, first_end = seen.setdefault(key, (i, key_end))
                if first != i:
                    found.append(Duplicate(path, key, first, i, key_end, first_end))
                child: tuple = (*path, key)
                i = _skip(text, _skip(text, key_end) + 1)  # past the colon
            else:
                child = (*path, index)
            end, inside = checker.value(text, i)
            if inside:
                pending.append((i, child))
            i = _skip(text, end)
            if i < len(text) and text[i] == ",":
                i = _skip(text, i + 1)
            index += 1
    return sorted(found, key=lambda d: d.again)[:limit]


def _skip(text: str, i: int) -> int:
    """The index of the first character at or after ``i`` that is not JSON whitespace."""
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string too
