"""Far walks: a far window's spans and values without decoding the whole input again.

A far window of a format whose items need context (a CSV row its dialect and header, an Avro record
the header's schema, a protobuf field the message's schema) was annotated by decoding the input
again on every request (runtime.annotate). What that decode decides for the whole input is small:
the first far request's decode leaves it in the checkpoints' context (``context_of``), and the next
requests walk from a checkpoint and read each item of the window alone, from its own bytes and that
context (``far_walk``). What they give is what the decode gives there (tests/test_annotate.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from formatlens.core.checkpoints import Checkpoints
from formatlens.core.document import Document, Span
from formatlens.render.tree import MISSING, value_at

Read = Callable[[Span], Any]
"""The value a span stands for (``MISSING`` if none)."""


MAX_CONTEXT_NAMES = 10_000
"""Most names (a CSV's columns, an XML root's repeated child names) kept in a context: it travels to the
worker with each request; a crafted input with more is decoded again per request instead."""


class NeedsDecode(Exception):
    """An item whose value in the whole input depends on the other items (a packed protobuf field written
    in several chunks): the input is decoded whole for this request instead."""


def context_of(document: Document) -> dict[str, Any]:
    """What a far window's walk of ``document``'s input needs of its decode, kept with the checkpoints:
    a CSV's dialect, header and columns; which message a schema's bytes are; that a protobuf message
    without a schema took the large path (its spans are its wire walk, no values); which child names of
    an XML root repeat (xmltodict makes lists of those)."""
    if document.format == "csv" and 0 < len(document.details.get("columns") or ()) <= MAX_CONTEXT_NAMES:
        keys = ("delimiter", "header", "columns", "trailing_delimiter")
        return {"csv": {key: document.details[key] for key in keys}}
    if wire_walk_only(document):
        return {"protobuf.large": True}
    if document.format == "xml" and isinstance(document.value, dict) and len(document.value) == 1:
        from formatlens.codecs.xml import _repeated_children, first_child

        repeated = _repeated_children(document.value, next(iter(document.value)))
        start = first_child(document.data) if repeated is not None else None
        if start is None or len(repeated or ()) > MAX_CONTEXT_NAMES:
            return {}
        return {"xml.repeated": sorted(repeated or ()), "xml.first_child": start}
    if document.format == "protobuf" and document.details.get("message"):
        return {"protobuf.message": document.details["message"]}
    if document.format == "yaml":
        from formatlens.codecs.yamlfar import far_context

        return far_context(document)
    return {}


def wire_walk_only(document: Document) -> bool:
    """Whether ``document`` is a large protobuf message without a schema: its spans are its wire walk, and
    its items get no values (its value is a second, full walk). A large one with its schema also has a
    glance (its first view), but its values are read as any message's."""
    return document.format == "protobuf" and document.glance_factory is not None and "message" not in document.details


def far_walk(
    data: bytes, format: str, options: dict, checkpoints: Checkpoints
) -> tuple[Callable[[], Sequence[Span]], Read | None] | None:
    """A far window's walk of ``data`` without decoding it again, from what an earlier request's decode left
    in ``checkpoints.context`` (context_of), or where the walk needs none (an Avro container without
    options: its header holds the schema): the spans' walk and how an item's value is read (None: the
    items get no values, as from the decode); else None."""
    context = checkpoints.context
    if format == "csv" and "csv" in context:
        from formatlens.codecs.csv import codec as csv_codec

        rows, record = csv_codec.far_walk(data, context["csv"])
        return rows, record
    if format == "avro" and not options:
        from formatlens.codecs.avro import far_walk as container_walk

        found = container_walk(data)
        if found is None:
            return None
        blocks, first_record = found
        return blocks, first_record
    if format == "xml" and not options and "xml.first_child" in context and "xml.repeated" in context:
        from formatlens.codecs.xml import far_walk as element_walk

        found = element_walk(data, context["xml.first_child"], context["xml.repeated"])
        return None if found is None else (found[0], _alone_children(found[1]))
    if format == "yaml" and not options and "yaml.far" in context:
        from formatlens.codecs.yamlfar import far_walk as item_walk

        return _decoded_where_not_alone(*item_walk(data, context["yaml.far"], checkpoints))
    if format == "protobuf" and not options and context.get("protobuf.large"):
        from formatlens.codecs.protobuf.wire import window_spans

        # as its document's spans in a span window; no values (the decode's large path has none either)
        return lambda: window_spans(data), None
    if format == "protobuf" and set(options) <= {"schema", "message"} and "schema" in options:
        message = context.get("protobuf.message")
        return _message_walk(data, options["schema"], message) if message else None
    return None


