"""Schemas: infer one in every schema language, validate data against a schema, and Avro schema evolution."""

import streamlit as st

from formatlens.ui import schemas_view as view
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.schema_tools import inferred_schemas
from formatlens.ui.state import current
from formatlens.ui.text import plain
from formatlens.ui.views import whole_value

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Schemas")
loaded = current()
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to infer or check its schema.")
    st.stop()
danger_banner(loaded)

value = whole_value(loaded)
st.subheader("Inferred from the data")
schemas, notes = inferred_schemas(value)
for note in notes:
    st.caption(f"• {plain(note)}")
for tab, (_language, (text, highlight)) in zip(st.tabs(list(schemas)), schemas.items()):
    with tab:
        st.code(text, language=highlight)

st.subheader("Validate the data against a schema")
view.validation(value, schemas)

st.subheader("Avro schema evolution")
view.evolution(loaded, schemas)
