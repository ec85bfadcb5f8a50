"""The codec contract: one subclass of :class:`Codec` per format.

A codec declares who it is as class attributes (``name``, ``title``,
``media_type``, ``extensions``, ``aliases``, ``traits``, ``library``) and what
rich values it stores natively (``holds``, used by conversion to decide what
must be rewritten and reported as a loss). It implements:

- ``sniff(data) -> Sniff``: confidence 0..1 from a bounded prefix, and the reason
  in a few plain words ("magic bytes PAR1"); never raises.
- ``decode(data, **options) -> Document``: refusals raise FormatError with the
  byte offset when one is known.
- ``encode(value, **options) -> bytes`` with the format's real options.
- ``reshape(value, losses)``: make the top level fit the format (BSON needs a
  document, CSV a list of flat records); append one sentence per change.
- ``encode_with_schema(value, **options) -> (bytes, Schema)``: schema-based
  formats (subclasses of SchemaCodec) implement this instead of encode(); it
  writes the bytes and reports the schema it used, inferred unless supplied.

Callers use ``load(data, **options)`` and ``dump(value, **options)``, the one entry
point for every codec: it refuses unknown options (naming the accepted ones),
bounds the input, names the Document after the codec, applies the span, depth
and node limits, and sorts exceptions at the boundary (formatlens.core.boundary):
only the library exceptions a codec declares in ``bad_input`` / ``bad_value``
become FormatError, anything else is an InternalError (a bug).
Refusals a codec raises itself go through ``self.error(...)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from contextvars import ContextVar
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any, ClassVar, NamedTuple

from formatlens.core.boundary import Exceptions, translate
from formatlens.core.document import CodecInfo, Document, Finding, Schema, Traits
from formatlens.core.errors import FormatError, LimitExceeded
from formatlens.core.limits import check_shared_value, check_value, collections, current, sized_for
from formatlens.runtime.gcpause import gc_paused

SNIFF_BYTES = 4096
"""How much of the input sniff() looks at: detection stays cheap on large files."""

_FINDINGS_WANTED: ContextVar[bool] = ContextVar("formatlens_findings_wanted", default=False)
_SUMMED_UP: ContextVar[bool] = ContextVar("formatlens_summed_up", default=False)


@contextmanager
def _raised(flag: ContextVar[bool]) -> Iterator[None]:
    token = flag.set(True)
    try:
        yield
    finally:
        flag.reset(token)


def findings_wanted() -> AbstractContextManager[None]:
    """Within this block the caller asks each Document for its findings (a worker's first view, the app):
    a codec may then fold a check into its parse (JSON's duplicate keys) instead of parsing again later."""
    return _raised(_FINDINGS_WANTED)


def folding_checks() -> bool:
    """Whether a decode runs inside findings_wanted()."""
    return _FINDINGS_WANTED.get()


def summing_up() -> AbstractContextManager[None]:
    """Within this block a decoded value is only summed up (counted, checked, its head shown after
    Codec.shown): a worker's first view. A codec may then build a cheaper equivalent
    whose values count and encode the same (BSON's datetimes without their time zone object)."""
    return _raised(_SUMMED_UP)


def summed_up() -> bool:
    """Whether a decode runs inside summing_up()."""
    return _SUMMED_UP.get()


class Sniff(NamedTuple):
    """What sniff() found: how sure, and why (the sidebar and fl.explain_detection show the reason)."""

    score: float
    """Confidence 0..1 that the bytes are in this format."""
    reason: str
    """Why, in a few words a person reads: "magic bytes PAR1", "starts with `{` and parses"."""


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
    bad_input: ClassVar[Exceptions] = (UnicodeDecodeError,)
    """Library exceptions that mean the bytes are bad: refused as FormatError. Anything else is a bug."""
    bad_value: ClassVar[Exceptions] = ()
    """Library exceptions that mean a value cannot be written: refused as EncodeError."""
    choices: ClassVar[dict[str, tuple]] = {}
    """Encode options with a fixed set of values a person can pick (the convert page's widgets)."""
    shares_values: ClassVar[bool] = False
    """True when a decoded value may share containers or hold cycles (pickle, YAML anchors, CBOR sharing)."""

    def load(self, data: bytes, **options: Any) -> Document:
        """Decode ``data``: the one entry point, with the limits and the error boundary for every codec."""
        self.check_options(self.decode, options)
        current().check("max_input_bytes", len(data), what=f"the input ({len(data):,} bytes)")
        limits = current().for_input(len(data))  # a large input may hold more values (Limits.for_input)
        # No collections while the decoder builds its tree (gcpause): each would walk every container made so
        # far; and with none since built_at, the value check counts untracked records by len() (_check_now).
        with gc_paused(), sized_for(limits):
            built_at = collections()
            document = translate(self.name, lambda: self.decode(data, **options), bad_input=self.bad_input)
            document.format = self.name
            document.bad_input = self.bad_input
            document.limits = limits
            document.built_at = built_at
            if document.value_check is None:  # a codec that knows its value's shape may have set a cheaper one
                document.value_check = check_shared_value if self.shares_values else check_value
            if document.value_made:
                _check_now(document)
        return document

    def shown(self, head: Any) -> Any:
        """The head of a value decoded inside summing_up(), as a plain decode makes it (in place)."""
        return head

    def dump(self, value: Any, **options: Any) -> tuple[bytes, Schema | None]:
        """Encode ``value``; the bytes and, for schema-based formats, the schema written with."""
        method = self.encode_with_schema if self.traits.schema_based else self.encode
        self.check_options(method, options)
        data, schema = translate(
            self.name,
            lambda: self.encode_with_schema(value, **options),
            bad_input=self.bad_value,
            encoding=True,
        )
        current().check("max_output_bytes", len(data), what=f"the output ({len(data):,} bytes)")
        return data, schema

    def check_options(self, method: Any, options: dict) -> None:
        """Refuse an option ``method`` does not take, naming those it does (a typo must not pass silently)."""
        accepted = option_names(method)
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise self.error(
                f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
                hint="accepted: " + (", ".join(accepted) if accepted else "none"),
            )

    # Each codec implements these with its own keyword-only options (declared as callables here so a
    # codec's narrower signature is not an override error; load() and dump() check the options).
    decode: Callable[..., Document]
    """decode(data, *, <options>) -> Document; called through load()."""
    encode: Callable[..., bytes]
    """encode(value, *, <options>) -> bytes; called through dump()."""

    def sniff(self, data: bytes) -> Sniff:
        raise NotImplementedError

    def reshape(self, value: Any, losses: list[str]) -> Any:
        return value

    def encode_with_schema(self, value: Any, **options: Any) -> tuple[bytes, Schema | None]:
        """encode(), and the schema it wrote with (schema-based formats; inferred unless supplied)."""
        return self.encode(value, **options), None

    def parses(self, step: Any) -> bool:
        """Whether ``step()`` runs without a refusal: for sniff(), which never raises for bad bytes.

        Only this codec's declared bad-input exceptions (and FormatError, and nesting too deep
        for Python) mean "no"; anything else is a bug and propagates.
        """
        refusals: Exceptions = (FormatError, RecursionError, *self.bad_input)
        try:
            step()
        except refusals:
            return False
        return True

    def error(self, message: str, *, offset: int | None = None, hint: str | None = None) -> FormatError:
        """The refusal this codec raises: ``raise self.error(...)``."""
        return FormatError(message, offset=offset, hint=hint, format=self.name)

    def document(self, data: bytes, **parts: Any) -> Document:
        """A Document named after this codec."""
        return Document(self.name, data, **parts)

    @classmethod
    def info(cls) -> CodecInfo:
        return CodecInfo(
            name=cls.name,
            title=cls.title,
            media_type=cls.media_type,
            extensions=cls.extensions,
            traits=cls.traits,
            library=_with_version(cls.library),
            aliases=cls.aliases,
            summary=cls.summary,
            snippet=cls.snippet,
            sample=cls.sample,
        )


@cache
def _with_version(library: str) -> str:
    """'pymongo 4.10.1': the installed version read once (importlib.metadata scans the installed packages: half a
    millisecond per codec, and the sidebar lists every format on each run)."""
    try:
        return f"{library} {version(library)}"
    except PackageNotFoundError:
        return library


def _check_now(document: Document) -> None:
    """Check a value the decode made at once, while no collection has run since (the value check then
    counts untracked records by len(): limits.check_value), and keep it checked. A value over a limit is
    left unchecked: asking for it raises, as it would have without this."""
    if collections() != document.built_at:
        return  # the shortcut does not hold: checked in full when the value is asked for
    with suppress(LimitExceeded):  # raised again, with the same message, where the value is asked for
        document.value  # noqa: B018


def option_names(method: Any) -> list[str]:
    """The keyword-only options a codec method takes."""
    return [p.name for p in inspect.signature(method).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def one_or_many(items: list, what: str, code: str) -> tuple[Any, list[Finding]]:
    """A stream's value: the single item itself, or a list of them with a finding (``code``) that says so."""
    if len(items) == 1:
        return items[0], []
    return items, [Finding("info", f"{len(items)} {what} one after another: shown as a list", code=code)]


class SchemaCodec(Codec):
    """A schema-based format: it implements encode_with_schema(), and encode() is its bytes."""

    def encode(self, value: Any, **options: Any) -> bytes:
        return self.encode_with_schema(value, **options)[0]

    def encode_with_schema(self, value: Any, **options: Any) -> tuple[bytes, Schema]:
        raise NotImplementedError
