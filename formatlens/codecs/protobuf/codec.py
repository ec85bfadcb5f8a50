"""Protocol Buffers: with a .proto compiled at run time (grpcio-tools' protoc), or without a schema.

With a schema, the value has field names, enum names, Timestamp/Duration as
datetime/timedelta, maps as dicts, and the unknown fields kept under "!unknown".
Without one, the wire format is decoded into field numbers with guessed types
(see formatlens.codecs.protobuf.wire) and a .proto is inferred from the guess. Streams of
varint-delimited messages and gRPC's 5-byte framing are layers (formatlens.layers.framing).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib.resources
import math
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import DecodeError, EncodeError
from google.protobuf.unknown_fields import UnknownFieldSet

from formatlens.codecs.base import SchemaCodec, Sniff
from formatlens.codecs.protobuf.glance import Census, check_levels, exact_census, head_value, lower_bound_over
from formatlens.codecs.protobuf.inferred import build_file, build_pool
from formatlens.codecs.protobuf.projection import length_delimited_counts, top_counts
from formatlens.codecs.protobuf.schemas import descriptor_set, messages_of, source_files
from formatlens.codecs.protobuf.values import _MESSAGE_TYPES, _is_map, message_to_value
from formatlens.codecs.protobuf.wire import (
    WireField,
    WireWalker,
    head_fields,
    is_repeated,
    shallow_field_count,
    top_level_boundary,
    top_level_walk,
    window_spans,
    wire_findings,
    wire_spans,
    wire_value,
)
from formatlens.convert.infer import coerce, for_proto, infer, to_proto
from formatlens.convert.schema_tree import proto_tree
from formatlens.core.document import Document, Finding, Schema, Span, Traits, count_spans
from formatlens.core.errors import FormatError
from formatlens.core.limits import current, current_window

INFERRED_MESSAGE = "formatlens.inferred.Record"
LARGE = 1 << 20
"""A message without a schema of this many bytes or more is walked in full only when its value is asked for."""
HEAD_BYTES = 64 * 1024
"""How much of a large schemaless message is walked up front (schema guess, tree head, spans)."""
DECLARED_NUMBERS = 1000
"""Most field numbers _top_level declares for protobuf's parse (upb cannot build a message of 20,000 fields)."""
SPAN_BYTES = 16
"""Bytes per span a large message with its schema is read for at first (records of a few fields make a span
every 9 bytes); a head that makes fewer spans than the budget is read 4 times larger."""
READINGS_BYTES = 32 * 1024
"""How much of it has every payload's other readings compared (wire_findings: ~0.1 ms per payload)."""
_PROTOC_TIMEOUT = 30
_compiled: dict[str, CompiledProto] = {}


@dataclass
class CompiledProto:
    text: str
    pool: descriptor_pool.DescriptorPool
    messages: list[str]
    """Full names of the messages declared in the schema itself (imports left out), nested ones included."""
    source: Any = None
    """The schema as given (text, files, zip or descriptor-set bytes): what writing with it again takes."""

    def descriptor(self, full_name: str):
        try:
            return self.pool.FindMessageTypeByName(full_name.lstrip("."))
        except KeyError:
            raise codec.error(
                f"no message {full_name!r} in the schema",
                hint="messages: " + ", ".join(self.messages),
            ) from None

    def message_class(self, full_name: str):
        return message_factory.GetMessageClass(self.descriptor(full_name))


