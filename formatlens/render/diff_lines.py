"""One side of a diff as indented lines, each marked with the kind of change at its path (for side-by-side views)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from formatlens.render.diff_report import shown

MAX_ITEMS = 50
"""Items shown per object or list; the views show changed records, which are small."""


class Line(NamedTuple):
    depth: int
    text: str
    mark: str | None
    """"added", "removed", "changed", "type" or None."""


def side_lines(value: Any, root: tuple, marks: dict[tuple, str], max_lines: int = 300) -> list[Line]:
    """``value`` (found at ``root`` in its document) as lines; a node under a marked path carries its mark."""
    lines: list[Line] = []

    def emit(label: str, node: Any, path: tuple, depth: int, inherited: str | None) -> None:
        if len(lines) >= max_lines:
            return
        mark = marks.get(path, inherited)
        if isinstance(node, Mapping):
            lines.append(Line(depth, f"{label}{{", mark))
            for index, (key, child) in enumerate(node.items()):
                if index == MAX_ITEMS:
                    lines.append(Line(depth + 1, f"… {len(node) - MAX_ITEMS:,} more keys", None))
                    break
                emit(f"{key}: ", child, (*path, key), depth + 1, mark if mark in ("added", "removed") else None)
            lines.append(Line(depth, "}", mark))
        elif isinstance(node, (list, tuple)):
            lines.append(Line(depth, f"{label}[", mark))
            for index, child in enumerate(node):
                if index == MAX_ITEMS:
                    lines.append(Line(depth + 1, f"… {len(node) - MAX_ITEMS:,} more items", None))
                    break
                emit("", child, (*path, index), depth + 1, mark if mark in ("added", "removed") else None)
            lines.append(Line(depth, "]", mark))
        else:
            lines.append(Line(depth, f"{label}{shown(node)}", mark))

    emit("", value, root, 0, None)
    if len(lines) >= max_lines:
        lines.append(Line(0, "… (cut here)", None))
    return lines


def value_at(value: Any, path: tuple) -> Any:
    """The node at ``path`` in ``value``."""
    for step in path:
        value = value[step]
    return value
