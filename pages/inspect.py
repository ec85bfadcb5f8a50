"""Inspect: what was loaded in the inspector (structure, bytes, data inspector), a table, its schema and findings."""

import streamlit as st

from formatlens.ui import layers_view, state, views
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.state import CURRENT

through_app()  # a link opened first on a fresh server still goes through app.py

loaded = st.session_state.get(CURRENT)
st.title("Inspect")
if loaded is None:
    st.info("Pick a sample, upload a file or paste data in the sidebar.")
    st.stop()

danger_banner(loaded)
views.metrics(loaded)
layers_view.breadcrumb(loaded)
if loaded.error is not None:
    views.error_panel(loaded)
    st.stop()

document = loaded.document
tab_names = ["Structure and bytes", "Schema", f"Findings ({len(document.findings)})"]
tabular = views.is_tabular(document)
if tabular:
    tab_names.insert(1, "Table")
# Only the open tab runs (on_change="rerun"): a first view of a large input pays for the inspector only.
tabs = dict(zip(tab_names, st.tabs(tab_names, key=state.INSPECT_TAB, on_change="rerun")))
if tabs["Structure and bytes"].open:
    with tabs["Structure and bytes"]:
        views.instrument(loaded)
if tabular and tabs["Table"].open:
    with tabs["Table"]:
        views.table(document)
if tabs["Schema"].open:
    with tabs["Schema"]:
        views.schema(document)
if tabs[tab_names[-1]].open:
    with tabs[tab_names[-1]]:
        views.findings_list(document)
