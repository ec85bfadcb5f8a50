"""A schema as a field tree (name -> type, nested), whatever its language, for a tree view."""

from __future__ import annotations

import json
from typing import Any

from formatlens.core.document import Schema


def field_tree(schema: Schema) -> dict | None:
    """{field: type or nested fields}; None when the schema kind has no tree here."""
    if schema.kind == "avro":
        try:
            return _avro(json.loads(schema.text))
        except ValueError:
            return None
    if schema.kind in ("parquet", "arrow") and "fields" in schema.details:
        return schema.details["fields"]
    if schema.kind == "csv-columns":
        return dict(schema.details.get("columns", {}))
    if schema.kind == "proto" and "tree" in schema.details:
        return schema.details["tree"]
    return None


def _avro(node: Any) -> Any:
    if isinstance(node, list):
        branches = [_avro(branch) for branch in node if branch != "null"]
        optional = "null" in node
        if len(branches) == 1:
            return branches[0] if not optional or not isinstance(branches[0], str) else f"{branches[0]} (optional)"
        return {"union": branches, **({"optional": True} if optional else {})}
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "record":
            return {field["name"]: _avro(field["type"]) for field in node.get("fields", [])}
        if kind == "array":
            return {"[items]": _avro(node.get("items"))}
        if kind == "map":
            return {"{values}": _avro(node.get("values"))}
        if kind == "enum":
            return f"enum {node.get('name')}: {', '.join(node.get('symbols', []))}"
        if kind == "fixed":
            return f"fixed({node.get('size')})"
        logical = node.get("logicalType")
        return f"{kind} ({logical})" if logical else str(kind)
    return str(node)


def arrow_tree(arrow_schema) -> dict:
    """{field: type} from a pyarrow Schema, nested for structs, lists and maps."""
    import pyarrow as pa

    def tree(arrow_type) -> Any:
        if pa.types.is_struct(arrow_type):
            return {field.name: tree(field.type) for field in arrow_type}
        if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
            return {"[items]": tree(arrow_type.value_type)}
        if pa.types.is_map(arrow_type):
            return {"{keys}": tree(arrow_type.key_type), "{values}": tree(arrow_type.item_type)}
        return str(arrow_type)

    return {field.name: tree(field.type) for field in arrow_schema}


def proto_tree(descriptor) -> dict:
    """{field: type} from a protobuf message descriptor, nested for message fields (cycles cut)."""
    from google.protobuf.descriptor import FieldDescriptor as F

    from formatlens.codecs.protobuf.wire import is_repeated

    names = {v: k[5:].lower() for k, v in vars(F).items() if k.startswith("TYPE_")}

    def tree(message, seen: tuple) -> dict:
        out = {}
        # Extensions the schema declares for this message, named as the value names them: [full.name]
        extensions = message.file.pool.FindAllExtensions(message) if message.extension_ranges else []
        extensions = sorted(extensions, key=lambda ext: ext.number)
        for field in [*message.fields, *extensions]:
            repeated = is_repeated(field)
            name = f"[{field.full_name}]" if field.is_extension else field.name
            if field.type in (F.TYPE_MESSAGE, F.TYPE_GROUP):  # a proto2 group is a nested message
                inner = field.message_type
                if inner.GetOptions().map_entry:
                    value = inner.fields_by_name["value"]
                    shown = (
                        f"map<{names[inner.fields_by_name['key'].type]}, "
                        + (value.message_type.full_name if value.type == F.TYPE_MESSAGE else names[value.type])
                        + ">"
                    )
                    out[name] = shown
                    continue
                if inner.full_name.startswith("google.protobuf.") or inner.full_name in seen:
                    shown = inner.full_name
                else:
                    shown = tree(inner, (*seen, inner.full_name))
            elif field.type == F.TYPE_ENUM:
                shown = f"enum {field.enum_type.name}"
            else:
                shown = names[field.type]
            out[name + (" []" if repeated else "")] = shown
        return out

    return tree(descriptor, (descriptor.full_name,))