def compile_proto(schema: str | bytes | dict) -> CompiledProto:
    """Compile a schema as people have it: .proto text, several .proto files (a dict name -> text, or a
    zip) that import each other, or a binary FileDescriptorSet. protoc (grpcio-tools) runs in a
    subprocess; its errors, and bytes that are no schema, become FormatError."""
    sources = source_files(schema)
    if isinstance(sources, bytes):
        key = hashlib.sha256(sources).hexdigest()
        if key not in _compiled:
            pool, messages, summary = descriptor_set(sources)
            _remember(key, CompiledProto(summary, pool, messages, sources))
        return _compiled[key]
    single = list(sources) == ["schema.proto"]  # keyed like compile_inferred: its text is found here
    key = hashlib.sha256((sources["schema.proto"] if single else repr(sorted(sources.items()))).encode()).hexdigest()
    if key in _compiled:
        return _compiled[key]
    include = str(importlib.resources.files("grpc_tools") / "_proto")
    with tempfile.TemporaryDirectory(prefix="formatlens-proto-") as tmp:
        for name, text in sources.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        out = Path(tmp) / "schema.pb"
        try:
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "grpc_tools.protoc",
                    f"-I{tmp}",
                    f"-I{include}",
                    "--include_imports",
                    f"--descriptor_set_out={out}",
                    *sources,
                ],
                capture_output=True,
                timeout=_PROTOC_TIMEOUT,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            raise codec.error("protoc took too long") from None
        if run.returncode != 0 or not out.exists():
            lines = run.stderr.decode("utf-8", "replace").strip().splitlines()
            errors = [line for line in lines if re.search(r"\.proto:\d+:\d+: ", line)] or lines or ["protoc failed"]
            first = errors[0].replace(f"{tmp}/", "")
            where = re.match(r"(.+\.proto):(\d+):(\d+): (.*)", first)
            named = "" if where is None or len(sources) == 1 else f"{where[1]}, "
            message = f"{named}line {where[2]}, column {where[3]}: {where[4]}" if where else first
            raise codec.error(
                f"the .proto does not compile: {message}",
                hint="protoc says: " + " | ".join(e.replace(f"{tmp}/", "") for e in errors[:5]),
            )
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    own = [file for file in files.file if file.name in sources]  # protoc lists imports first
    text = (
        "\n".join(sources.values())
        if len(sources) == 1
        else "\n".join(f"// ---- {name}\n{body}" for name, body in sources.items())
    )
    compiled = CompiledProto(text, pool, messages_of(own), schema)
    _remember(key, compiled)
    return compiled


def _remember(key: str, compiled: CompiledProto) -> None:
    if len(_compiled) > 64:
        _compiled.clear()
    _compiled[key] = compiled


def compile_inferred(node: Any, text: str) -> CompiledProto:
    """The inferred .proto ``text`` compiled from its type tree in the process (no protoc), and cached
    under the text, so that reading the data back with ``schema=text`` needs no protoc either."""
    key = hashlib.sha256(text.encode()).hexdigest()
    if key in _compiled:
        return _compiled[key]
    file, names = build_file(node)
    try:
        pool = build_pool(file)
    except TypeError:  # a clash protoc would report in its own words (two nested messages of one name)
        return compile_proto(text)
    compiled = CompiledProto(text, pool, names, text)
    _remember(key, compiled)
    return compiled


