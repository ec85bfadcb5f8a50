"""JSON (RFC 8259) with the standard library's json module.

NaN and Infinity are refused unless asked for (``allow_nan=True``); they are not
JSON. jsonpickle documents load as the JSON they are; their ``py/`` tags are
reported as findings and never acted on (jsonpickle's own decode would run
``py/reduce`` even with ``safe=True``).

JSON with comments (tsconfig.json, VS Code settings, .jsonc) is read with its
comments and trailing commas blanked out (support/jsonscan: every offset stays
true) and a finding that says what was dropped. A key an object holds twice is
a warning naming both offsets: json keeps the last value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from formatlens.codecs.base import SNIFF_BYTES, Codec, Sniff, folding_checks
from formatlens.codecs.support import duplicates, jsonscan
from formatlens.codecs.support.textpos import Text, split_bom
from formatlens.core.checkpoints import TOP, current_checkpoints
from formatlens.core.document import Document, Finding, Severity, Span, Traits
from formatlens.core.errors import LimitExceeded
from formatlens.core.limits import current, current_window, env_name

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # the stdlib's string reader; typeshed omits it
_SCALAR_START = re.compile(r'(-?\d|"|true\b|false\b|null\b)')

JSONPICKLE_TAGS: dict[str, tuple[Severity, str]] = {
    "py/reduce": ("danger", "calls a function named in the data when decoded"),
    "py/function": ("danger", "names a function to import"),
    "py/type": ("danger", "names a type to import"),
    "py/object": ("danger", "names a class to import and instantiate"),
    "py/repr": ("danger", "is evaluated as Python source by older jsonpickle"),
    "py/newobj": ("danger", "creates an object of a class named in the data"),
    "py/newargs": ("warning", "passes arguments to a constructor"),
    "py/newargsex": ("warning", "passes arguments to a constructor"),
    "py/state": ("warning", "sets an object's state"),
    "py/module": ("danger", "names a module to import"),
}


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


class JsonCodec(Codec):
    name = "json"
    title = "JSON"
    media_type = "application/json"
    extensions = (".json", ".jsonl", ".geojson", ".jsonc")
    aliases = ("jsonpickle",)
    traits = Traits(textual=True, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "python"
    summary = "The web's data format: human-readable text for APIs, configuration and logs."
    snippet = "import json\ntext = json.dumps(users, indent=2, default=str)\nusers = json.loads(text)"
    sample = "users.json"
    holds = frozenset({"null", "bool", "number", "bigint"})
    bad_input = (json.JSONDecodeError, UnicodeDecodeError)
    bad_value = (TypeError, ValueError)  # json.dumps: a type it cannot write; NaN refused; a cycle
    choices = {"indent": (2, 4, 0, None)}

    def sniff(self, data: bytes) -> Sniff:
        head = data[:SNIFF_BYTES]
        bom, skip = split_bom(head)
        text = head[skip:].decode(bom or json.detect_encoding(head), "ignore").lstrip()
        if not text:
            return Sniff(0.0, "no text")
        if text.startswith(("//", "/*")):  # JSON with comments may open with one
            return self._sniff_commented(data, jsonscan.strip_comments(text).text.lstrip())
        if text[0] in "{[":
            if len(data) > SNIFF_BYTES * 16:  # too big to parse just to sniff: structure alone
                if _value_then_another(text):  # one JSON value per line: the json-lines layer's, not one value
                    return Sniff(0.5, f"starts with `{text[0]}`, but another value follows the first (JSON Lines?)")
                return Sniff(0.9, f"starts with `{text[0]}` (too large to parse just to sniff)")
            if _is_json(data):
                return Sniff(0.97, f"starts with `{text[0]}` and parses")
            if jsonscan.has_comment_marks(text) and _is_json(data, comments=True):
                return Sniff(0.9, f"starts with `{text[0]}` and parses as JSON with comments")
            return Sniff(0.5, f"starts with `{text[0]}` but does not parse as JSON")
        if _SCALAR_START.match(text) and _is_json(data):
            return Sniff(0.55, "a single JSON value that parses")
        return Sniff(0.0, "does not start like JSON")

    def _sniff_commented(self, data: bytes, rest: str) -> Sniff:
        if not rest or rest[0] not in "{[":
            return Sniff(0.0, "starts with a comment, not followed by a JSON object or array")
        if len(data) > SNIFF_BYTES * 16:
            return Sniff(0.85, f"a comment, then `{rest[0]}` (too large to parse just to sniff)")
        if _is_json(data, comments=True):
            return Sniff(0.9, f"a comment, then `{rest[0]}`: parses as JSON with comments")
        return Sniff(0.3, f"a comment, then `{rest[0]}`, but does not parse as JSON with comments")

    def decode(self, data: bytes, *, allow_nan: bool = False) -> Document:
        text = self._text(data)
        hooks: dict[str, Any] = {} if allow_nan else {"parse_constant": _refuse_constant}
        # When findings will be asked for, the parse notes repeated keys (a third slower than a plain parse,
        # half the price of the separate scan it spares when there are none).
        repeated: list[bool] | None = None
        if folding_checks():
            hooks["object_pairs_hook"], repeated = _pairs_hook()
        stripped: jsonscan.Stripped | None = None
        try:
            try:
                value = json.loads(text.text, **hooks)
            except json.JSONDecodeError:
                stripped = jsonscan.strip_comments(text.text) if jsonscan.has_comment_marks(text.text) else None
                if stripped is None or not (stripped.comments or stripped.trailing_commas):
                    raise
                # JSON with comments: the same characters with comments blanked, so offsets stay true
                text = StrippedText(text, stripped.text)
                if repeated is not None:
                    repeated.clear()  # the failed parse's objects are not the value's
                value = json.loads(text.text, **hooks)
        except json.JSONDecodeError as exc:
            raise self.error(exc.msg, offset=text.byte_offset(exc.pos), hint=_hint(exc.msg)) from None
        except RecursionError:
            raise LimitExceeded(
                "nesting is deeper than Python's parser can follow",
                hint=f"flatten the document, or raise {env_name('max_depth')} only with care",
                format=self.name,
            ) from None
        except ValueError as exc:  # NaN/Infinity refused, or an integer of over 4,300 digits
            raise self.error(str(exc), hint="integers are limited to 4,300 digits; NaN needs allow_nan=True") from None
        details: dict[str, Any] = {"encoding": text.encoding}
        findings = []
        if stripped is not None:
            details["comments"] = len(stripped.comments)
            details["trailing_commas"] = len(stripped.trailing_commas)
            findings.append(_comments_finding(text, stripped))
        return self.document(
            data,
            value=value,
            findings=findings,
            spans_factory=lambda: top_level_spans(text),
            findings_factory=lambda: _value_findings(text, value, None if repeated is None else bool(repeated)),
            details=details,
        )

    def _text(self, data: bytes) -> Text:
        bom, skip = split_bom(data)
        encoding = bom or json.detect_encoding(data)
        try:
            return Text(data, encoding, skip)
        except UnicodeDecodeError as exc:
            raise self.error(
                f"invalid {encoding}: {exc.reason}", offset=skip + exc.start, hint="JSON must be UTF-8"
            ) from None

    def encode(
        self,
        value: Any,
        *,
        indent: int | None = 2,
        sort_keys: bool = False,
        ensure_ascii: bool = False,
        allow_nan: bool = False,
    ) -> bytes:
        return json.dumps(
            value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii, allow_nan=allow_nan
        ).encode("utf-8")


class StrippedText(Text):
    """JSON with comments as its parser sees it: comments blanked, byte offsets those of the original."""

    def __init__(self, original: Text, text: str) -> None:
        self.__dict__.update(original.__dict__)
        self.original = original
        self.text = text

    def byte_offset(self, char_index: int) -> int:
        return self.original.byte_offset(char_index)


def _is_json(data: bytes, *, comments: bool = False) -> bool:
    if len(data) > SNIFF_BYTES * 16:
        return True
    try:
        if comments:
            bom, skip = split_bom(data)
            json.loads(jsonscan.strip_comments(data[skip:].decode(bom or json.detect_encoding(data))).text)
        else:
            json.loads(data)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return False
    return True


def _comments_finding(text: Text, stripped: jsonscan.Stripped) -> Finding:
    parts = []
    if stripped.comments:
        n = len(stripped.comments)
        parts.append(f"{n} comment{'s' if n > 1 else ''}")
    if stripped.trailing_commas:
        n = len(stripped.trailing_commas)
        parts.append(f"{n} trailing comma{'s' if n > 1 else ''}")
    first = min([start for start, _end in stripped.comments] + stripped.trailing_commas)
    end = next((e for s, e in stripped.comments if s == first), first + 1)
    return Finding(
        "warning",
        f"JSON with comments (as tsconfig.json and VS Code settings use), not strict JSON: {' and '.join(parts)} "
        f"dropped, the first at byte {text.byte_offset(first)}; strict JSON parsers refuse this file, and "
        "converting writes the data without them",
        Span(text.byte_offset(first), text.byte_offset(end), "metadata", "comment" if end > first + 1 else "comma"),
        code="json.comments",
    )


def _value_then_another(head: str) -> bool:
    """Whether ``head`` (an input's first characters) holds a whole JSON value with another after it."""
    try:
        _, end = _HEAD_DECODER.raw_decode(head)
    except (json.JSONDecodeError, RecursionError):  # cut inside the first value (one large document), not
        return False  # JSON at all, or nested deeper than the parser follows (the decode refuses it, with a hint)
    rest = head[end:].lstrip()
    return bool(rest) and (rest[0] in '{["' or _SCALAR_START.match(rest) is not None)


_HEAD_DECODER = json.JSONDecoder()


def _value_findings(text: Text, value: Any, repeated: bool | None) -> list[Finding]:
    """``repeated``: whether the parse met a repeated key (None: it did not look; the scan decides)."""
    # The tag scan walks the whole value: only pay for it when a tag can be there.
    # '/' is found at memchr speed: most inputs without it skip the slower search for the tag (0.02 s at 45 MiB)
    findings = jsonpickle_findings(value) if "/" in text.text and '"py/' in text.text else []
    return findings + (duplicate_key_findings(text) if repeated is not False else [])


def _pairs_hook() -> tuple[Callable[[list[tuple[str, Any]]], dict[str, Any]], list[bool]]:
    """json's object_pairs_hook: each object made as json makes it (the last value of a repeated key, in the
    first key's place); and the list it notes in that an object repeated a key. A closure, not an object with
    __call__: json calls it once per object (266,000 times in a 45 MiB file; 0.02 s less)."""
    repeated: list[bool] = []
    note = repeated.append

    def made(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) != len(pairs) and not repeated:  # noted once
            note(True)
        return value

    return made, repeated


def duplicate_key_findings(text: Text) -> list[Finding]:
    """Warnings for objects that hold a key twice (json keeps the last value, as a dict does)."""
    # Only when findings are asked for: a pairs hook in decode() would slow the value down.
    found = []
    for dup in jsonscan.duplicate_keys(text.text, duplicates.LIMIT):
        path = (*dup.path, dup.key)  # the key's node in the value, as the binary walkers' key spans have it
        first = Span(text.byte_offset(dup.first), text.byte_offset(dup.first_end), "key", f"key {dup.key!r}", path)
        again = Span(text.byte_offset(dup.again), text.byte_offset(dup.again_end), "key", f"key {dup.key!r}", path)
        found.append(duplicates.finding("json", "json", duplicates.Repeat(dup.path, dup.key, first, again)))
    return found


def _hint(msg: str) -> str:
    if "Expecting property name" in msg:
        return "keys must be double-quoted strings (JSON5's single-quoted or bare keys are not read)"
    if "Extra data" in msg:
        return "a JSON document holds one value; for one value per line, split the lines (JSON Lines)"
    if "Expecting value" in msg:
        return "look for a missing value, a trailing comma or single quotes"
    return "check the bytes just before this offset"


def top_level_spans(text: Text) -> list[Span]:
    """One span per member of the top-level object or array (key and value nested)."""
    s = text.text
    i = _skip_ws(s, 0)
    if i >= len(s) or s[i] not in "{[":
        return [Span(text.byte_offset(i), len(text.data), "value", "JSON value")]
    is_object = s[i] == "{"
    spans: list[Span] = []
    i += 1
    index = made = 0
    limit = current().max_spans
    window = current_window()
    marks = current_checkpoints() if window is not None else None
    if marks is not None and window is not None:  # a far window: from the last checkpoint before it
        at, resumed = marks.start(TOP, 0, None, window[0])
        if resumed is not None:
            (i, index) = resumed
            text.known(i, at)
    while made <= limit:  # one past the limit: Document.spans cuts there and says so
        i = _skip_ws(s, i)
        if i >= len(s) or s[i] in "]}":
            break
        start = i
        if window is not None:  # a far window: members before it are read (to find where they end), not annotated
            first = text.byte_offset(start)
            if window.past(first):
                break
            if marks is not None:
                marks.note(TOP, first, (start, index))
            i = _member_end(s, i, is_object)
            if window.misses(first, text.byte_offset(i)):
                index += 1
                i = _skip_ws(s, i)
                if i < len(s) and s[i] == ",":
                    i += 1
                continue
            i = start
        children = []
        if is_object:
            key, i = _scanstring(s, i + 1)
            children.append(Span(text.byte_offset(start), text.byte_offset(i), "key", f"key {key!r}", (key,)))
            i = _skip_ws(s, i) + 1  # the colon
            i = _skip_ws(s, i)
            path: tuple = (key,)
        else:
            path = (index,)
        value_start = i
        value, i = _DECODER.raw_decode(s, i)
        children.append(Span(text.byte_offset(value_start), text.byte_offset(i), "value", _describe(value), path))
        label = f"{path[0]!r}: {_describe(value)}" if is_object else f"[{index}] {_describe(value)}"
        spans.append(Span(text.byte_offset(start), text.byte_offset(i), "entry", label, path, tuple(children)))
        index += 1
        made += 1 + len(children)
        i = _skip_ws(s, i)
        if i < len(s) and s[i] == ",":
            i += 1
    return spans


def _member_end(s: str, i: int, is_object: bool) -> int:
    """Where the member (``key: value`` or an item) starting at ``i`` ends, without spans."""
    if is_object:
        _key, i = _scanstring(s, i + 1)
        i = _skip_ws(s, _skip_ws(s, i) + 1)  # the colon
    return _DECODER.raw_decode(s, i)[1]


def _skip_ws(s: str, i: int) -> int:
    """The index of the first character at or after ``i`` that is not JSON whitespace."""
    match = _WS.match(s, i)
    return match.end() if match else i


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return f"object of {len(value)} members"
    if isinstance(value, list):
        return f"array of {len(value)} items"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def jsonpickle_findings(value: Any, limit: int = 200) -> list[Finding]:
    """Findings for every jsonpickle ``py/`` tag (walked iteratively, at most ``limit`` findings)."""
    findings: list[Finding] = []
    stack: list[tuple[Any, tuple]] = [(value, ())]
    seen = 0
    while stack and len(findings) < limit and seen < 1_000_000:
        node, path = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and key in JSONPICKLE_TAGS:
                    severity, why = JSONPICKLE_TAGS[key]
                    target = f" ({child})" if isinstance(child, str) else ""
                    where = "/".join(map(str, path)) or "top level"
                    findings.append(
                        Finding(
                            severity,
                            f"jsonpickle tag {key}{target} at {where}: {why}; shown as data, never decoded",
                            code="json.jsonpickle-tag",
                            subject=key,
                        )
                    )
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))
    return findings


codec = JsonCodec()
