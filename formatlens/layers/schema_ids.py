"""Schema-id framing: the Confluent Schema Registry wire format and Avro single-object encoding.

Confluent: byte 0x00, a 4-byte big-endian schema id, then for Protocol Buffers the
message-index array (a zigzag varint count, then zigzag varint indexes; the common
``[0]`` is written as the single byte 0x00), then the payload. The schema comes
from the caller (``schema=``) or, when the operator set FORMATLENS_SCHEMA_REGISTRY_URL,
from the registry (formatlens.layers.registry_client). Without one, a protobuf
payload is decoded schemaless and an Avro payload is left as unparsed bytes.

Avro single-object: C3 01, an 8-byte CRC-64-AVRO fingerprint of the writer schema,
then one datum (the Avro specification, "Single-object encoding").
"""

from __future__ import annotations

from formatlens.codecs.support.binwalk import read_varint
from formatlens.core.document import Finding, Span
from formatlens.layers.base import Frame, LayerCodec, PeelContext, Peeled
from formatlens.layers.registry_client import RegistryError, fetch_schema, registry_url

_TYPES = {"PROTOBUF": "protobuf", "AVRO": "avro", "JSON": "json"}


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def read_indexes(data: bytes, pos: int) -> tuple[list[int], int] | None:
    """Confluent's message-index array at ``pos``: the indexes and where the payload starts."""
    read = read_varint(data, pos)
    if read is None:
        return None
    count, pos = _zigzag(read[0]), read[1]
    if count == 0:
        return [0], pos
    if count < 0 or count > 100:
        return None
    indexes = []
    for _ in range(count):
        read = read_varint(data, pos)
        if read is None or _zigzag(read[0]) < 0:
            return None
        indexes.append(_zigzag(read[0]))
        pos = read[1]
    return indexes, pos


def _parses_as_protobuf(data: bytes) -> bool:
    from formatlens.codecs.protobuf.wire import WireWalker
    from formatlens.core.errors import FormatError

    try:
        WireWalker(data).message(0, len(data))
    except FormatError:
        return False
    return True


class ConfluentLayer(LayerCodec):
    kind = "confluent"
    title = "Confluent Schema Registry wire format"
    family = "schema-registry"

    def sniff(self, data: bytes) -> float:
        if len(data) < 6 or data[0] != 0:
            return 0.0
        schema_id = int.from_bytes(data[1:5], "big")
        # Registries number schemas from 1 up; BSON's length prefix would count the whole input.
        if not 0 < schema_id < 1 << 24 or int.from_bytes(data[:4], "little") == len(data):
            return 0.0
        indexes = read_indexes(data[:4096], 5)
        return 0.87 if indexes is not None and _parses_as_protobuf(data[indexes[1] :]) else 0.7

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        if len(data) < 5 or data[0] != 0:
            raise self.error("not the Confluent wire format: it starts with 0x00 and a 4-byte schema id", offset=0)
        schema_id = int.from_bytes(data[1:5], "big")
        header = [Span(0, 1, "magic", "magic byte 0x00"), Span(1, 5, "header", f"schema id {schema_id}")]
        details: dict = {"schema_id": schema_id}
        findings: list[Finding] = []
        fetched = None
        if "schema" not in context.options and registry_url():
            try:
                fetched = fetch_schema(schema_id)
            except RegistryError as exc:
                findings.append(Finding("warning", f"schema id {schema_id}: {exc}", code="layers.schema-registry"))
        schema_type = fetched.schema_type if fetched else _supplied_type(context.options.get("schema"))
        inner = context.format or _TYPES.get(schema_type or "")
        payload = 5
        indexes = read_indexes(data, 5)
        if inner is None and indexes is not None and _parses_as_protobuf(data[indexes[1] :]):
            inner = "protobuf"
        elif inner is None:
            # Not protobuf: JSON Schema payloads are JSON text; anything else is taken as an Avro datum,
            # which needs its writer schema (without one it stays unparsed, with a finding that says so).
            from formatlens.core.registry import get

            inner = "json" if get("json").sniff(data[5:]).score >= 0.9 else "avro"
        if inner == "protobuf":
            if indexes is None:
                raise self.error("the message-index array is cut short or invalid", offset=5)
            details["message_indexes"], payload = indexes
            header.append(Span(5, payload, "header", f"message indexes {details['message_indexes']}"))
            inner = "protobuf"
        options: dict = {}
        if fetched is not None:
            details["schema_type"] = fetched.schema_type
            details["schema_source"] = "registry"
            options["schema"] = fetched.text
            if fetched.references:
                findings.append(
                    Finding(
                        "warning",
                        f"the schema imports {len(fetched.references)} other schemas; they are not fetched",
                        code="layers.schema-registry",
                    )
                )
        elif "schema" in context.options:
            details["schema_source"] = "supplied"
        if inner == "protobuf" and "message" not in context.options and "message_indexes" in details:
            schema = options.get("schema", context.options.get("schema"))
            if schema is not None:
                name = message_for_indexes(schema, details["message_indexes"])
                if name:
                    options["message"] = name
                    details["message"] = name
        frame = Frame(0, payload, len(data), tuple(header), "payload")
        return Peeled(
            details, spans=tuple(header), frames=[frame], inner_format=inner, inner_options=options, findings=findings
        )