class ProtobufCodec(SchemaCodec):
    name = "protobuf"
    title = "Protocol Buffers"
    media_type = "application/x-protobuf"
    extensions = (".pb", ".bin", ".protobuf", ".proto")
    aliases = ("pb", "proto", "protobuf3")
    traits = Traits(textual=False, schema_based=True, shape="hierarchical", orientation="document", portable=True)
    library = "protobuf"
    summary = "Google's schema-first binary messages for gRPC and storage; compact, needs the .proto to read."
    snippet = (
        "from users_pb2 import User  # generated from users.proto by protoc\n"
        'data = User(id=1, name="Ann").SerializeToString()\n'
        "user = User.FromString(data)"
    )
    sample = "users.pb"
    holds = frozenset({"null", "bool", "number", "uint64", "nonfinite", "bytes", "datetime", "timedelta"})

    bad_input = (DecodeError, UnicodeDecodeError)
    bad_value = (json_format.ParseError, EncodeError, TypeError, ValueError)

    def sniff(self, data: bytes) -> Sniff:
        if not data:
            return Sniff(0.0, "empty")
        if len(data) > 1 << 20:  # too large to walk whole just to sniff: the top-level fields of the first MiB
            count = shallow_field_count(data, 0, len(data), stop=1 << 20)
            if not count:
                return Sniff(0.0, "its first MiB is not a valid protobuf wire walk")
            walk = f"its first MiB walks as {count:,} top-level protobuf fields"
            return Sniff(0.4, f"{walk} (protobuf has no magic bytes)")
        try:
            fields = WireWalker(data).message(0, len(data))
        except FormatError:
            return Sniff(0.0, "not a valid protobuf wire walk")
        # Small field numbers are what real schemas use; random bytes rarely parse with them.
        walk = f"a valid protobuf wire walk of {len(data):,} bytes"
        if fields and all(f.number < 1000 for f in fields):
            return Sniff(0.4, f"{walk} ({len(fields)} top-level fields; protobuf has no magic bytes)")
        return Sniff(0.1, f"{walk}, but with unusual field numbers")

    def decode(
        self, data: bytes, *, schema: str | bytes | None = None, message: str | None = None, **_: Any
    ) -> Document:
        if schema is not None:
            return self._with_schema(data, compile_proto(schema), message)
        return self._schemaless(data)

    # -- without a schema

    def _schemaless(self, data: bytes) -> Document:
        # Streams (varint-delimited, gRPC framing) are peeled by formatlens.layers before this runs.
        if len(data) >= LARGE:
            top = _top_level(data, HEAD_BYTES)
            if top is not None:
                return self._schemaless_large(data, *top)
        fields = WireWalker(data).message(0, len(data))
        schema = Schema("proto", guess_proto([fields]), {"inferred": True, "guessed": True})
        return self.document(
            data,
            value=wire_value(fields),
            schema=schema,
            spans_factory=lambda: wire_spans(_head(fields), (), data),
            findings=[
                Finding(
                    "info",
                    "decoded without a schema: field numbers and types are guessed from the wire format",
                    code="protobuf.schemaless",
                )
            ],
            findings_factory=lambda: wire_findings(data, fields),  # every reading of ambiguous payloads, and why
        )

    def _schemaless_large(self, data: bytes, counts: dict[int, int], head_end: int) -> Document:
        """A large message without a schema: its top level walked (lengths skipped: that is the whole check,
        since a length-delimited payload that is no message is still valid bytes), and the nested guesses
        made for the first HEAD_BYTES only; the whole guessed value is walked when a view asks for it."""
        head = WireWalker(data).message(0, head_end)
        guessed = {"inferred": True, "guessed": True, "guessed_from_bytes": head_end}

        def glance() -> dict:
            from formatlens.runtime.firstview import head_list, head_of

            value = wire_value(head)
            for number, total in counts.items():  # the head's lists, with the whole message's lengths
                key, kept = str(number), value.get(str(number))
                if total > 1 and kept is not None:
                    value[key] = head_list(kept if isinstance(kept, list) else [kept], total)
            return {"shape": f"object of {len(counts):,} keys", "tabular": False, "head": head_of(value)}

        return self.document(
            data,
            value_factory=lambda: wire_value(WireWalker(data).message(0, len(data))),
            glance_factory=glance,
            schema=Schema("proto", guess_proto([head]), guessed),
            # a span window past the head: the whole top level, walked into the window only (WireWalker.passed)
            spans_factory=lambda: (
                wire_spans(_head(_spanned_head(data, head, head_end)), (), data)
                if current_window() is None
                else window_spans(data)
            ),
            findings=[
                Finding(
                    "info",
                    "decoded without a schema: field numbers and types are guessed from the wire format",
                    code="protobuf.schemaless",
                ),
                Finding(
                    "info",
                    f"a large message ({sum(counts.values()):,} top-level fields): its guessed schema and "
                    f"annotations come from the first {head_end:,} bytes, the readings of ambiguous payloads "
                    f"from the first {READINGS_BYTES:,}",
                    code="protobuf.head",
                ),
            ],
            findings_factory=lambda: wire_findings(data, [wire for wire in head if wire.end <= READINGS_BYTES]),
        )

    # -- with a schema

    def _with_schema(self, data: bytes, compiled: CompiledProto, message: str | None) -> Document:
        if message is None:
            fits = [name for name in compiled.messages if _parses(compiled, name, data)]
            if not fits:
                raise self.error(
                    "no message of the schema parses these bytes", hint="messages: " + ", ".join(compiled.messages)
                )
            if len(fits) > 1:
                raise self.error(
                    f"{len(fits)} messages of the schema parse these bytes: {', '.join(fits)}",
                    hint="choose one by its full name (message=...)",
                )
            message = fits[0]
        descriptor = compiled.descriptor(message)
        parsed = compiled.message_class(message)()
        try:
            parsed.ParseFromString(data)
        except DecodeError as exc:
            offset = None
            try:
                WireWalker(data).message(0, len(data), descriptor)
            except FormatError as walk_error:
                offset = walk_error.offset
            raise self.error(f"does not parse as {message}: {exc}", offset=offset) from None
        oneofs = {
            oneof.name: parsed.WhichOneof(oneof.name) for oneof in descriptor.oneofs if not oneof.name.startswith("_")
        }  # proto3 optional fields have synthetic "_x" oneofs
        chosen = [
            Finding("info", f"oneof {name}: {member or 'nothing'} is set", code="protobuf.oneof", subject=name)
            for name, member in oneofs.items()
        ]
        schema = Schema(
            "proto",
            compiled.text,
            {"message": message, "messages": compiled.messages, "oneofs": oneofs, "tree": proto_tree(descriptor)},
        )
        if not isinstance(compiled.source, str):  # files or a descriptor set: what writing again needs
            schema.details["source"] = compiled.source
        if len(data) >= LARGE and not reaches_any(descriptor):
            return self._summed_up(data, descriptor, parsed, schema, chosen, message)
        findings: list[Finding] = []
        value = message_to_value(parsed, findings)
        findings += chosen
        return self.document(
            data,
            value=value,
            schema=schema,
            findings=findings,
            # An Any whose type the schema lacks cannot be written back from the value: the identity copies the bytes
            details={"message": message, "verbatim": any(f.code == "protobuf.any-unknown" for f in findings)},
            spans_factory=lambda: _schema_spans(data, descriptor),
        )

    def _summed_up(
        self, data: bytes, descriptor: Any, parsed: Any, schema: Schema, chosen: list[Finding], message: str
    ) -> Document:
        """A large message with its schema: its value made when asked for, and a first view from a census of
        the parse and the head of the value (codecs.protobuf.glance), with the whole conversion's verdict."""
        lazy = _Parsed(parsed, data)
        document: Document = self.document(
            data,
            value_factory=lazy.value,
            schema=schema,
            findings_factory=lambda: [*lazy.findings(document), *chosen],
            details={"message": message, "verbatim": False},  # no Any in its schema: nothing copied verbatim
            spans_factory=lambda: _schema_spans(data, descriptor),
        )
        document.glance_factory = lambda: lazy.glance(document)
        return document

    # -- encoding

    def reshape(self, value: Any, losses: list[str]) -> Any:
        if isinstance(value, list):
            losses.append("Protocol Buffers holds one message: the list became its repeated field 'items'")
            return {"items": value}
        if not isinstance(value, dict):
            losses.append("Protocol Buffers holds one message: the value became its field 'value'")
            return {"value": value}
        if infer(value).type.kind != "record":
            losses.append("keys that are not field names: the object became the map field 'entries'")
            return {"entries": value}
        return value

    def encode_with_schema(
        self, value: Any, *, schema: str | bytes | None = None, message: str | None = None, **_: Any
    ) -> tuple[bytes, Schema]:
        if schema is None:
            inference = infer(value)
            node = for_proto(inference.type, inference.notes)
            if node.kind != "record":
                raise self.error(
                    "Protocol Buffers needs a message (an object with field names) at the top",
                    hint="convert() wraps other values for you",
                )
            text = to_proto(node, "Record")
            compiled = compile_inferred(node, text)
            message, value = INFERRED_MESSAGE, coerce(value, node)
            shown = Schema("proto", text, {"inferred": True, "notes": inference.notes, "message": message})
        else:
            compiled = compile_proto(schema)
            message = message or compiled.messages[0]
            shown = Schema("proto", compiled.text, {"inferred": False, "message": message})
        out = compiled.message_class(message)()
        try:
            json_format.ParseDict(_to_proto_json(value), out, descriptor_pool=compiled.pool)  # the pool: for Any
        except json_format.ParseError as exc:
            raise self.error(f"the value does not fit {message}: {exc}") from None
        return out.SerializeToString(deterministic=True), shown  # deterministic: map entries in key order


