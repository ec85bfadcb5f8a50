"""The Schemas page's sections: validation against a schema, and Avro schema evolution (logic: schema_tools)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.ui import state
from formatlens.ui.schema_tools import evolution_table, validate
from formatlens.ui.text import plain


def validation(value: Any, schemas: dict[str, tuple[str, str]]) -> None:
    """Validate the data against a JSON Schema or Avro schema (the inferred one to start from)."""
    kind = st.radio("Schema language", ["JSON Schema", "Avro"], horizontal=True, key=state.VALIDATE_KIND)
    default = schemas["JSON Schema" if kind == "JSON Schema" else "Avro"][0]
    supplied = st.text_area("Schema", default, height=200, key=state.validate_schema(kind))
    problems = validate(value, supplied, kind)
    if problems is None:
        st.success("Every record is valid.")
    else:
        st.error(f"{len(problems)} problem(s)")
        st.dataframe(pd.DataFrame(problems), hide_index=True, width="stretch")


def evolution(loaded: Any, schemas: dict[str, tuple[str, str]]) -> None:
    """A writer and an editable reader schema, compared field by field."""
    schema = loaded.document.schema
    writer = schema.text if schema and schema.kind == "avro" else schemas["Avro"][0]
    cols = st.columns(2)
    writer_text = cols[0].text_area("Writer schema", writer, height=260, key=state.evolution_writer(loaded.name))
    reader_text = cols[1].text_area(
        "Reader schema (edit: add a field with a default, drop one, widen int to long)",
        writer,
        height=260,
        key=state.evolution_reader(loaded.name),
    )
    try:
        rows, compatible = evolution_table(json.loads(writer_text), json.loads(reader_text))
    except (ValueError, fl.FormatError) as exc:
        st.error(f"Not a valid Avro schema: {plain(exc)}")
        return
    (st.success if compatible else st.error)(
        "Compatible: the reader can read data written with the writer schema" if compatible else "Not compatible"
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
