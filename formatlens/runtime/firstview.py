"""What a worker sends back for a large input's first view: the parse's verdict and what the screen shows.

A worker decodes an upload (the parse the bare library call also does, with the limits), then
sends back only what the Inspect page's first view draws: a summary (rows × columns), the
findings and schema, the spans of the head of the input (the first ``HEAD_SPANS``, or up to four
times as many until they cover OPENING_BYTES: the hexdump and tree open at offset 0) and the head
of the value (the first ``HEAD_ITEMS`` items of each container, for the tree's types and previews).
The whole value and table stay in the worker and are dropped: a view that needs them (Table,
Schema, Convert, Compare...) asks a worker to decode again (``remote_part``), and the Document
caches what came back. For a 46 MiB JSON this ships a
few MB instead of ~500 MB of pickled value and spans, and the server holds about the input's size.

Below ``LIGHT_FROM`` bytes everything is computed and sent at once (cheap, and every view is ready).
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import Any

from formatlens.core import registry
from formatlens.core.document import Document, annotated_to
from formatlens.core.errors import UnknownFormatError
from formatlens.core.limits import current

LIGHT_FROM = 1 << 20
"""Inputs of at least this many bytes get the first-view document (smaller ones: everything at once)."""
HEAD_SPANS = 4_000
"""Spans annotated for the first view (a few hundred records: the tree's first group and many screens of
the hexdump) of a format whose far windows start at checkpoints (CHECKPOINTED); the rest is annotated
where the person looks (runtime.annotate), window by window, in about 0.1 s each at the upload cap."""
CHECKPOINTED = frozenset({"json", "bson", "msgpack", "cbor", "csv", "avro", "protobuf", "xml", "pickle"})
"""Formats whose far windows are walked from the nearest checkpoint (core.checkpoints); YAML's are for one
block sequence or mapping only (_walks_from_checkpoints)."""
WIDE_HEAD_SPANS = 20_000
"""The same for the other inputs, which decode the whole input again for each far window (YAML that is not one
block sequence or mapping; Parquet, whose spans are its footer's few)."""
OPENING_BYTES = 2 * 4096
"""Bytes the Inspect page opens on: the hexdump's first two windows (render.hexdump.WINDOW), which the
head's spans cover (_annotate_head)."""
HEAD_ITEMS = 100
"""Items per container in the value's head (the tree splits lists 100 per level)."""
HEAD_BUDGET = 20_000
"""Most values in the head in all."""
HEAD_DEPTH = 64
"""Levels in the head (a cyclic value would go on forever)."""
HEAD_TEXT = 4096
"""Strings and bytes longer than this are cut in the head (the tree previews 60 characters)."""


class HeadList(list):
    """The first items of a list; len() is the whole list's (the tree's previews say "[300,000 items]")."""

    total = 0

    def __len__(self) -> int:
        return self.total

    def __reduce__(self):  # pickled as its items and total, not through list's len()
        return head_list, (list(self.__iter__()), self.total)


class HeadDict(dict):
    """The first members of a dict; len() is the whole dict's."""

    total = 0

    def __len__(self) -> int:
        return self.total

    def __reduce__(self):
        return _head_dict, (list(dict.items(self)), self.total)


def head_list(items: list, total: int) -> HeadList:
    made = HeadList(items)
    made.total = total
    return made


def _head_dict(items: list, total: int) -> HeadDict:
    made = HeadDict(items)
    made.total = total
    return made


def head_of(value: Any, items: int = HEAD_ITEMS, budget: int = HEAD_BUDGET) -> Any:
    """A small copy of ``value``'s beginning: at most ``items`` per container, ``budget`` values in all."""
    left = budget

    def cut(node: Any, depth: int = 0) -> Any:
        nonlocal left
        left -= 1
        if type(node) in (str, bytes) and len(node) > HEAD_TEXT:
            return node[:HEAD_TEXT]
        if depth > HEAD_DEPTH and isinstance(node, (dict, list, tuple)):  # values may hold cycles (pickle, YAML)
            return _head_dict([], len(node)) if isinstance(node, dict) else head_list([], len(node))
        if isinstance(node, dict):
            kept: dict = {}
            for key, child in node.items():
                if len(kept) >= items or left <= 0:
                    break
                kept[key] = cut(child, depth + 1)
            return _head_dict(list(kept.items()), len(node)) if len(kept) < len(node) else kept
        if isinstance(node, (list, tuple)):
            kept_items: list = []
            for child in node:
                if len(kept_items) >= items or left <= 0:
                    break
                kept_items.append(cut(child, depth + 1))
            if len(kept_items) < len(node):
                return head_list(kept_items, len(node))
            return kept_items if isinstance(node, list) else tuple(kept_items)
        return node

    return cut(value)


def _as_shown(format: str, head: Any) -> Any:
    """The head as a plain decode makes it (Codec.shown: the worker's decode summed the value up)."""
    try:
        codec = registry.get(format)
    except UnknownFormatError:  # "unparsed" bytes inside a layer, a "mixed" stream: no codec made them
        return head
    return codec.shown(head)


def summary(value: Any) -> dict:
    """What the page header says about the value (views.metrics), computed where the value is."""
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value[:100]):
        columns = len(dict.fromkeys(k for row in value[:1000] for k in row))
        shape = f"{len(value):,} rows × {columns} columns"
    elif isinstance(value, dict):
        shape = f"object of {len(value):,} keys"
    elif isinstance(value, list):
        shape = f"list of {len(value):,} items"
    else:
        shape = type(value).__name__
    tabular = isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value[:50])
    return {"shape": shape, "tabular": tabular}


