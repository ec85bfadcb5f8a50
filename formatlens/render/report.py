"""A Document as plain JSON-ready data (what ``inspect --json`` prints)."""

from __future__ import annotations

from typing import Any

from formatlens.convert.adapt import to_jsonable
from formatlens.core.document import Document, Finding, Schema, Span


def span_to_dict(span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "kind": span.kind,
        "label": span.label,
        "path": to_jsonable(list(span.path)),
    }
    if span.children:
        out["children"] = [span_to_dict(child) for child in span.children]
    return out


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"severity": finding.severity, "message": finding.message}
    if finding.span is not None:
        out["span"] = {"start": finding.span.start, "end": finding.span.end, "label": finding.span.label}
    return out


def schema_to_dict(schema: Schema | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    return {"kind": schema.kind, "text": schema.text, "details": to_jsonable(schema.details)}


def document_to_dict(document: Document, *, spans: bool = True) -> dict[str, Any]:
    out = {
        "format": document.format,
        "size": len(document.data),
        "value": to_jsonable(document.value),
        "schema": schema_to_dict(document.schema),
        "details": to_jsonable(document.details),
        "findings": [finding_to_dict(f) for f in document.findings],
    }
    if spans:
        out["spans"] = [span_to_dict(span) for span in document.spans]
    return out