def _alone_children(child_value: Read) -> Read:
    """An XML child's value read alone (codecs.xml.far_walk); the root's is the whole document's, and a child
    whose bytes do not parse alone (its end found by a guess that a '>' in an attribute fooled) needs the
    decode too."""
    from xml.parsers import expat

    def read(span: Span) -> Any:
        if len(span.path) < 2:
            raise NeedsDecode
        try:
            return child_value(span)
        except expat.ExpatError:
            raise NeedsDecode from None

    return read


def _decoded_where_not_alone(
    walk: Callable[[], Sequence[Span]], read: Read
) -> tuple[Callable[[], Sequence[Span]], Read]:
    """A YAML far walk and reading (codecs.yamlfar), their NotAlone as NeedsDecode: the whole input is decoded."""
    from formatlens.codecs.yamlfar import NotAlone

    def needs_decode(func: Callable[..., Any]) -> Callable[..., Any]:
        def called(*args: Any) -> Any:
            try:
                return func(*args)
            except NotAlone:
                raise NeedsDecode from None

        return called

    return needs_decode(walk), needs_decode(read)


def _message_walk(data: bytes, schema: Any, message: str) -> tuple[Callable[[], Sequence[Span]], Read]:
    """A protobuf message with its schema: the top level walked from a checkpoint, and each top-level field's
    value read from that field's bytes alone, parsed as the message (a message holding just that field)."""
    from formatlens.codecs.protobuf.codec import compile_proto, is_repeated, message_to_value
    from formatlens.codecs.protobuf.wire import window_spans

    compiled = compile_proto(schema)
    descriptor = compiled.descriptor(message)
    message_class = compiled.message_class(message)
    by_name = {field.name: field for field in descriptor.fields}

    decided: dict[tuple, Any] = {}  # top-level path -> what read() gave for it

    def read(span: Span) -> Any:
        # A top-level field's entry: its path is its name, and the index of its occurrence when the name
        # occurs more than once (a field inside one has a longer path, or a name after the first)
        _name, *rest = span.path
        if span.kind == "entry" and (not rest or (len(rest) == 1 and isinstance(rest[0], int))):
            decided[tuple(span.path)] = found = read_field(span)
            return found
        for cut in range(len(span.path), 0, -1):  # a part of a top-level field read before
            if decided.get(tuple(span.path[:cut])) is MISSING:
                return MISSING  # the field has no value at its path: nor has anything inside it
        raise NeedsDecode  # inside a top-level field too large to read (VALUE_BYTES): the whole value has it

    def read_field(span: Span) -> Any:
        alone = message_class()
        alone.ParseFromString(data[span.start : span.end])
        value = message_to_value(alone, [])
        name, *index = span.path
        if name not in value:  # an unknown field: the value keeps those under "!unknown", not by number
            return MISSING
        if not index:  # the field's only occurrence: its value in the whole message...
            oneof = by_name[name].containing_oneof if name in by_name else None
            if oneof is not None and len(oneof.fields) > 1:  # ...unless another member of its oneof clears it
                raise NeedsDecode
            return value[name]
        # One of several occurrences, at the path (name, i): a repeated field's item i, if each occurrence
        # is one item (not a packed chunk, not a map entry, whose i-th item is not this one's)
        field = by_name.get(name)
        if field is not None and is_repeated(field):
            items = value[name]
            if isinstance(items, list) and len(items) == 1 and field.type in _ONE_PER_FIELD:
                return items[0]
            if isinstance(items, dict) and all(isinstance(key, str) for key in items):
                return MISSING  # a map: the path's index is no key of it (string keys)
            raise NeedsDecode
        if value_at(value[name], tuple(index)) is MISSING:  # a singular field: its last occurrence (or the
            return MISSING  # merge of all) is the value; an index into that finds nothing
        raise NeedsDecode

    return lambda: window_spans(data, descriptor, readings=False), read


def _one_per_field() -> frozenset[int]:
    from google.protobuf.descriptor import FieldDescriptor as F

    return frozenset({F.TYPE_MESSAGE, F.TYPE_GROUP, F.TYPE_STRING, F.TYPE_BYTES})


_ONE_PER_FIELD = _one_per_field()
"""Field types written one item per field (never packed)."""