class _Parsed:
    """A parsed message whose value is made when asked for (ProtobufCodec._summed_up)."""

    def __init__(self, message: Any, data: bytes) -> None:
        self.message, self.data = message, data
        self._census: Census | None = None
        self._converted: tuple[dict, list[Finding]] | None = None
        self._passed = False  # checked() did not refuse (a refusal is raised again on each call)

    def converted(self) -> tuple[dict, list[Finding]]:
        """The whole value and the findings its conversion makes (as a small message's decode makes them). A
        census over the limits refuses first, as the first view does: found by review, a 1.2 MB message of empty
        records of a wide type was converted whole (39 s, 2.3 GB) only for check_value to refuse it then."""
        if self._converted is None:
            self.checked()
            findings: list[Finding] = []
            self._converted = message_to_value(self.message, findings), findings
        return self._converted

    def value(self) -> dict:
        return self.converted()[0]

    def census(self) -> Census:
        if self._census is None:
            self._census = exact_census(self.message, current(), self.data)
        return self._census

    def checked(self) -> Census:
        """The census, refused as the first view refuses it: over max_nodes or max_depth, check_value's words
        (check_levels) before anything is made. With trouble the whole conversion and its check decide."""
        found = self.census()
        if self._passed:
            return found
        if not found.trouble:
            check_levels(found, current())
        elif not reachable(self.message.DESCRIPTOR) & _MAY_REFUSE:  # converting it refuses nothing: its count decides
            least = lower_bound_over(self.message, current())  # (a walk of every instance: done once)
            if least is not None:  # a bomb with one unknown field was converted whole first
                check_levels(least, current())
        self._passed = True
        return found

    def findings(self, document: Document) -> list[Finding]:
        """The conversion's findings: none when the census found nothing only it shows; else it is made, and
        checked (``document.value``). A value over the limits is refused here too, as by the first view and
        the value (a small message's decode refuses all of them)."""
        found = self.checked()
        if not found.trouble:
            return []
        document.value  # noqa: B018  (made and checked once: the value refused, its findings are too)
        return self.converted()[1]

    def glance(self, document: Document) -> dict:
        """A first view's shape and head (runtime.firstview): with trouble (codecs.protobuf.glance), from the
        whole value as without a glance; else from the census (the limits) and the head alone."""
        from formatlens.runtime.firstview import HEAD_BUDGET, HEAD_ITEMS, head_of, summary

        found = self.checked()
        if found.trouble:
            value = document.value  # converted and checked, as a first view without a glance does
            return {**summary(value), "head": head_of(value)}
        head = head_of(head_value(self.message, HEAD_ITEMS, HEAD_BUDGET))
        return {**summary(head), "head": head}


