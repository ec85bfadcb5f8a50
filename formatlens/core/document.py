"""What a decode produces: a Document with its value, schema, byte spans and findings.

``value``, ``spans``, ``table`` and, where a codec gives them as factories,
``schema`` and ``findings`` are computed on first use and cached, so a page
that shows only the schema or a hexdump never pays for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple

from formatlens.core.boundary import Exceptions, translate
from formatlens.core.limits import Limits, current, sized_for
from formatlens.runtime.gcpause import gc_paused

SpanKind = Literal[
    "magic",
    "header",
    "length",
    "tag",
    "key",
    "type",
    "value",
    "opcode",
    "metadata",
    "padding",
    "footer",
    "compressed",
    "entry",
    "error",
]
Severity = Literal["info", "warning", "danger"]


class Span(NamedTuple):
    """A byte range of the input and what it means (a NamedTuple: walkers make many of them)."""

    start: int
    """Offset of the first byte."""
    end: int
    """Offset one past the last byte (exclusive)."""
    kind: SpanKind
    """One of the shared span kinds: magic, header, length, tag, key, type, value, opcode..."""
    label: str
    """What a person reads on hover, e.g. "BININT1 42" or "string 'name'"."""
    path: tuple = ()
    """Where the bytes land in Document.value (keys and indexes)."""
    children: tuple = ()
    """Nested spans, inside this one and sorted by start."""

    def walk(self):
        """This span and all its descendants, in byte order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a person should know about the input: a note, a warning or a danger."""

    severity: Severity
    message: str
    span: Span | None = None
    code: str = ""
    """A stable id, "<format>.<what>" (e.g. "pickle.global", "yaml.tag"): what tools and the app match on."""
    subject: str | None = None
    """What the finding is about, as data (the imported name, the tag, the key), so nobody parses the message."""


class Layer(NamedTuple):
    """A wrapper peeled off the bytes before the innermost format was decoded (see formatlens.layers)."""

    kind: str
    """What the wrapper is: "confluent", "grpc", "gzip", "base64", "varint-delimited"..."""
    start: int
    """Offset of the layer's first byte in the bytes it was peeled from (``Document.layer_bytes``)."""
    end: int
    """Offset one past its last byte (exclusive)."""
    details: dict
    """What the wrapper says, e.g. {"schema_id": 42, "message_indexes": [0]} or a compression ratio."""
    spans: tuple = ()
    """The wrapper's own bytes (magic, header, length...), in the same coordinates as start/end."""
    source: int = 0
    """Which bytes start/end count in: 0 is the input, k the output of the k-th layer that made new
    bytes (text armor, compression); Document.data is the last of them."""


@dataclass(frozen=True, slots=True)
class Schema:
    """A schema carried by or inferred for the data."""

    kind: str
    """"avro", "proto", "parquet", "arrow", "json-schema", "csv-columns"..."""
    text: str
    """The schema in its own language, as a person reads it."""
    details: dict = field(default_factory=dict)
    """Format-specific extras (codec, column statistics, whether it was inferred...)."""


@dataclass(frozen=True, slots=True)
class Traits:
    """How a format classifies; the format guide and comparison tables are built from these."""

    textual: bool
    schema_based: bool
    shape: Literal["hierarchical", "tabular"]
    orientation: Literal["row", "column", "document"]
    portable: bool
    purpose: Literal["general", "specialized"] = "general"


@dataclass(frozen=True, slots=True)
class CodecInfo:
    """Who a codec is: what formats() lists."""

    name: str
    title: str
    media_type: str
    extensions: tuple[str, ...]
    traits: Traits
    library: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    snippet: str = ""
    sample: str = ""
    available: bool = True
    """False when the codec's dependency is missing (see ``unavailable_reason``)."""
    unavailable_reason: str = ""


@dataclass(frozen=True, slots=True)
class Conversion:
    """The result of convert(): the bytes, and what the target could not hold exactly."""

    data: bytes
    format: str
    source_format: str
    losses: list[str]
    schema: Schema | None = None


_PARTS = ("value", "spans", "table", "schema", "findings")


