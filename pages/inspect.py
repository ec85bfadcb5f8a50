"""Inspect: what was loaded, as findings, a value tree, byte spans and a hexdump."""

import json

import pandas as pd
import streamlit as st

from formatlens.adapt import to_jsonable
from formatlens.ui.hexdump import hexdump_lines

loaded = st.session_state.get("current")
st.title("Inspect")
if loaded is None:
    st.info("Pick a sample, upload a file or paste data in the sidebar.")
    st.stop()

confidence = dict(loaded.ranking).get(loaded.document.format if loaded.document else "", 0.0)
cols = st.columns(4)
cols[0].metric("Format", loaded.document.format if loaded.document else "—")
cols[1].metric("Size", f"{len(loaded.data):,} bytes")
cols[2].metric("Detection confidence", f"{confidence:.0%}")
cols[3].metric("Findings", len(loaded.document.findings) if loaded.document else 0)

if loaded.error is not None:
    error = loaded.error
    st.error(
        f"**{error.message}**"
        + (f" at byte {error.offset:,}" if error.offset is not None else "")
        + (f"\n\n{error.hint}" if error.hint else "")
    )
    if error.offset is not None:
        st.code("\n".join(hexdump_lines(loaded.data, max(0, error.offset - 64), 160)), language=None)
    st.stop()

document = loaded.document
for finding in document.findings:
    {"danger": st.error, "warning": st.warning, "info": st.info}[finding.severity](finding.message)

value_tab, spans_tab, hex_tab = st.tabs(["Value", "Byte spans", "Hexdump"])
with value_tab:
    st.json(json.loads(json.dumps(to_jsonable(document.value))), expanded=2)
with spans_tab:
    rows = [
        {
            "offset": s.start,
            "length": s.end - s.start,
            "kind": s.kind,
            "label": s.label,
            "path": "/".join(map(str, s.path)),
        }
        for s in document.spans[:2000]
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
with hex_tab:
    st.code("\n".join(hexdump_lines(document.data, 0, 1024)), language=None)