def reaches_any(descriptor: Any) -> bool:
    """Whether a message of ``descriptor`` may hold a google.protobuf.Any (in any field, at any depth)."""
    return "google.protobuf.Any" in reachable(descriptor)


_MAY_REFUSE = frozenset(
    f"google.protobuf.{name}" for name in ("Timestamp", "Duration", "Struct", "Value", "ListValue", "Any")
)
"""Message types whose conversion may refuse the input (values.WELL_KNOWN's _refused; an Any's inside)."""


def reachable(descriptor: Any) -> set[str]:
    """The full names of the message types a message of ``descriptor`` may hold (in any field, at any depth),
    through extensions too: every extension the schema's pool has of a type reached (the pool holds all of the
    schema's files; an extension it lacks is an unknown field, converted as bytes). Found by review: an Any in
    an extension was missed, and a large message was then said not verbatim while its findings said otherwise."""
    seen: set[str] = set()
    todo = [descriptor]
    while todo:
        current_type = todo.pop()
        if current_type.full_name in seen:
            continue
        seen.add(current_type.full_name)
        fields = list(current_type.fields)
        if current_type.extension_ranges:
            fields += current_type.file.pool.FindAllExtensions(current_type)
        todo += [field.message_type for field in fields if field.message_type is not None]
    return seen


