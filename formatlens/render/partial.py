"""The structure of a refused input, as far as it was read: spans up to the offending byte.

A refusal still tells a person where things went wrong: the bytes before the
error were read, the byte at the error is the problem, the rest was never
reached. For pickles, whose opcodes can be listed one at a time without
running anything (pickletools.genops), the read part is shown opcode by opcode.
"""

from __future__ import annotations

import io
import pickletools

from formatlens.core.document import Span
from formatlens.core.errors import FormatError

MAX_OPCODES = 20_000


def partial_spans(data: bytes, error: FormatError) -> list[Span]:
    """Spans for ``data`` refused with ``error``: what was read, and the offending byte."""
    offset = error.offset
    if offset is None or not 0 <= offset <= len(data):
        return []
    read: tuple[Span, ...] = ()
    if error.format == "pickle":
        read = tuple(_pickle_opcodes(data, offset))
    spans: list[Span] = []
    if offset > 0:
        spans.append(Span(0, offset, "value", f"read before the error ({offset:,} bytes)", (), read))
    if offset < len(data):
        spans.append(Span(offset, offset + 1, "error", f"error here: {error.message}"))
    return spans


def _pickle_opcodes(data: bytes, end: int) -> list[Span]:
    """The opcodes before ``end``, listed without executing any (genops only reads)."""
    spans: list[Span] = []
    stream = io.BytesIO(data[:end])
    try:
        for opcode, arg, position in pickletools.genops(stream):
            if position is None or len(spans) >= MAX_OPCODES:
                break
            stop = stream.tell()
            label = opcode.name + ("" if arg is None else f" {str(arg)[:40]}")
            spans.append(Span(position, min(stop, end), "opcode", label))
    except (ValueError, EOFError, UnicodeDecodeError):  # genops stops at the cut or at the bad opcode
        pass
    return spans
