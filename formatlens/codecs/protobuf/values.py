"""A message read with its schema as a Python value: what Document.value is for protobuf with a schema.

Field names -> values: enums by name, Timestamp/Duration as datetime/timedelta, maps as dicts, groups
as dicts, extensions under ``[full.name]`` (protobuf's JSON mapping), Any unpacked, unknown fields
kept under "!unknown" (with findings for what a person should know).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet

from formatlens.codecs.protobuf.wire import is_repeated
from formatlens.core.document import Finding
from formatlens.core.errors import FormatError

ALWAYS, IF_SET, NEVER = "always", "if set", "never"


@lru_cache(maxsize=4096)
def fields_shown(descriptor: Any) -> tuple[tuple[FieldDescriptor, str, str], ...]:
    """A message type's fields, their names, and when the value shows each: ALWAYS (a repeated field, or
    one without presence: proto3's plain scalars, at their default when unset), IF_SET (HasField), or
    NEVER (a oneof member without presence: older protobuf has no ``has_presence``)."""
    shown = []
    for field in descriptor.fields:
        has_presence = getattr(field, "has_presence", False)
        if is_repeated(field) or not has_presence:
            never = not is_repeated(field) and has_presence is False and field.containing_oneof is not None
            shown.append((field, field.name, NEVER if never else ALWAYS))
        else:
            shown.append((field, field.name, IF_SET))
    return tuple(shown)


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _refused(convert: Callable[[Any], Any], why: str) -> Callable[[Any], Any]:
    """``convert``, with the library's ValueError/OverflowError for a value it cannot show (a Timestamp past
    year 9999, a NaN in a Struct) refused as bad input (it was a bug's traceback)."""

    def converted(message: Any) -> Any:
        try:
            return convert(message)
        except (ValueError, OverflowError) as exc:
            raise FormatError(
                f"a {message.DESCRIPTOR.full_name} {why}: {exc}",
                format="protobuf",
                hint="protobuf's JSON mapping refuses it too; the bytes are a valid message otherwise",
            ) from None

    return converted


WELL_KNOWN = {
    "google.protobuf.Timestamp": _refused(lambda m: m.ToDatetime(tzinfo=dt.UTC), "that is no date and time"),
    "google.protobuf.Duration": _refused(lambda m: m.ToTimedelta(), "too long to show"),
    **{
        f"google.protobuf.{name}Value": (lambda m: m.value)
        for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
    },
    # Struct, Value and ListValue are JSON inside protobuf: shown as protobuf's JSON mapping gives them
    # (numbers are doubles there, as on the wire).
    **{
        f"google.protobuf.{name}": _refused(json_format.MessageToDict, "that JSON cannot hold")
        for name in ("Struct", "Value", "ListValue")
    },
}
_MESSAGE_TYPES = (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP)  # a proto2 group is a nested message


def message_to_value(message: Any, findings: list[Finding]) -> dict:
    """Field names -> values: enums by name, Timestamp/Duration as datetime/timedelta, maps as dicts,
    groups as dicts, extensions under ``[full.name]`` (protobuf's JSON mapping), Any unpacked."""
    out: dict[str, Any] = {}
    descriptor = message.DESCRIPTOR
    for field, name, when in fields_shown(descriptor):
        if when is ALWAYS or (when is IF_SET and message.HasField(name)):
            out[name] = _field_value(field, getattr(message, name), findings)
    if descriptor.extension_ranges:
        extensions = [(field, value) for field, value in message.ListFields() if field.is_extension]
        for field, value in extensions:
            out[f"[{field.full_name}]"] = _field_value(field, value, findings)
        if extensions:
            names = ", ".join(field.full_name for field, _value in extensions)
            findings.append(
                Finding(
                    "info",
                    f"{len(extensions)} extension{'s' if len(extensions) > 1 else ''} set on {descriptor.full_name}: "
                    f"{names}; shown under [their full names], as protobuf's JSON mapping names them",
                    code="protobuf.extension",
                    subject=descriptor.full_name,
                )
            )
    unknown = UnknownFieldSet(message)
    if len(unknown):
        out["!unknown"] = _unknown_fields(unknown)
        findings.append(
            Finding(
                "warning",
                f"{len(unknown)} unknown fields in {descriptor.full_name}: "
                "kept under '!unknown' (written by a newer schema?)",
                code="protobuf.unknown-fields",
                subject=descriptor.full_name,
            )
        )
    return out


def _field_value(field: FieldDescriptor, value: Any, findings: list[Finding]) -> Any:
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {k: _single(value_field, v, findings) for k, v in value.items()}
    if is_repeated(field):
        return [_single(field, v, findings) for v in value]
    return _single(field, value, findings)


def _unknown_fields(unknown: UnknownFieldSet) -> dict[str, Any]:
    """Unknown fields by number; an unknown group is a dict of its own fields."""
    return {
        str(f.field_number): _unknown_fields(f.data) if isinstance(f.data, UnknownFieldSet) else f.data for f in unknown
    }


def _single(field: FieldDescriptor, value: Any, findings: list[Finding]) -> Any:
    if field.type in _MESSAGE_TYPES:
        return _message_value(value, findings)
    if field.type == FieldDescriptor.TYPE_ENUM:
        known = field.enum_type.values_by_number.get(value)
        return known.name if known is not None else value
    return value


def _message_value(message: Any, findings: list[Finding]) -> Any:
    name = message.DESCRIPTOR.full_name
    if name == "google.protobuf.Any":
        return _any_value(message, findings)
    convert = WELL_KNOWN.get(name)
    return convert(message) if convert else message_to_value(message, findings)


def _any_value(message: Any, findings: list[Finding]) -> dict:
    """An Any as protobuf's JSON mapping shows it: ``@type`` and the unpacked message's fields (a
    well-known type's under ``value``), when the schema declares its type; else the type URL and the
    bytes, with a finding."""
    type_name = message.TypeName()
    try:
        inner_descriptor = message.DESCRIPTOR.file.pool.FindMessageTypeByName(type_name)
    except KeyError:
        inner_descriptor = None
    if inner_descriptor is not None:
        inner = message_factory.GetMessageClass(inner_descriptor)()
        try:
            message.Unpack(inner)
        except DecodeError:
            inner = None
        if inner is not None:
            shown = _message_value(inner, findings)
            if inner_descriptor.full_name in WELL_KNOWN or not isinstance(shown, dict):
                return {"@type": message.type_url, "value": shown}
            return {"@type": message.type_url, **shown}
    why = "does not parse as that type" if inner_descriptor is not None else "is not declared in the schema"
    findings.append(
        Finding(
            "warning",
            f"google.protobuf.Any holds {type_name or 'no type'!r}, which {why}: shown as its type URL and "
            "bytes (give the .proto that declares it to see the fields)",
            code="protobuf.any-unknown",
            subject=type_name,
        )
    )
    return {"@type": message.type_url, "value": message.value}