def _parses(compiled: CompiledProto, name: str, data: bytes) -> bool:
    candidate = compiled.message_class(name)()
    try:
        candidate.ParseFromString(data)
    except DecodeError:
        return False
    return len(UnknownFieldSet(candidate)) == 0 and _no_unknown_nested(candidate)


def _no_unknown_nested(message: Any) -> bool:
    for field, value in message.ListFields():
        if field.type in _MESSAGE_TYPES:
            items = value.values() if _is_map(field) else value if is_repeated(field) else [value]
            for item in items:
                if hasattr(item, "ListFields") and (len(UnknownFieldSet(item)) or not _no_unknown_nested(item)):
                    return False
    return True


def _to_proto_json(value: Any) -> Any:
    """A value in protobuf's JSON mapping, for json_format.ParseDict."""
    if isinstance(value, dict):
        return {k: _to_proto_json(v) for k, v in value.items() if v is not None and not k.startswith("!")}
    if isinstance(value, (list, tuple)):
        return [_to_proto_json(v) for v in value]
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds():.9f}s"
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):  # the JSON mapping's spelling
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return value


def guess_proto(messages: list[list[WireField]], name: str = "Guessed") -> str:
    """A .proto for messages decoded without a schema (field_N names, types from the wire)."""
    lines = [
        'syntax = "proto3";',
        "",
        "// Guessed from the wire format: names are field numbers, and a varint",
        "// may really be a bool, an enum or a zigzag sint.",
        "",
    ]
    lines += _guess_message([f for fields in messages for f in fields], name, "", len(messages))
    return "\n".join(lines) + "\n"


def _guess_message(fields: list[WireField], name: str, indent: str, instances: int) -> list[str]:
    by_number: dict[int, list[WireField]] = {}
    for wire in fields:
        by_number.setdefault(wire.number, []).append(wire)
    out = [f"{indent}message {name} {{"]
    for number in sorted(by_number):
        group = by_number[number]
        kinds = {w.kind for w in group}
        repeated = len(group) > instances or "packed" in kinds
        if kinds == {"group"}:  # proto3 has no groups: a nested message in the guess, and a note
            nested = f"Field{number}"
            out.append(f"{indent}  // field_{number} is a group on the wire (wire types 3/4, proto2's `group`)")
            out += _guess_message([c for w in group for c in w.children], nested, indent + "  ", len(group))
            proto_type = nested
        elif kinds == {"message"}:
            nested = f"Field{number}"
            out += _guess_message([c for w in group for c in w.children], nested, indent + "  ", len(group))
            proto_type = nested
        else:
            kind = "string" if kinds == {"string"} else "bytes" if kinds & {"bytes", "string"} else sorted(kinds)[0]
            proto_type = {
                "varint": "uint64",
                "fixed64": "fixed64",
                "fixed32": "fixed32",
                "packed": "uint64",
                "string": "string",
                "bytes": "bytes",
                "message": "bytes",
            }.get(kind, "bytes")
            # Only when every occurrence has this wire kind: a field number seen with mixed kinds is not a float.
            if kind in ("fixed64", "fixed32") and kinds == {kind} and all(_plausible_float(w) for w in group):
                proto_type = "double" if kind == "fixed64" else "float"
        out.append(f"{indent}  {'repeated ' if repeated else ''}{proto_type} field_{number} = {number};")
    out.append(f"{indent}}}")
    return out


