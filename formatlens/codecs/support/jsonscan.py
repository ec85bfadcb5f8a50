"""Two scans over JSON text that keep character positions: comments blanked out, duplicate keys found.

JSON with comments (tsconfig.json, VS Code settings, .jsonc) is JSON plus ``//`` and
``/* */`` comments and trailing commas. Blanking those characters to spaces (newlines
kept) leaves plain JSON in which every character sits where it was, so the standard
library's fast parser reads it and every offset (errors, spans, findings) still
points at the original bytes. A JSON5 reader would also accept single quotes and
unquoted keys, but reports positions of its own and is far slower; JSON5 proper is
not what those files hold.

The duplicate-key walk runs only after a parse has shown that some object repeats
a key (a parse with an ``object_pairs_hook`` cannot say where).
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
_SCALAR = re.compile(r"-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|Infinity)|true|false|null|NaN")
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


def duplicate_keys(text: str, limit: int = 20) -> list[Duplicate]:
    """Every key repeated inside one object of ``text`` (valid JSON), up to ``limit``, in text order.

    An iterative walk (the depth is the document's): objects remember where each key was
    first seen; string values are skipped with the stdlib's string reader.
    """
    found: list[Duplicate] = []
    # One frame per open container: [is_object, path, first position by key, next index, pending key]
    frames: list[list] = []
    i, n = 0, len(text)
    while i < n and len(found) < limit:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string too
        if i >= n:
            break
        char = text[i]
        frame = frames[-1] if frames else None
        if char in ",:":
            i += 1
            continue
        if char in "]}":
            frames.pop()
            i += 1
            continue
        if frame is not None and frame[0] and frame[4] is None:  # a key inside an object
            key, end = _scanstring(text, i + 1)
            first = frame[2].get(key)
            if first is None:
                frame[2][key] = i
            else:
                found.append(Duplicate(frame[1], key, first, i, end))
            frame[4] = key
            i = end
            continue
        path = _child_path(frame)
        if char in "{[":
            frames.append([char == "{", path, {}, 0, None])
            i += 1
        elif char == '"':
            i = _scanstring(text, i + 1)[1]
        else:
            match = _SCALAR.match(text, i)
            i = match.end() if match else i + 1
    return found


def _child_path(frame: list | None) -> tuple:
    """The path of the value that starts now inside ``frame`` (and move the frame on)."""
    if frame is None:
        return ()
    if frame[0]:
        key, frame[4] = frame[4], None
        return (*frame[1], key)
    index, frame[3] = frame[3], frame[3] + 1
    return (*frame[1], index)