class Document:
    """A decoded input. ``value`` and ``spans`` are lazy; both raise FormatError when bad."""

    def __init__(
        self,
        format: str,
        data: bytes,
        *,
        value: Any = None,
        value_factory: Callable[[], Any] | None = None,
        spans_factory: Callable[[], Sequence[Span]] | None = None,
        table_factory: Callable[[], Any] | None = None,
        schema: Schema | None = None,
        findings: Sequence[Finding] = (),
        findings_factory: Callable[[], Sequence[Finding]] | None = None,
        schema_factory: Callable[[], Schema | None] | None = None,
        details: dict | None = None,
        layers: Sequence[Layer] = (),
        layer_sources: Sequence[bytes] = (),
        glance_factory: Callable[[], dict] | None = None,
    ) -> None:
        self.format = format
        self.data = data
        self.layers = list(layers)
        """The wrappers peeled before decoding, outermost first; ``format`` names what was inside."""
        self._sources = list(layer_sources)
        self._schema = schema
        self._schema_factory = schema_factory
        self._findings = list(findings)
        self._findings_factory = findings_factory
        self.details = details or {}
        """Codec extras a view can show (dialect, encoding, document count...)."""
        self._value_factory = value_factory or (lambda: value)
        self.value_made = value_factory is None
        """True when the decode made the value already (not a factory that makes it when asked for)."""
        self.value_is_derived = value_factory is not None and table_factory is not None
        """True when the value is made from the table (Parquet's records): the parse is the table."""
        self.glance_factory = glance_factory
        """A first view's {"shape", "tabular", "head"} without making the whole value (runtime.firstview),
        for a codec whose parse checks the input without it (a large schemaless protobuf)."""
        self._spans_factory = spans_factory or (lambda: ())
        self._table_factory = table_factory
        self.bad_input: Exceptions = ()
        """The codec's declared bad-input exceptions: a lazy part failing with one is a FormatError."""
        self.value_check: Callable[..., None] | None = None
        """Bounds the value (depth, nodes) when the codec does not; set by Codec.load."""
        self.first_view: dict | None = None
        """Set when only a first view was sent by a worker: {"shape", "tabular", "head"} (runtime.firstview)."""
        self.limits: Limits | None = None
        self.built_at: int | None = None
        """limits.collections() when the decode began (Codec.load): while no collection has run since, the
        value check may take the collector's bookkeeping as true (see limits.check_value)."""
        """The limits sized for this input (Limits.for_input); the lazy parts run under them. Set by Codec.load."""

    @cached_property
    def schema(self) -> Schema | None:
        if self._schema_factory is None:
            return self._schema
        return self._guarded(self._schema_factory)

    @cached_property
    def findings(self) -> list[Finding]:
        """What a person should know; findings that need a walk over the value are made on first use."""
        if self._findings_factory is None:
            return self._findings
        return self._findings + list(self._guarded(self._findings_factory))

    @cached_property
    def value(self) -> Any:
        value = self._guarded(self._value_factory)
        if self.value_check is not None:
            check, built_at = self.value_check, self.built_at
            self._guarded(lambda: check(value, built_at=built_at))
        return value

    @cached_property
    def spans(self) -> list[Span]:
        spans = sorted(self._guarded(self._spans_factory), key=lambda s: (s.start, -s.end))
        limit = (self.limits or current()).max_spans
        total = count_spans(spans, limit)
        if total > limit:  # the rest of the bytes stay unannotated (see Limits.max_spans)
            self.details["spans_cut_at"] = limit
            spans = _first_spans(spans, limit)
        return spans

    @cached_property
    def table(self) -> Any:
        """The data as a pyarrow Table when the format is tabular (Parquet, Avro, CSV), else None."""
        if self._table_factory is None:
            return None
        return self._guarded(self._table_factory)

    def layer_bytes(self, index: int) -> bytes:
        """The bytes of layer ``index`` (its range in the bytes it was peeled from)."""
        layer = self.layers[index]
        sources = self._sources or [self.data]
        return sources[layer.source][layer.start : layer.end]

    def in_data(self, layer: Layer) -> bool:
        """Whether ``layer``'s start/end and spans count in ``data`` (not in bytes an outer layer decoded from)."""
        return not self._sources or layer.source == len(self._sources) - 1

    def __getstate__(self, parts: Sequence[str] = _PARTS) -> dict:
        """Pickled with everything computed (what a worker process sends back), factories left out.

        ``parts``: which lazy parts to compute and include (runtime.firstview sends a first view without
        the value and table; the receiver gives the Document factories for what is missing)."""
        state: dict[str, Any] = {
            "format": self.format,
            "data": self.data,
            "layers": self.layers,
            "sources": self._sources,
            "details": self.details,
            "schema": self.schema,
            "findings": self.findings,
        }
        for name in parts:
            state[name] = _as_tuples(self.spans) if name == "spans" else getattr(self, name)
        return state

    def __setstate__(self, state: dict) -> None:
        self.format, self.data, self.details = state["format"], state["data"], state["details"]
        self.layers, self._sources = state.get("layers", []), state.get("sources", [])
        self._schema, self._findings = state["schema"], state["findings"]
        self._schema_factory = self._findings_factory = self._table_factory = None
        self._value_factory = self._spans_factory = tuple  # a part not sent: the receiver sets its factory
        self.bad_input, self.value_check, self.limits = (), None, None  # the sender checked what it computed
        self.built_at = None
        self.value_is_derived, self.glance_factory, self.value_made = False, None, False
        self.first_view = state.get("first_view")
        if "spans" in state:
            state["spans"] = _as_spans(state["spans"])
        for name in _PARTS:
            if name in state:
                self.__dict__[name] = state[name]  # the cached_property slots, already filled

    def has(self, part: str) -> bool:
        """Whether the lazy part ``part`` ("value", "spans", "table"...) is computed already."""
        return part in self.__dict__

    def value_for_view(self) -> Any:
        """The value when it is here, else the head of it a first view came with (runtime.firstview)."""
        if self.has("value") or self.first_view is None:
            return self.value
        return self.first_view["head"]

    def _guarded(self, factory: Callable[[], Any]) -> Any:
        """Run a lazy step at the codec's error boundary (bad input -> FormatError, a bug -> InternalError)."""
        # Making a part builds many small objects: no collections meanwhile. A part a worker makes is only
        # waited for (maybe in the queue for minutes): the collector stays on for the whole server then.
        paused = nullcontext() if getattr(factory, "waits", False) else gc_paused()
        with paused, sized_for(self.limits or current()):
            return translate(self.format, factory, bad_input=self.bad_input)

    def spans_at(self, offset: int) -> list[Span]:
        """The spans covering ``offset``, outermost first."""
        found: list[Span] = []
        level: Sequence[Span] = self.spans
        while True:
            hit = next((s for s in level if s.start <= offset < s.end), None)
            if hit is None:
                return found
            found.append(hit)
            level = hit.children

    def __repr__(self) -> str:
        return f"<Document {self.format} {len(self.data):,} bytes, {len(self.findings)} findings>"


