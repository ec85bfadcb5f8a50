"""Shared pieces of the byte walkers that annotate binary formats (MessagePack, CBOR).

A walker reads items at offsets and returns nested Spans. It checks every
length against the bytes left before trusting it, so a lying length prefix
fails at its own offset instead of allocating or reading past the end.
"""

from __future__ import annotations

from formatlens.core.errors import FormatError
from formatlens.core.limits import Limits, current


class ByteWalker:
    format = ""

    def __init__(self, data: bytes, limits: Limits | None = None) -> None:
        self.data = data
        self.limits = limits or current()
        self.spans_left = self.limits.max_spans

    def fail(self, message: str, offset: int) -> FormatError:
        return FormatError(message, offset=offset, format=self.format, hint="the data is truncated or corrupt here")

    def uint(self, pos: int, size: int) -> int:
        if pos + size > len(self.data):
            raise self.fail(f"truncated: needs {size} bytes", pos)
        return int.from_bytes(self.data[pos : pos + size], "big")

    def need(self, pos: int, size: int, what: str) -> None:
        if size < 0 or pos + size > len(self.data):
            raise self.fail(f"{what} of {size:,} bytes does not fit in the {len(self.data) - pos:,} bytes left", pos)

    def enter(self, depth: int, offset: int) -> None:
        if depth > self.limits.max_depth:
            self.limits.check("max_depth", depth, what="the nesting depth", offset=offset)
        self.spans_left -= 1

    def items(self) -> list:
        """Every top-level item, one after the other."""
        spans, pos, index = [], 0, 0
        while pos < len(self.data):
            span = self.item(pos, (), 0)
            spans.append(span)
            pos = span.end
            index += 1
        return spans

    def item(self, pos: int, path: tuple, depth: int):
        raise NotImplementedError

    @classmethod
    def first_bad_offset(cls, data: bytes) -> int | None:
        """Where a walk over ``data`` fails, to point a library's error at its byte."""
        try:
            cls(data).items()
        except Exception as exc:
            return getattr(exc, "offset", None)
        return None


def preview(value: object, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
