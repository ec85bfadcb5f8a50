"""The Schemas page's logic: inference in four languages, validation, and evolution."""

from __future__ import annotations

import json
from typing import Any

import fastavro
import jsonschema
from fastavro.schema import SchemaParseException, UnknownType
from fastavro.validation import ValidationError

from formatlens.codecs.avro import evolution
from formatlens.convert.adapt import to_jsonable
from formatlens.convert.infer import (
    coerce,
    for_proto,
    infer_records,
    to_arrow_schema,
    to_avro,
    to_json_schema,
    to_proto,
)


def inferred_schemas(value: Any) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """{language: (schema text, code highlight language)} and the inference notes."""
    _rows, inference, losses = infer_records(value)
    node = inference.type
    schemas = {
        "Avro": (json.dumps(to_avro(node, "Record"), indent=2), "json"),
        ".proto": (to_proto(for_proto(node), "Record"), "protobuf"),
        "Arrow / Parquet": (to_arrow_schema(node).to_string(), "text"),
        "JSON Schema": (json.dumps(to_json_schema(node), indent=2), "json"),
    }
    return schemas, [*losses, *inference.notes]


AVRO_SCHEMA_ERRORS = (SchemaParseException, UnknownType, TypeError, KeyError)
"""What fastavro.parse_schema raises for a schema of the wrong shape (a list, a record without fields,
an enum without symbols...); anything else is a bug and shows as one."""


def validate(value: Any, schema_text: str, kind: str, limit: int = 200) -> list[dict] | None:
    """None when every record is valid, else the problems (record, where, message)."""
    try:
        schema = json.loads(schema_text)
    except ValueError as exc:
        return [{"record": "", "where": "schema", "problem": f"not JSON: {exc}"}]
    rows, inference, _ = infer_records(value)
    problems = []
    if kind == "JSON Schema":
        try:
            validator = jsonschema.Draft202012Validator(schema)
        except jsonschema.SchemaError as exc:
            return [{"record": "", "where": "schema", "problem": exc.message}]
        for index, row in enumerate(to_jsonable(rows)):
            for error in validator.iter_errors(row):
                problems.append(
                    {
                        "record": index,
                        "where": "/".join(map(str, error.absolute_path)) or "(record)",
                        "problem": error.message,
                    }
                )
                if len(problems) >= limit:
                    return problems
    else:
        try:
            parsed = fastavro.parse_schema(schema)
        except AVRO_SCHEMA_ERRORS as exc:
            return [{"record": "", "where": "schema", "problem": str(exc)}]
        for index, row in enumerate(rows):
            try:
                fastavro.validation.validate(coerce(row, inference.type), parsed, raise_errors=True)
            except ValidationError as exc:
                problems.append({"record": index, "where": "", "problem": str(exc)[:300]})
                if len(problems) >= limit:
                    break
    return problems or None


def evolution_table(writer: Any, reader: Any) -> tuple[list[dict], bool]:
    fastavro.parse_schema(writer)
    fastavro.parse_schema(reader)
    rows = evolution(writer, reader)
    compatible = not any("incompatible" in row["change"] or row["change"].startswith("type changed") for row in rows)
    return rows, compatible
