"""Rendering helpers for the Inspect page: header metrics, findings, tree, spans, schema."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.convert.adapt import to_jsonable
from formatlens.convert.schema_tree import field_tree
from formatlens.core.document import annotated_to
from formatlens.core.limits import current
from formatlens.render import words
from formatlens.render.partial import partial, split_only
from formatlens.runtime.annotate import WINDOWED, WindowAnnotator
from formatlens.runtime.isolation import isolated
from formatlens.runtime.linewalk import KIND as LINES
from formatlens.sources.rangefile import LazyBytes
from formatlens.ui import state
from formatlens.ui.inspector import View, inspector, make_view
from formatlens.ui.text import plain


def memo(document: fl.Document, name: str, make):
    """Compute a view's data once per document (reruns reuse it; the document lives in the session)."""
    cache = document.__dict__.setdefault("_views", {})
    if name not in cache:
        cache[name] = make()
    return cache[name]


SEVERITY_ICON = {"danger": ":material/dangerous:", "warning": ":material/warning:", "info": ":material/info:"}
SCHEMA_LANGUAGE = {
    "avro": "json",
    "json-schema": "json",
    "proto": "protobuf",
    "parquet": "text",
    "arrow": "text",
    "csv-columns": "yaml",
}


def metrics(loaded) -> None:
    document = loaded.document
    findings = document.findings if document else []
    cols = st.columns(4)
    cols[0].metric("Format", document.format if document else (loaded.format or "—"))
    cols[1].metric("Size", words.human_size(len(loaded.data)), help=words.exact_size(len(loaded.data)))
    # A wrapped input (Confluent, gzip, base64...) matches no format itself: its format was found by peeling.
    # One word: "inside a wrapper" was cut to "inside a wrap…" in a quarter of the page at 1500 px.
    wrapped = document is not None and document.layers and loaded.format not in loaded.reasons
    confidence = "wrapped" if wrapped else f"{loaded.confidence:.0%}"
    cols[2].metric("Detection confidence", confidence, help=f"Why: {loaded.reason}")
    cols[3].metric("Findings", words.findings_in_words(findings))
    if document is not None:
        st.caption(f"**{plain(loaded.name)}** — {_shape(document)} · {document.format} because: {plain(loaded.reason)}")


def _shape(document: fl.Document) -> str:
    if not document.has("value") and document.first_view is not None:  # a first view: the worker summed it up
        return document.first_view["shape"]
    value = document.value
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value[:100]):
        columns = len(dict.fromkeys(k for row in value[:1000] for k in row))
        total = document.details.get("rows")
        if document.details.get("read_lazily") and isinstance(total, int) and total > len(value):
            return f"the first {len(value):,} of {total:,} rows × {columns} columns"  # a file read lazily
        return f"{len(value):,} rows × {columns} columns"
    if isinstance(value, dict):
        return f"object of {len(value):,} keys"
    if isinstance(value, list):
        return f"list of {len(value):,} items"
    return type(value).__name__


def whole_value(loaded) -> object:
    """The whole decoded value. For a large input's first view it is decoded again in a worker now
    (runtime.firstview), where a limit may refuse it (e.g. a 5 MB Parquet of 6 million values): then the
    refusal is shown as a message and the page stops."""
    try:
        return loaded.document.value
    except (fl.FormatError, fl.InternalError) as exc:
        _not_made(exc)
        st.stop()


def _not_made(exc: fl.FormatError | fl.InternalError) -> None:
    if isinstance(exc, fl.InternalError):
        bug_panel(exc)
        return
    where = f" at byte {exc.offset:,}" if exc.offset is not None else ""
    hint = f"\n\nHint: {plain(exc.hint)}" if exc.hint else ""
    st.error(f"**The whole value of this input could not be made{where}:** {plain(exc.message)}{hint}")


def error_panel(loaded) -> None:
    error = loaded.error
    if isinstance(error, fl.InternalError):
        bug_panel(error)
        return
    where = f" at byte {error.offset:,}" if error.offset is not None else ""
    st.error(
        f"**Could not read this as {error.format or 'any format'}{where}:** {plain(error.message)}"
        + (f"\n\nHint: {plain(error.hint)}" if error.hint else "")
    )
    if error.offset is not None:
        st.caption("What was read before the error, and the offending byte, outlined in red and selected.")
        view = loaded.__dict__.get("_inspector")
        if view is None:
            view = loaded.__dict__["_inspector"] = refusal_view(loaded.data, error)
            end = min(error.offset + 1, len(loaded.data))
            if end > error.offset:
                state.select(error.offset, end, "the offending byte")
        inspector(view)


