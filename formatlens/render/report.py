"""A Document as plain JSON-ready data (what ``inspect --json`` prints).

Values are written in the typed JSON encoding of :mod:`formatlens.render.typed`
(MongoDB Extended JSON v2 for library types, ``{"$type": ..., "value": ...}``
for the rest), so nothing is flattened: NaN stays ``{"$numberDouble": "NaN"}``,
an ObjectId stays ``{"$oid": ...}``. ``"encoding"`` names it in the output.
"""

from __future__ import annotations

from typing import Any

from formatlens.core.document import Document, Finding, Layer, Schema, Span
from formatlens.render.tree import MISSING, span_value_path, value_at
from formatlens.render.typed import to_typed_json, type_name

ENCODING = "formatlens typed JSON: MongoDB Extended JSON v2 for library types, {'$type', 'value'} for the rest"


def span_to_dict(span: Span, value: Any = MISSING) -> dict[str, Any]:
    """A span; with the document's ``value``, spans that stand for a value also carry its ``type``
    (the name the app's structure tree and the CLI show for it)."""
    out: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "kind": span.kind,
        "label": span.label,
        "path": to_typed_json(list(span.path)),
    }
    held = value_at(value, span_value_path(span))
    if held is not MISSING:
        out["type"] = type_name(held)
    if span.children:
        out["children"] = [span_to_dict(child, value) for child in span.children]
    return out


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"severity": finding.severity, "message": finding.message}
    if finding.span is not None:
        out["span"] = {"start": finding.span.start, "end": finding.span.end, "label": finding.span.label}
    return out


def schema_to_dict(schema: Schema | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    return {"kind": schema.kind, "text": schema.text, "details": to_typed_json(schema.details)}


def document_to_dict(document: Document, *, spans: bool = True) -> dict[str, Any]:
    out = {
        "format": document.format,
        "size": len(document.data),
        "encoding": ENCODING,
        "value": to_typed_json(document.value),
        "schema": schema_to_dict(document.schema),
        "details": to_typed_json(document.details),
        "findings": [finding_to_dict(f) for f in document.findings],
        "layers": [layer_to_dict(layer) for layer in document.layers],
    }
    if spans:
        out["spans"] = [span_to_dict(span, document.value) for span in document.spans]
    return out


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    return {
        "kind": layer.kind,
        "start": layer.start,
        "end": layer.end,
        "source": layer.source,
        "details": to_typed_json(layer.details),
        "spans": [span_to_dict(span) for span in layer.spans],
    }
