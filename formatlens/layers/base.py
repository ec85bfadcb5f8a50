"""The layer contract: one subclass of :class:`LayerCodec` per wrapper kind.

A layer codec declares who it is as class attributes (``kind``, ``title``,
``family``) and implements:

- ``sniff(data) -> float``: confidence 0..1 that ``data`` is wrapped this way,
  from magic bytes or an exact fit of its framing; bounded and never raises.
- ``peel(data, context) -> Peeled``: the wrapper's own bytes as spans and what
  is inside, either new bytes (``output``: text armor, compression) or ranges
  of ``data`` (``frames``: Confluent, gRPC, length prefixes, JSON Lines).
  Bad input raises FormatError (LimitExceeded for a bomb); only the exceptions
  that a library raises for bad bytes are translated, never a catch-all.

The peel driver (formatlens.layers.peel) decides which layer, if any, beats
the codecs' own detection, peels it, and goes on up to FORMATLENS_MAX_LAYERS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from formatlens.core.document import Finding, Span
from formatlens.core.errors import FormatError


@dataclass(slots=True)
class Frame:
    """One payload inside a framing layer, with the header bytes in front of it."""

    start: int
    """Where the frame starts (its header)."""
    payload_start: int
    payload_end: int
    header: tuple[Span, ...] = ()
    label: str = "payload"
    decode: bool = True
    """False for frames that hold no payload of the inner format (gRPC-web trailers)."""


@dataclass(slots=True)
class Peeled:
    """What peeling one layer found."""

    details: dict
    spans: tuple[Span, ...] = ()
    """The wrapper's own bytes (magic, header, length, footer...)."""
    output: bytes | None = None
    """The bytes inside, when the layer makes new ones (armor, compression)."""
    frames: list[Frame] = field(default_factory=list)
    """The payloads inside, when they are ranges of the layer's bytes (framing)."""
    inner_format: str | None = None
    """The format inside, when the wrapper says (JSON Lines holds JSON; a registry names the schema type)."""
    inner_options: dict[str, Any] = field(default_factory=dict)
    """Decode options for what is inside (a schema fetched by id, the message the indexes name)."""
    findings: list[Finding] = field(default_factory=list)
    stream: bool = False
    """True when the frames are a stream of items, even when there is only one."""


@dataclass(slots=True)
class PeelContext:
    """What a layer may need besides its bytes: the caller's decode options."""

    options: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    """The innermost format the caller forced, if any."""


class LayerCodec:
    kind: ClassVar[str]
    title: ClassVar[str]
    family: ClassVar[str]
    """"armor", "compression", "framing", "schema-registry" or "stream"."""

    def sniff(self, data: bytes) -> float:
        raise NotImplementedError

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        raise NotImplementedError

    def error(self, message: str, *, offset: int | None = None, hint: str | None = None) -> FormatError:
        return FormatError(message, offset=offset, hint=hint, format=self.kind)


def shift(span: Span, offset: int, prefix: tuple = ()) -> Span:
    """``span`` and its children moved by ``offset`` bytes, their paths under ``prefix``."""
    if not offset and not prefix:
        return span
    return Span(
        span.start + offset,
        span.end + offset,
        span.kind,
        span.label,
        (*prefix, *span.path) if prefix else span.path,
        tuple(shift(child, offset, prefix) for child in span.children),
    )