SpanColumns = tuple[int, list, list, list, list, list, list[int]]
"""How many top-level spans, then start, end, kind, label, path, child count per span, depth first."""


def _as_tuples(spans: Sequence[Span]) -> SpanColumns:
    """Spans as flat columns in depth-first order (many small lists pickle far faster than a tree)."""
    starts, ends, kinds, labels, paths, counts = [], [], [], [], [], []
    stack = list(reversed(spans))
    while stack:
        span = stack.pop()
        starts.append(span.start)
        ends.append(span.end)
        kinds.append(span.kind)
        labels.append(span.label)
        paths.append(span.path)
        counts.append(len(span.children))
        stack.extend(reversed(span.children))
    return len(spans), starts, ends, kinds, labels, paths, counts


def _as_spans(columns: SpanColumns) -> list[Span]:
    roots, starts, ends, kinds, labels, paths, counts = columns
    new = tuple.__new__
    position = 0

    def build() -> Span:
        nonlocal position
        index = position
        position += 1
        children = tuple(build() for _ in range(counts[index])) if counts[index] else ()
        return new(Span, (starts[index], ends[index], kinds[index], labels[index], paths[index], children))

    return [build() for _ in range(roots)]


def annotated_to(spans: Sequence[Span]) -> int:
    """Where the annotation of cut ``spans`` stops: the end of the last span at the deepest level of the last
    branch (a container cut at the budget claims the rest of the input; its last item ends where the walk did)."""
    if not spans:
        return 0
    span = spans[-1]
    while span.children:
        span = span.children[-1]
    return span.end


def count_spans(spans: Sequence[Span], stop: int) -> int:
    """How many spans there are in all (counting stops once past ``stop``)."""
    total, stack = 0, list(spans)
    while stack and total <= stop:
        span = stack.pop()
        total += 1
        stack.extend(span.children)
    return total


def _first_spans(spans: Sequence[Span], budget: int) -> list[Span]:
    """The first ``budget`` spans in depth-first byte order, as a tree."""
    left = budget
    new = tuple.__new__  # Span._replace per span was the largest cost of a 48 MB BSON's spans

    def keep(level: Sequence[Span]) -> tuple[Span, ...]:
        nonlocal left
        out = []
        for span in level:
            if left <= 0:
                break
            left -= 1
            if span.children:
                span = new(Span, (span.start, span.end, span.kind, span.label, span.path, keep(span.children)))
            out.append(span)
        return tuple(out)

    return list(keep(spans))
