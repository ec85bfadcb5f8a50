"""The codec contract: one subclass of :class:`Codec` per format.

A codec declares who it is as class attributes (``name``, ``title``,
``media_type``, ``extensions``, ``aliases``, ``traits``, ``library``) and what
rich values it stores natively (``holds``, used by conversion to decide what
must be rewritten and reported as a loss). It implements:

- ``sniff(data) -> float``: confidence 0..1 from a bounded prefix; never raises.
- ``decode(data, **options) -> Document``: refusals raise FormatError with the
  byte offset when one is known.
- ``encode(value, **options) -> bytes`` with the format's real options.
- ``reshape(value, losses)``: make the top level fit the format (BSON needs a
  document, CSV a list of flat records); append one sentence per change.
- ``encode_with_schema(value, **options) -> (bytes, Schema)``: schema-based
  formats (subclasses of SchemaCodec) implement this instead of encode(); it
  writes the bytes and reports the schema it used, inferred unless supplied.

Backend errors are translated at the boundary (``raise FormatError(...) from None``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, ClassVar

from formatlens.core.document import CodecInfo, Document, Finding, Schema, Traits
from formatlens.core.errors import FormatError

SNIFF_BYTES = 4096
"""How much of the input sniff() looks at: detection stays cheap on large files."""


class Codec:
    name: ClassVar[str]
    title: ClassVar[str]
    media_type: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    aliases: ClassVar[tuple[str, ...]] = ()
    traits: ClassVar[Traits]
    library: ClassVar[str]
    """The distribution that does the work (shown with its version)."""
    summary: ClassVar[str] = ""
    """What the format is for, in one sentence (the format guide shows it)."""
    snippet: ClassVar[str] = ""
    """Three lines of Python that write and read it with its library."""
    sample: ClassVar[str] = ""
    """A file in samples/ written in this format."""
    holds: ClassVar[frozenset[str]] = frozenset()
    """Rich value kinds stored as themselves: see formatlens.convert.adapt.KINDS."""

    def sniff(self, data: bytes) -> float:
        raise NotImplementedError

    def decode(self, data: bytes, **options: Any) -> Document:
        raise NotImplementedError

    def encode(self, value: Any, **options: Any) -> bytes:
        raise NotImplementedError

    def reshape(self, value: Any, losses: list[str]) -> Any:
        return value

    def encode_with_schema(self, value: Any, **options: Any) -> tuple[bytes, Schema | None]:
        """encode(), and the schema it wrote with (schema-based formats; inferred unless supplied)."""
        return self.encode(value, **options), None

    def error(self, message: str, *, offset: int | None = None, hint: str | None = None) -> FormatError:
        return FormatError(message, offset=offset, hint=hint, format=self.name)

    @classmethod
    def info(cls) -> CodecInfo:
        try:
            lib = f"{cls.library} {version(cls.library)}"
        except PackageNotFoundError:
            lib = cls.library
        return CodecInfo(
            name=cls.name,
            title=cls.title,
            media_type=cls.media_type,
            extensions=cls.extensions,
            traits=cls.traits,
            library=lib,
            aliases=cls.aliases,
            summary=cls.summary,
            snippet=cls.snippet,
            sample=cls.sample,
        )


def one_or_many(items: list, what: str) -> tuple[Any, list[Finding]]:
    """A stream's value: the single item itself, or a list of them with a finding that says so."""
    if len(items) == 1:
        return items[0], []
    return items, [Finding("info", f"{len(items)} {what} one after another: shown as a list")]


class SchemaCodec(Codec):
    """A schema-based format: it implements encode_with_schema(), and encode() is its bytes."""

    def encode(self, value: Any, **options: Any) -> bytes:
        return self.encode_with_schema(value, **options)[0]

    def encode_with_schema(self, value: Any, **options: Any) -> tuple[bytes, Schema]:
        raise NotImplementedError
