"""A Diff as JSON-ready data (``diff --json``) and as lines a person reads (``diff``, the Diff page)."""

from __future__ import annotations

import reprlib
from typing import Any

from formatlens.analysis.diff import Change, Diff
from formatlens.convert.adapt import to_jsonable
from formatlens.render.hexdump import path_text

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxset = 3, 6, 6, 6, 6
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 80, 80, 60


def change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "path": to_jsonable(list(change.path)),
        "kind": change.kind,
        "old": to_jsonable(change.old),
        "new": to_jsonable(change.new),
        "span_a": _span(change.span_a),
        "span_b": _span(change.span_b),
        **({"path_a": to_jsonable(list(change.path_a))} if change.path_a is not None else {}),
    }


def _span(span) -> list[int] | None:
    return [span.start, span.end] if span is not None else None


def diff_to_dict(result: Diff) -> dict[str, Any]:
    schema = result.schema
    return {
        "equal": result.equal,
        "format_a": result.a.format,
        "format_b": result.b.format,
        "strict": result.strict,
        "key": result.key,
        "counts": result.counts(),
        "truncated": result.truncated,
        "notes": result.notes,
        "changes": [change_to_dict(change) for change in result.changes],
        "schema": None
        if schema is None
        else {
            "kind": schema.kind,
            "verdict": schema.verdict,
            "backward": schema.backward,
            "forward": schema.forward,
            "breaking": [{"direction": b.direction, "path": b.path, "message": b.message} for b in schema.breaking],
            "changes": to_jsonable(schema.changes),
        },
    }


def shown(value: Any) -> str:
    """A value in one short line (reprlib: a long list costs no more than a short one)."""
    return _SHORT.repr(value)


def change_row(change: Change) -> dict[str, Any]:
    """One row of the summary table: path, kind, old, new and the byte ranges of both sides."""
    return {
        "path": path_text(change.path) or "(top)",
        "kind": change.kind,
        "old": "" if change.kind == "added" else shown(change.old),
        "new": "" if change.kind == "removed" else shown(change.new),
        "bytes a": _range_text(change.span_a),
        "bytes b": _range_text(change.span_b),
    }


def _range_text(span) -> str:
    return f"{span.start:,}–{span.end:,}" if span is not None else ""