def refusal_view(data: bytes, error: fl.FormatError) -> View:
    """The inspector's view of refused bytes: the items read before the error, the offending byte, the rest."""
    try:  # the items read before the error: read from untrusted bytes, so in the worker pool
        shown = isolated(partial, data, error)
    except fl.FormatError:  # that read itself went over a limit: the read/error split only
        shown = split_only(data, error)
    except fl.InternalError as exc:  # a bug in the partial reader: shown as one, then the split
        bug_panel(exc)
        shown = split_only(data, error)
    return make_view(data, shown.spans, shown.value, error.offset)


def bug_panel(error: fl.InternalError) -> None:
    """A bug in formatlens, shown as one (not as "your data is bad"), with a report to copy."""
    st.error(f"**This is a bug in formatlens, not a problem with your data:** {plain(error.message)}")
    st.caption("Please report it with this text (copy button at its top right) and, if you can, the file.")
    st.code(error.report or str(error), language=None)


def findings_list(document: fl.Document) -> None:
    if not document.findings:
        st.success("No findings: nothing unusual in these bytes.")
        return
    for index, finding in enumerate(document.findings):
        box = {"danger": st.error, "warning": st.warning, "info": st.info}[finding.severity]
        cols = st.columns([6, 1])
        with cols[0]:
            box(plain(finding.message), icon=SEVERITY_ICON[finding.severity])
        if finding.span is not None:
            cols[1].button(
                "Show bytes",
                key=state.finding_button(index),
                on_click=state.select,
                args=(finding.span.start, finding.span.end, finding.span.label),
            )


def instrument(loaded) -> None:
    """The inspector for what was loaded: structure tree, hexdump and data inspector in step."""
    document = loaded.document
    # document.data: the innermost bytes when layers (base64, gzip...) were peeled; the spans count in them
    # A large input's first view has the head of the value only (runtime.firstview): enough for the tree's
    # types and previews near the start; the whole value is decoded when a tab that needs it opens.
    view = document_view(document)
    st.caption(
        "Click a node to select its bytes, or a byte to find its node; shift-click extends a selection. "
        "The URL keeps the selection (`select=START:END`)."
    )
    rest_from = _rest_from(document)
    cut = document.details.get("spans_cut_at")
    if cut and rest_from is None and document.spans:  # a format whose walker cannot start past the head
        st.caption(
            f"Annotated: the first {cut:,} byte spans, up to byte {annotated_to(document.spans):,} of "
            f"{len(document.data):,}; the bytes after them show as not annotated."
        )
    if rest_from is not None:
        st.caption(
            f"Annotated at once: the first {cut:,} byte spans, up to byte {rest_from:,} of {len(document.data):,}. "
            "The rest is annotated where you look: scroll the hexdump, go to an offset, find, or open "
            "“the rest” in the tree."
        )
    inspector(view)


def document_view(document: fl.Document) -> View:
    """The inspector's view of a document's bytes, made once per document. A large input's first view
    annotated its head only: the rest is annotated where the person looks, and the values of items past
    the value's head are read when a tree slice shows them (runtime.annotate.WindowAnnotator: one per
    view, keeping what its walks learn of the input for the next request)."""
    rest_from = _rest_from(document)

    def made() -> View:
        worker = WindowAnnotator(document.data, document.format, _options(document), _lines(document))
        return make_view(
            document.data,
            document.spans,
            document.value_for_view(),
            rest_from=rest_from,
            annotate=worker if rest_from is not None else None,
            values=worker.values if _reads_values(document) else None,
        )

    return memo(document, "inspector", made)


def _rest_from(document: fl.Document) -> int | None:
    """Where the annotation of a document whose spans were cut stops (None: it was not cut, or its format's
    walker cannot annotate a far window)."""
    if document.format not in WINDOWED or not document.details.get("spans_cut_at") or not document.spans:
        return None
    if isinstance(document.data, LazyBytes):  # a remote file read by ranges: a worker would fetch all of it
        return None
    if _lines(document) is None and any(finding.code == "layers.stream" for finding in document.findings):
        # A stream of messages peeled from the bytes (length-delimited, gRPC): the format's walker would read
        # the whole stream as one value (JSON Lines: runtime.linewalk finds a window's lines instead)
        return None
    return annotated_to(document.spans)


