"""The format guide's tables, generated from the codecs' declared traits and from measurements.

Nothing here is typed per format: the classification comes from each codec's
``traits``, the pros and cons from those traits plus a measurement of the same
data (the tutorial's users) in every format.
"""

from __future__ import annotations

from collections.abc import Sequence

from formatlens.analysis.compare import Measurement
from formatlens.core.document import CodecInfo

CLASSIFICATIONS = {
    "Textual or binary": lambda t: "textual" if t.textual else "binary",
    "Schemaless or schema-based": lambda t: "schema-based" if t.schema_based else "schemaless",
    "General-purpose or specialized": lambda t: "general-purpose" if t.purpose == "general" else "specialized",
    "Portable or Python-specific": lambda t: "portable" if t.portable else "Python-specific",
    "Row, column or document": lambda t: {"row": "row-oriented", "column": "column-oriented"}.get(
        t.orientation, "document"
    ),
}


def classification_table(infos: list[CodecInfo]) -> list[dict]:
    """One row per format, one column per classification of the tutorial."""
    return [
        {"format": info.title, **{name: rule(info.traits) for name, rule in CLASSIFICATIONS.items()}} for info in infos
    ]


def groups(infos: list[CodecInfo]) -> dict[str, dict[str, list[str]]]:
    """For each classification, which formats fall on which side."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, rule in CLASSIFICATIONS.items():
        sides: dict[str, list[str]] = {}
        for info in infos:
            sides.setdefault(rule(info.traits), []).append(info.title)
        out[name] = sides
    return out


def _rank_words(value: float | None, values: Sequence[float], words: tuple[str, str, str]) -> str:
    if value is None:
        return "—"
    ordered = sorted(values)
    position = ordered.index(value) / max(len(ordered) - 1, 1)
    return words[0] if position < 1 / 3 else words[1] if position < 2 / 3 else words[2]


def pros_and_cons(infos: list[CodecInfo], measured: list[Measurement]) -> list[dict]:
    """The tutorial's pros/cons dimensions, each derived from traits or from the measurements."""
    by_name = {m.format: m for m in measured}
    sizes = [m.size for m in measured if m.size]
    speeds = [m.decode_s for m in measured if m.decode_s]
    rows = []
    for info in infos:
        traits, m = info.traits, by_name.get(info.name)
        rows.append(
            {
                "format": info.title,
                "readability": "readable as text" if traits.textual else "needs a tool to read",
                "processing speed": _rank_words(m.decode_s if m else None, speeds, ("fast", "medium", "slow")),
                "size": _rank_words(m.size if m else None, sizes, ("small", "medium", "large"))
                + (f" ({m.size:,} B)" if m and m.size else ""),
                "portability": "any language" if traits.portable else "Python only",
                "structure": "enforced by a schema" if traits.schema_based else "free-form",
                "privacy": "plain to anyone who opens it"
                if traits.textual
                else "opaque without a decoder (not encryption)",
            }
        )
    return rows
