"""A bounded preview of a decoded value, for trees that must stay small in the browser."""

from __future__ import annotations

from typing import Any

from formatlens.convert.adapt import to_jsonable


def truncate(value: Any, max_items: int = 50, max_depth: int = 12) -> Any:
    """JSON-ready ``value`` with at most ``max_items`` items per container (a "... N more" marker
    says what was left out) and containers below ``max_depth`` summarised."""

    def cut(node: Any, depth: int) -> Any:
        if isinstance(node, (tuple, set, frozenset)):
            node = list(node)
        if isinstance(node, dict):
            if depth >= max_depth:
                return f"{{...{len(node)} keys}}"
            items = list(node.items())
            out = {str(to_jsonable(k)): cut(v, depth + 1) for k, v in items[:max_items]}
            if len(items) > max_items:
                out["…"] = f"{len(items) - max_items:,} more keys"
            return out
        if isinstance(node, list):
            if depth >= max_depth:
                return f"[...{len(node)} items]"
            shown = [cut(v, depth + 1) for v in node[:max_items]]
            if len(node) > max_items:
                shown.append(f"… {len(node) - max_items:,} more items")
            return shown
        return to_jsonable(node)

    # Cut first, then render: only what is shown is converted.
    return cut(value, 0)


def count_nodes(value: Any, limit: int = 1_000_000) -> int:
    """How many values the tree holds (stops counting at ``limit``)."""
    count, stack = 0, [value]
    while stack and count < limit:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return count
