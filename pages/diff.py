"""Diff: the loaded data against a second input (or its own conversion): changes, schema verdict, bytes."""

import streamlit as st

import formatlens as fl
from formatlens.ui import diff_view
from formatlens.ui.router import through_app
from formatlens.ui.state import CURRENT, DIFF_KEY, DIFF_STRICT
from formatlens.ui.text import plain

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Diff")
first = st.session_state.get(CURRENT)
if first is None or first.document is None:
    st.info("Load something that decodes (sidebar): it is the first input (a) of the comparison.")
    st.stop()

left, right = st.columns([3, 2])
with left.container(border=True):
    st.markdown(f"**a**: {plain(first.name)} ({first.format}, {len(first.data):,} bytes), from the sidebar")
    st.markdown("**b**:")
    second = diff_view.second_input(first)
with right.container(border=True):
    key = st.text_input("Align records by key", key=DIFF_KEY, placeholder="id (blank: by position)")
    strict = st.toggle("Strict: report type changes too (1 vs 1.0, a date vs its text)", key=DIFF_STRICT)

if second is None:
    st.info("Choose the second input (b).")
    st.stop()
if second.document is None:
    diff_view.b_error(second)
    st.stop()

try:
    result = diff_view.computed(first.document, second.document, key.strip(), strict)
except fl.FormatError as exc:  # a limit (nesting too deep to compare)
    st.error(f"**Could not compare:** {plain(exc)}")
    st.stop()
diff_view.verdict(result)
diff_view.schema_verdict(result)

records, table, raw = st.tabs(["Side by side", "Changes", "Bytes"])
with records:
    diff_view.side_by_side(result)
with table:
    diff_view.changes_table(result)
with raw:
    diff_view.bytes_view(result)
