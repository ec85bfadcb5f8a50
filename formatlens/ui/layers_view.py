"""The layers breadcrumb above the views: each wrapper peeled off the input, outermost first.

Clicking a layer whose bytes are the ones the inspector shows selects its range there
(through formatlens.ui.state.select); a layer in bytes the inspector does not show
(the base64 text around a gzip stream, the gzip stream around the JSON) opens a small
hexdump of those bytes under the breadcrumb. For a Confluent Schema Registry message,
a schema can be pasted for its id; the loader then decodes the payload with it.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import formatlens as fl
from formatlens.layers.registry import titles
from formatlens.layers.registry_client import registry_url
from formatlens.ui import state
from formatlens.ui.inspector import View, inspector, make_view
from formatlens.ui.text import plain


def breadcrumb(loaded) -> None:
    """The layers of what was loaded (nothing when it was not wrapped)."""
    document = loaded.document if loaded is not None else None
    if document is None or not document.layers:
        return
    names = titles()
    shown = st.session_state.get(state.SHOWN_LAYER)
    with st.container(horizontal=True, key=state.LAYERS_BAR, vertical_alignment="center"):
        st.markdown("**Layers**")
        for index, layer in enumerate(document.layers):
            st.button(
                f"{layer.kind} · {_size(layer.end - layer.start)}  ›",
                key=state.layer_button(index),
                help=names.get(layer.kind, layer.kind),
                type="primary" if shown == index else "secondary",
                on_click=_show,
                args=(document, index),
            )
        st.button(
            f"{document.format} · {_size(len(document.data))}",
            key=state.LAYER_INNER,
            help="the innermost bytes, decoded: what the views below show",
            type="primary" if shown is None else "secondary",
            on_click=_show_inner,
        )
    if shown is not None and shown < len(document.layers):
        _layer_panel(document, shown, names)
    confluent = next((layer for layer in document.layers if layer.kind == "confluent"), None)
    if confluent is not None:
        _schema_by_id(loaded, confluent)


def _size(count: int) -> str:
    return f"{count:,} B" if count < 10_000 else f"{count / 1024:,.0f} KiB"


def _show(document: fl.Document, index: int) -> None:
    st.session_state[state.SHOWN_LAYER] = index
    layer = document.layers[index]
    if document.in_data(layer):  # the inspector shows these bytes: select the layer's range there
        state.select(layer.start, layer.end, f"layer {index + 1}: {layer.kind}")


def _show_inner() -> None:
    st.session_state.pop(state.SHOWN_LAYER, None)


def _layer_panel(document: fl.Document, index: int, names: dict[str, str]) -> None:
    layer = document.layers[index]
    details = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in layer.details.items())
    st.caption(
        f"**Layer {index + 1}: {plain(names.get(layer.kind, layer.kind))}** — bytes "
        f"{layer.start:,}–{layer.end:,}" + (f" — {plain(details)}" if details else "")
    )
    if document.in_data(layer):
        st.caption("Its bytes are selected in the inspector below.")
        return
    # Bytes the inspector does not show: the text or stream this layer decoded.
    inspector(_layer_view(document, index), state.layer_inspector(index))


def _layer_view(document: fl.Document, index: int) -> View:
    """The inspector's view of the bytes layer ``index`` is read from, made once per document and layer."""
    views = document.__dict__.setdefault("_layer_views", {})
    if index not in views:
        layer = document.layers[index]
        data = document.layer_bytes(index)
        views[index] = make_view(data, [_moved(span, -layer.start) for span in layer.spans], None)
    return views[index]


def _moved(span: fl.Span, offset: int) -> fl.Span:
    return fl.Span(
        span.start + offset,
        span.end + offset,
        span.kind,
        span.label,
        span.path,
        tuple(_moved(child, offset) for child in span.children),
    )


def _schema_by_id(loaded, layer: fl.Layer) -> None:
    schema_id = layer.details.get("schema_id")
    source = layer.details.get("schema_source")
    title = f"Schema for id {schema_id}"
    if source == "registry":
        title += " (fetched from the schema registry)"
    elif source == "supplied":
        title += " (the one you gave)"
    with st.expander(title, expanded=source is None):
        if source is None:
            where = "the registry does not have it" if registry_url() else "no schema registry is configured"
            st.caption(
                f"The payload was decoded without its schema ({where}). Paste the .proto or .avsc "
                f"registered under id {schema_id} to decode it with names and types."
            )
        text = st.text_area(".proto or .avsc", key=state.SCHEMA_BY_ID_TEXT, height=140)
        if st.button("Decode with this schema", key=state.SCHEMA_BY_ID_APPLY, disabled=not text):
            st.session_state[state.SCHEMA_BY_ID] = {"input": digest(loaded.data), "id": schema_id, "schema": text}
            st.rerun()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def with_schema_by_id(data: bytes, options: dict) -> dict:
    """The loader's decode options, with the schema given for this input's Confluent id (if any)."""
    given = st.session_state.get(state.SCHEMA_BY_ID)
    if not given or given["input"] != digest(data) or "schema" in options:
        return options
    return {**options, "schema": given["schema"]}
