"""Schemas: infer one in every schema language, validate data against a schema, and Avro schema evolution."""

import json

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.schema_tools import evolution_table, inferred_schemas, validate
from formatlens.ui.state import CURRENT
from formatlens.ui.text import plain

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Schemas")
loaded = st.session_state.get(CURRENT)
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to infer or check its schema.")
    st.stop()
danger_banner(loaded)

value = loaded.document.value
st.subheader("Inferred from the data")
schemas, notes = inferred_schemas(value)
for note in notes:
    st.caption(f"• {plain(note)}")
for tab, (_language, (text, highlight)) in zip(st.tabs(list(schemas)), schemas.items()):
    with tab:
        st.code(text, language=highlight)

st.subheader("Validate the data against a schema")
kind = st.radio("Schema language", ["JSON Schema", "Avro"], horizontal=True, key="validate_kind")
default = schemas["JSON Schema" if kind == "JSON Schema" else "Avro"][0]
supplied = st.text_area("Schema", default, height=200, key=f"validate_schema_{kind}")
problems = validate(value, supplied, kind)
if problems is None:
    st.success("Every record is valid.")
else:
    st.error(f"{len(problems)} problem(s)")
    st.dataframe(pd.DataFrame(problems), hide_index=True, width="stretch")

st.subheader("Avro schema evolution")
writer = (
    loaded.document.schema.text
    if loaded.document.schema and loaded.document.schema.kind == "avro"
    else schemas["Avro"][0]
)
cols = st.columns(2)
writer_text = cols[0].text_area("Writer schema", writer, height=260, key=f"writer_{loaded.name}")
reader_text = cols[1].text_area(
    "Reader schema (edit: add a field with a default, drop one, widen int to long)",
    writer,
    height=260,
    key=f"reader_{loaded.name}",
)
try:
    rows, compatible = evolution_table(json.loads(writer_text), json.loads(reader_text))
except (ValueError, fl.FormatError) as exc:
    st.error(f"Not a valid Avro schema: {plain(exc)}")
else:
    (st.success if compatible else st.error)(
        "Compatible: the reader can read data written with the writer schema" if compatible else "Not compatible"
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
