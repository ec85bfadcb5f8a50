"""Rendering helpers for the Inspect page: header metrics, findings, tree, spans, schema."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.convert.adapt import to_jsonable
from formatlens.convert.schema_tree import field_tree
from formatlens.core.limits import current
from formatlens.render import words
from formatlens.render.hexdump import flatten, innermost_span, page_count, page_of
from formatlens.render.preview import truncate
from formatlens.ui import state
from formatlens.ui.hexview import hex_view
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
    cols[2].metric("Detection confidence", f"{loaded.confidence:.0%}")
    cols[3].metric("Findings", words.findings_in_words(findings))
    if document is not None:
        st.caption(f"**{plain(loaded.name)}** — {_shape(document)}")


def _shape(document: fl.Document) -> str:
    value = document.value
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value[:100]):
        columns = len(dict.fromkeys(k for row in value[:1000] for k in row))
        return f"{len(value):,} rows × {columns} columns"
    if isinstance(value, dict):
        return f"object of {len(value):,} keys"
    if isinstance(value, list):
        return f"list of {len(value):,} items"
    return type(value).__name__


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
        st.caption("The offending byte is outlined in red.")
        hex_view(loaded.data, [], page_of(error.offset), error_offset=error.offset, key="error_hex")


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
                key=f"finding_{index}",
                on_click=state.select,
                args=(finding.span.start, finding.span.end, finding.span.label),
            )


def tree(document: fl.Document) -> None:
    shown = st.session_state.get(state.SHOWN_ITEMS, current().max_tree_items)
    st.json(memo(document, f"tree{shown}", lambda: truncate(document.value, shown)), expanded=2)
    cols = st.columns([1, 3])
    if cols[0].button("Show more", key="tree_more", help="Show four times as many items per list"):
        st.session_state[state.SHOWN_ITEMS] = shown * 4
        st.rerun()
    cols[1].caption(f"Showing up to {shown:,} items per list or object.")


def node_picker(document: fl.Document) -> None:
    """Pick a node of the value by its path: its bytes are selected in the hexdump."""
    rows = memo(document, "flat5000", lambda: flatten(document.spans, 5000))
    paths = memo(document, "paths", lambda: list(dict.fromkeys(row.path for row in rows if row.path)))
    if not paths:
        return

    def chosen() -> None:
        path = st.session_state.get("node_path")
        if not path:
            return
        target = next((row for row in rows if row.path == path), None)
        if target is not None:
            state.select(target.start, target.end, target.label)

    st.selectbox(
        "Find a node's bytes",
        ["", *paths[:2000]],
        key="node_path",
        on_change=chosen,
        format_func=lambda p: p or "choose a path…",
    )


def table(document: fl.Document) -> None:
    rows = document.value
    if len(rows) > current().max_table_rows:
        st.caption(f"The first {current().max_table_rows:,} of {len(rows):,} rows.")
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
    value = document.value
    return isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value[:50])


def hexdump(loaded) -> None:
    document = loaded.document
    spans = document.spans
    pages = page_count(len(loaded.data))
    left, right = st.columns([2, 1], gap="medium")
    with left:
        controls = st.columns([1, 1, 2])
        page = st.session_state.get(state.HEX_PAGE, 0)
        chosen_page = controls[0].number_input(f"Page (of {pages})", 1, pages, page + 1, key=f"page_{page}") - 1
        if chosen_page != page:
            st.session_state[state.HEX_PAGE] = page = chosen_page
        goto = controls[1].text_input("Go to offset", key="goto", placeholder="0x1f0 or 496")
        if goto:
            try:
                offset = int(goto, 0)
                page = page_of(offset)
                st.session_state[state.HEX_PAGE] = page
            except ValueError:
                controls[1].caption("an offset like 0x1f0 or 496")
        selected = state.selection()
        if selected:
            controls[2].markdown(
                f"**Selected:** {plain(selected[2])}  \n`{selected[0]:,}`–`{selected[1]:,}` "
                f"({selected[1] - selected[0]:,} bytes)"
            )
        clicked = hex_view(loaded.data, spans, page, selected=selected[:2] if selected else (-1, -1), key="hexview")
        if clicked is not None:
            span = innermost_span(spans, clicked)
            if span is not None and (not selected or (span.start, span.end) != selected[:2]):
                state.select(span.start, span.end, span.label)
                st.rerun()
    with right:
        span_table(document)


def span_table(document: fl.Document) -> None:
    rows = memo(document, "flat20000", lambda: flatten(document.spans, 20_000))
    frame = memo(
        document,
        "span_frame",
        lambda: pd.DataFrame(
            {
                "offset": [r.start for r in rows],
                "length": [r.length for r in rows],
                "kind": [r.kind for r in rows],
                "label": ["· " * r.depth + r.label for r in rows],
                "path": [r.path for r in rows],
            }
        ),
    )

    def picked() -> None:
        chosen = st.session_state["span_table"].selection.rows
        if chosen:
            row = rows[chosen[0]]
            state.select(row.start, row.end, row.label)

    st.caption(
        f"{len(rows):,} spans" + (" (first 20,000)" if len(rows) == 20_000 else "") + " — select a row to see its bytes"
    )
    st.dataframe(
        frame,
        key="span_table",
        on_select=picked,
        selection_mode="single-row",
        hide_index=True,
        height=560,
        width="stretch",
        column_config={"label": st.column_config.TextColumn(width="large")},
    )


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