def _lines(document: fl.Document) -> tuple[int, int] | None:
    """Where a JSON Lines stream lies in ``document.data`` (start, end), when the document is one."""
    layer = document.layers[-1] if document.layers else None
    if layer is None or layer.kind != LINES or not document.in_data(layer):
        return None
    if not any(finding.code == "layers.stream" for finding in document.findings):
        return None
    return layer.start, layer.end


def _reads_values(document: fl.Document) -> bool:
    """Whether items past a first view's value head get their values from a worker (not for a remote
    file read by ranges: the worker would fetch all of it)."""
    return document.first_view is not None and not isinstance(document.data, LazyBytes)


def _options(document: fl.Document) -> dict:
    """The options the input was decoded with (a schema, a message name), for a worker's decode of it again."""
    return dict(getattr(document._value_factory, "options", None) or {})


def table(document: fl.Document) -> None:
    try:  # a first view's table or value is made now, in a worker (whole_value)
        arrow = document.table
        count = arrow.num_rows if arrow is not None else len(document.value)
    except (fl.FormatError, fl.InternalError) as exc:
        _not_made(exc)
        return
    if count > current().max_table_rows:
        st.caption(f"The first {current().max_table_rows:,} of {count:,} rows.")
    st.dataframe(memo(document, "table", lambda: _frame(document)), width="stretch", height=420)


def _frame(document: fl.Document) -> pd.DataFrame:
    if document.table is not None:
        return document.table.slice(0, current().max_table_rows).to_pandas()
    cells = [
        {k: v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False) for k, v in row.items()}
        for row in to_jsonable(document.value[: current().max_table_rows])
    ]
    return pd.DataFrame(cells)


def is_tabular(document: fl.Document) -> bool:
    if not document.has("value") and document.first_view is not None:
        return document.first_view["tabular"]
    value = document.value
    return isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value[:50])


def schema(document: fl.Document) -> None:
    found = document.schema
    if found is None:
        st.info(f"{document.format} carries no schema. The Schemas page infers one in every schema language.")
        return
    inferred = " (inferred)" if found.details.get("inferred") else ""
    st.subheader(f"{found.kind} schema{inferred}")
    left, right = st.columns(2)
    with left:
        st.code(found.text, language=SCHEMA_LANGUAGE.get(found.kind, "text"))
        tree = field_tree(found)
        if tree:
            st.markdown("**Fields**")
            st.json(tree, expanded=3)
    with right:
        if found.kind == "parquet":
            _parquet_layout(found)
        elif found.kind == "avro":
            _avro_details(document, found)
        elif found.details.get("columns") and isinstance(found.details["columns"], dict):
            st.dataframe(
                pd.DataFrame(
                    {
                        "column": list(found.details["columns"]),
                        "type (inferred)": list(found.details["columns"].values()),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.json({k: v for k, v in found.details.items() if k != "notes"}, expanded=1)


def _parquet_layout(found: fl.Schema) -> None:
    st.code(found.details["arrow_schema"], language="text")
    chunks = [
        {
            "row group": g,
            **{k: c[k] for k in ("path", "compression", "compressed", "uncompressed", "null_count", "min", "max")},
            "encodings": ", ".join(c["encodings"]),
        }
        for g, group in enumerate(found.details["row_groups"])
        for c in group["columns"]
    ]
    if chunks:
        frame = pd.DataFrame(chunks)
        for column in ("min", "max"):
            frame[column] = frame[column].astype(str)
        st.markdown("**Column chunks**")
        st.dataframe(frame, hide_index=True, width="stretch")
        st.markdown("**Bytes per column (compressed)**")
        st.bar_chart(frame.groupby("path")["compressed"].sum(), horizontal=True)
    if found.details.get("key_value_metadata"):
        with st.expander("Key-value metadata"):
            st.json(found.details["key_value_metadata"], expanded=False)


def _avro_details(document: fl.Document, found: fl.Schema) -> None:
    details = document.details
    if "codec" in details:
        cols = st.columns(3)
        cols[0].metric("Codec", details["codec"])
        cols[1].metric("Blocks", len(details["blocks"]))
        cols[2].metric("Records", f"{details['records']:,}")
        st.dataframe(pd.DataFrame(details["blocks"]), hide_index=True, width="stretch")
        st.caption(f"Sync marker `{details['sync_marker']}`")
        if details.get("metadata"):
            st.json(details["metadata"], expanded=False)
    st.dataframe(pd.DataFrame(found.details.get("fields", [])), hide_index=True, width="stretch")
    if details.get("evolution"):
        st.dataframe(pd.DataFrame(details["evolution"]), hide_index=True, width="stretch")
