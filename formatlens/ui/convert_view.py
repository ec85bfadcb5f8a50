"""Widgets for the Convert page: a target's options, and a preview of the output."""

from __future__ import annotations

from typing import Any

import streamlit as st

import formatlens as fl
from formatlens.convert.options import encode_options
from formatlens.ui.hexview import hex_view

LABELS = {"\t": "tab", "\r\n": "CRLF (\\r\\n)", "\n": "LF (\\n)", None: "none (one line)", 0: "0"}


def option_widgets(target: str) -> dict:
    values: dict[str, Any] = {}
    options = encode_options(target)
    if not options:
        return values
    cols = st.columns(min(len(options), 4))
    for index, option in enumerate(options):
        column = cols[index % len(cols)]
        key = f"opt_{target}_{option.name}"
        label = option.name.replace("_", " ")
        if option.choices:
            choices = list(option.choices)
            values[option.name] = column.selectbox(
                label,
                choices,
                index=choices.index(option.default) if option.default in choices else 0,
                key=key,
                format_func=lambda v: LABELS.get(v, str(v)),
            )
        elif isinstance(option.default, bool):
            values[option.name] = column.toggle(label, option.default, key=key)
        elif option.name == "row_group_size":
            size = column.number_input("rows per row group (0 = one group)", 0, 10_000_000, 0, step=1000, key=key)
            values[option.name] = size or None
        elif isinstance(option.default, int):
            values[option.name] = column.number_input(label, value=option.default, key=key)
        elif isinstance(option.default, str):
            values[option.name] = column.text_input(label, option.default, key=key)
    return values


def preview(result: fl.Conversion) -> None:
    info = fl.formats()
    textual = next(i.traits.textual for i in info if i.name == result.format)
    if textual:
        text = result.data[:20_000].decode("utf-8", "replace")
        language = {"json": "json", "yaml": "yaml", "xml": "xml"}.get(result.format, "text")
        st.code(text + ("\n…" if len(result.data) > 20_000 else ""), language=language)
    else:
        document = fl.load(
            result.data,
            result.format,
            **({"schema": result.schema.text} if result.format == "protobuf" and result.schema else {}),
        )
        hex_view(result.data, document.spans, 0, key="convert_hex")