def _supplied_type(schema: str | bytes | None) -> str | None:
    """AVRO for a JSON schema text, PROTOBUF for .proto text, None when no schema was supplied."""
    if schema is None:
        return None
    text = schema.decode("utf-8", "replace") if isinstance(schema, bytes) else str(schema)
    return "AVRO" if text.lstrip()[:1] in ("{", "[", '"') else "PROTOBUF"


def message_for_indexes(schema: str | bytes, indexes: list[int]) -> str | None:
    """The full name of the message that Confluent's indexes point at in a .proto (first top-level, its nested...)."""
    from formatlens.codecs.protobuf.codec import compile_proto

    compiled = compile_proto(schema)
    own = compiled.pool.FindFileByName("schema.proto")
    candidates = list(own.message_types_by_name.values())
    found = None
    for index in indexes:
        if index >= len(candidates):
            return None
        found = candidates[index]
        candidates = list(found.nested_types)
    return found.full_name if found is not None else None


class AvroSingleObjectLayer(LayerCodec):
    kind = "avro-single-object"
    title = "Avro single-object encoding"
    family = "schema-registry"

    def sniff(self, data: bytes) -> float:
        return 0.9 if len(data) > 10 and data.startswith(b"\xc3\x01") else 0.0

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        if len(data) < 10 or not data.startswith(b"\xc3\x01"):
            raise self.error(
                "not Avro single-object encoding: it starts with C3 01 and an 8-byte fingerprint", offset=0
            )
        fingerprint = data[2:10]
        header = (
            Span(0, 2, "magic", "single-object marker C3 01"),
            Span(2, 10, "header", "CRC-64-AVRO schema fingerprint"),
        )
        findings = []
        schema = context.options.get("schema")
        if schema is not None:
            from fastavro.schema import fingerprint as avro_fingerprint
            from fastavro.schema import to_parsing_canonical_form

            from formatlens.codecs.avro import _parse

            expected = bytes.fromhex(
                avro_fingerprint(to_parsing_canonical_form(_parse(schema, "schema")), "CRC-64-AVRO")
            )
            if fingerprint not in (expected, expected[::-1]):
                findings.append(
                    Finding(
                        "warning",
                        f"fingerprint {fingerprint.hex()} is not the supplied schema's ({expected.hex()})",
                        code="layers.fingerprint",
                    )
                )
        frame = Frame(0, 10, len(data), header, "datum")
        return Peeled(
            {"fingerprint": fingerprint.hex()}, spans=header, frames=[frame], inner_format="avro", findings=findings
        )