def _plausible_float(wire: WireField) -> bool:
    real = list(wire.value.values())[1]
    return real == 0 or 1e-9 < abs(real) < 1e15


codec = ProtobufCodec()


def _head(fields: list[WireField]) -> list[WireField]:
    """The fields whose spans are made: the first max_spans' worth, or in a span window all of them
    (wire_spans makes spans only for those in the window)."""
    return fields if current_window() is not None else head_fields(fields, current().max_spans)


def _spanned_head(data: bytes, fields: list[WireField], end: int) -> list[WireField]:
    """The top-level ``fields`` of a large schemaless message's head (ending at ``end``), walked again four
    times larger while they make no more spans than the budget in force and the input goes on: a head of
    large records would otherwise end its spans before the input, with no cut said and no "the rest" (review
    R3: records of 600 bytes made 3,000 spans in the first 64 KiB)."""
    size, budget = max(end, 1), current().max_spans
    while end < len(data) and len(head_fields(fields, budget)) == len(fields):
        size *= 4
        end = top_level_boundary(data, end, size)
        fields = WireWalker(data).message(0, end)
    return fields


def _top_level(data: bytes, head: int) -> tuple[dict[int, int], int] | None:
    """top_level_walk(data, head). A top level of length-delimited fields only (a list of records) is counted
    by protobuf's own parse (0.05 s for a 46 MiB message of 680,000 records, against the walk's 0.14 s); any
    other, and any the parse refuses (a tag written in 6 bytes is valid, and upb refuses it), is walked."""
    walked = top_level_walk(data, head, stop=head)
    if walked is None:  # the head does not walk: nor does the whole
        return None
    numbers, boundary = walked
    if len(numbers) <= DECLARED_NUMBERS:  # more than a message of protobuf's can declare: walked
        counts = length_delimited_counts(data, tuple(sorted(numbers)))
        if counts is not None:
            return counts, boundary
    return top_level_walk(data, head)


def _schema_spans(data: bytes, descriptor: Any) -> list[Span]:
    """A message's spans with its schema. A large one outside a span window (a first view) counts the fields
    of each number at its top level (a repeated field's items are numbered by it: projection.top_counts, else
    a walk of the top level, lengths skipped), and reads only the fields of its head, sized by the span budget
    (more, if they make fewer spans than the budget, which Document.spans cuts them at): the whole walk of a
    46 MiB message made 1.5 million fields and took half a minute."""
    budget = current().max_spans
    size = min(HEAD_BYTES, budget * SPAN_BYTES)  # a first view's 4,000 spans: 64 KiB (it read 256 KiB)
    top = None
    if current_window() is None and len(data) >= LARGE:
        counts = top_counts(data, descriptor)  # protobuf's parse counts them (else a walk of the top level)
        top = (counts, top_level_boundary(data, 0, size)) if counts is not None else top_level_walk(data, size)
    if top is None:  # a span window, a small message, or a top level that does not walk (the whole walk says why)
        return window_spans(data, descriptor, readings=False)
    counts, head_end = top
    while True:
        head = wire_spans(WireWalker(data).message(0, head_end, descriptor), (), None, counts)
        # Enough to pass the budget: Document.spans cuts them there and says so (its caption, "the rest"). A
        # head of a few large fields makes fewer: a larger one is read (found by review: they stopped unsaid).
        if count_spans(head, budget) > budget or head_end >= len(data):
            return head
        size *= 4
        head_end = top_level_boundary(data, head_end, size)
