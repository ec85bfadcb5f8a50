"""The pair sweep: documents from the type zoo through every source -> target pair.

For one document and one source format, the document is first written as the
source (``convert_value``) and read back; that value is then converted to every
target. Each pair must

- succeed, or refuse with a sentence listed in REFUSALS (the target truly cannot hold the data);
- load back in the target (protobuf with the schema the conversion reports);
- name every change: with no loss reported, the value read back is the source value (types included,
  up to the EQUIVALENCES below);
- keep a type the target holds natively: no "X written as ..." sentence for a kind the target holds.

Same-format pairs go through ``fl.convert`` on the bytes (the identity path); the others through
``convert_value`` on the decoded source value (the same code ``convert`` runs after decoding).
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import formatlens as fl
from formatlens.core import registry

FORMATS = ["json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor", "avro", "parquet", "protobuf"]

REFUSALS = {
    r"a Parquet table needs at least one column: the records have no fields": (
        "records without fields: a Parquet file holds columns, and there are none"
    ),
}
"""Refusals that are true of the data, each with the reason (pattern -> why the target cannot hold it)."""

HELD_SENTENCES = {
    "datetime": "datetimes written as ISO 8601 strings",
    "decimal": "decimals written as strings to keep their digits",
    "bytes": "bytes written as base64",
    "bigint": "integers outside the 64-bit range written as strings",
    "uuid": "UUIDs written as strings",
}
"""Loss sentences that must not appear for a kind the target holds."""

EQUIVALENCES = (
    "bson Int64 is the int it holds; bson Decimal128 the Decimal; a BSON DBRef the {$ref, $id, $db} mapping "
    "(pymongo reads such a mapping as a DBRef); mapping subclasses (SON, YAML TaggedNode, pickle CallNode) "
    "are mappings"
)


def normal(value: Any) -> Any:
    """``value`` with the library types of EQUIVALENCES replaced by what they are equal to."""
    kind = type(value)
    module = kind.__module__.split(".")[0]
    if module == "bson":
        name = kind.__name__
        if name == "Int64":
            return int(value)
        if name == "Decimal128":
            return value.to_decimal()
        if name == "DBRef":
            ref = {"$ref": value.collection, "$id": normal(value.id)}
            if value.database is not None:
                ref["$db"] = value.database
            return ref
    if isinstance(value, dict) and kind is not collections.OrderedDict:
        if {"$ref", "$id"} <= set(value) <= {"$ref", "$id", "$db"}:  # a DBRef, whatever its key order
            value = {k: value[k] for k in ("$ref", "$id", "$db") if k in value}
        return {normal_key(k): normal(v) for k, v in value.items()}
    if kind is list:
        return [normal(v) for v in value]
    if kind is tuple:
        return tuple(normal(v) for v in value)
    return value


def normal_key(key: Any) -> Any:
    return tuple(normal_key(k) for k in key) if isinstance(key, tuple) else normal(key)


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down; NaN equals NaN, -0.0 is not 0.0, and aware
    datetimes must agree on their offset and zone name, not only on the instant."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, Decimal):
        return a == b or (a.is_nan() and b.is_nan())
    if isinstance(a, dt.datetime):
        return (
            a == b
            and a.utcoffset() == b.utcoffset()
            and _zone(a) == _zone(b)
            and (a.tzinfo is None) == (b.tzinfo is None)
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a).__name__ == "Regex":
        return (a.pattern, a.flags) == (b.pattern, b.flags)
    if type(a).__name__ in ("MinKey", "MaxKey", "UndefinedType"):
        return True
    if type(a).__name__ == "Code":
        return str(a) == str(b) and a.scope == b.scope
    return bool(a == b)


def _zone(moment: dt.datetime) -> str | None:
    key = getattr(moment.tzinfo, "key", None)
    return None if key in ("UTC", "Etc/UTC") else key  # UTC by name is UTC


def load_back(conversion: fl.Conversion) -> fl.Document:
    if conversion.format == "protobuf" and conversion.schema is not None and "message" in conversion.schema.details:
        return fl.load(
            conversion.data, "protobuf", schema=conversion.schema.text, message=conversion.schema.details["message"]
        )
    return fl.load(conversion.data, conversion.format)


@dataclass
class Sweep:
    documents: int = 0
    pairs: int = 0
    refusals: collections.Counter = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < 30:
            self.problems.append(text)


def sweep_document(document: Any, sweep: Sweep) -> None:
    """Send one document through all 121 pairs, adding what went wrong to ``sweep``."""
    sweep.documents += 1
    for source in FORMATS:
        try:
            written = fl.convert_value(document, source)
            source_doc = load_back(written)
            source_value = source_doc.value
        except fl.FormatError as exc:
            if not _allowed(str(exc), sweep, f"python -> {source}"):
                sweep.problem(f"python -> {source}: {exc} | {document!r:.300}")
            sweep.pairs += len(FORMATS)
            continue
        for target in FORMATS:
            sweep.pairs += 1
            _pair(source, target, written, source_value, sweep)


def _pair(source: str, target: str, written: fl.Conversion, source_value: Any, sweep: Sweep) -> None:
    where = f"{source} -> {target}"
    try:
        if source == target:
            schema = written.schema.text if source == "protobuf" and written.schema else None
            message = written.schema.details.get("message") if source == "protobuf" and written.schema else None
            result = fl.convert(written.data, target, source=source, schema=schema, message=message)
        else:
            result = fl.convert_value(source_value, target, source_format=source)
    except fl.FormatError as exc:
        if not _allowed(str(exc), sweep, where):
            sweep.problem(f"{where}: refused: {exc} | {source_value!r:.300}")
        return
    try:
        back = load_back(result).value
    except fl.FormatError as exc:
        sweep.problem(f"{where}: the output does not load back: {exc} | {source_value!r:.300}")
        return
    holds = registry.get(target).holds
    for kind, sentence in HELD_SENTENCES.items():
        if kind in holds and sentence in result.losses:
            sweep.problem(f"{where}: {target} holds {kind} but says {sentence!r}")
    if not result.losses and not same(normal(back), normal(source_value)):
        sweep.problem(f"{where}: changed with no loss named: {source_value!r:.300} -> {back!r:.300}")


def _allowed(message: str, sweep: Sweep, where: str) -> bool:
    for pattern in REFUSALS:
        if re.search(pattern, message):
            sweep.refusals[f"{where}: {pattern}"] += 1
            return True
    return False