def first_view(document: Document, *, with_data: bool = True) -> bytes:
    """In the worker: the parts of ``document`` a first view needs, pickled (see the module's doc); without
    its bytes if not ``with_data`` (the server holds them: the input itself)."""
    if document.glance_factory is not None:  # the codec sums up its parse without the whole value
        glance = document._guarded(document.glance_factory)
    elif document.value_is_derived:  # Parquet: reading the table is the parse; its records are made on demand
        table = document.table
        glance = {"shape": f"{table.num_rows:,} rows × {table.num_columns} columns", "tabular": table.num_rows > 0}
        glance["head"] = head_list(table.slice(0, HEAD_ITEMS).to_pylist(), table.num_rows)
    else:
        value = document.value  # the parse's verdict, with the node and depth limits
        glance = {**summary(value), "head": _as_shown(document.format, head_of(value))}
    document.findings  # noqa: B018 - computed here: the page header counts them
    document.schema  # noqa: B018 - small, and inferring it needs the value
    _annotate_head(document, HEAD_SPANS if _walks_from_checkpoints(document) else WIDE_HEAD_SPANS)
    state = document.__getstate__(parts=("spans", "schema", "findings"))
    if not with_data:
        state["data"] = b""
    state["first_view"] = {**glance, "has_table": document._table_factory is not None}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _annotate_head(document: Document, budget: int) -> None:
    """Annotate the head of ``document``: ``budget`` spans (the walkers stop at max_spans), or twice or four
    times as many where those end before OPENING_BYTES (a pickle's opcodes take 2-3 spans for every 4 bytes,
    a MessagePack list of small ints one per byte): otherwise the page's first run would ask a worker to walk
    the input again for the windows it opens on. Where the annotation ends is measured as the page does
    (core.document.annotated_to: a container cut at the budget claims the rest of the input)."""
    limits = document.limits or current()
    budgets = sorted({min(allowed, limits.max_spans) for allowed in (budget, 2 * budget, 4 * budget)})
    for tried, allowed in enumerate(budgets, 1):
        document.limits = replace(limits, max_spans=allowed)
        spans = document.spans  # walked here (a cached_property)
        if "spans_cut_at" not in document.details or tried == len(budgets):
            return
        if annotated_to(spans) >= min(OPENING_BYTES, len(document.data)):
            return
        del document.spans  # a cached_property: walked again with a larger budget
        del document.details["spans_cut_at"]


def _walks_from_checkpoints(document: Document) -> bool:
    """Whether far windows of ``document`` will be walked from checkpoints: its format's (CHECKPOINTED), and
    of YAML only one block sequence or mapping whose items read alone (codecs.yamlfar); other YAML (two
    documents, a flow-style top level, directives...) decodes the whole input for each far window."""
    if document.format == "yaml":
        from formatlens.codecs.yamlfar import far_context

        return bool(far_context(document))
    return document.format in CHECKPOINTED


def document_from(state: dict) -> Document:
    """On the server: the Document a first view's state makes (its value and table factories are set by the caller)."""
    document = Document.__new__(Document)
    document.__setstate__(state)
    return document


def remote_part(data: bytes, format: str, options: dict, part: str) -> Any:
    """In a worker: decode ``data`` as ``format`` again and return one part ("value" or "table")."""
    from formatlens.core.api import load

    return getattr(load(data, format, peel=False, **options), part)
