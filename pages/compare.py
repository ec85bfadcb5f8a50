"""Compare: the loaded data written in every format, with sizes, times, losses and charts."""

import altair as alt
import pandas as pd
import streamlit as st

from formatlens.analysis.compare import as_rows, compare, sizes_at_scale
from formatlens.analysis.samples import users
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.state import CURRENT

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Compare")
loaded = st.session_state.get(CURRENT)
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to compare it across formats.")
    st.stop()
danger_banner(loaded)

st.caption(
    f"**{loaded.name}** written in every format: sizes raw and compressed, encode and decode "
    "time (median of 3), whether a schema was needed, and what each format lost."
)


@st.cache_data(show_spinner=False, max_entries=16)
def measured(key: str, _value) -> list[dict]:
    bar = st.progress(0.0, "Measuring…")
    rows = as_rows(compare(_value, progress=lambda i, n, name: bar.progress(i / n, f"Measuring {name}…")))
    bar.empty()
    return rows


digest = st.session_state["loaded"][0]  # content hash, format and schema: the cache key
frame = pd.DataFrame(measured(str(digest), loaded.document.value))
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    column_config={
        "bytes": st.column_config.NumberColumn(format="%d"),
        "losses": st.column_config.TextColumn(width="large"),
    },
)

ok = frame.dropna(subset=["bytes"])
left, right = st.columns(2)
with left:
    st.subheader("Size per format")
    long = ok.melt(id_vars="format", value_vars=["bytes", "gzip", "zstd"], var_name="encoding", value_name="size")
    st.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("size:Q", title="bytes"),
            y=alt.Y("format:N", sort="x", title=None),
            color=alt.Color("encoding:N", title=None),
            yOffset="encoding:N",
            tooltip=["format", "encoding", alt.Tooltip("size:Q", format=",")],
        ),
        width="stretch",
    )
with right:
    st.subheader("Size vs decode time")
    st.altair_chart(
        alt.Chart(ok)
        .mark_circle(size=140)
        .encode(
            x=alt.X("decode ms:Q", title="decode (ms)"),
            y=alt.Y("bytes:Q", title="bytes"),
            color=alt.Color("format:N", legend=None),
            tooltip=["format", "bytes", "decode ms", "encode ms"],
        )
        + alt.Chart(ok).mark_text(dx=8, align="left").encode(x="decode ms:Q", y="bytes:Q", text="format:N"),
        width="stretch",
    )

st.subheader("Scale: the tutorial's users at 10 to 100,000 rows")
largest = st.select_slider("Up to", [10, 100, 1_000, 10_000, 100_000], value=1_000, key="scale")
counts = [c for c in (10, 100, 1_000, 10_000, 100_000) if c <= largest]


@st.cache_data(show_spinner=False, max_entries=8)
def growth(counts: tuple[int, ...]) -> list[dict]:
    bar = st.progress(0.0, "Writing…")
    rows = sizes_at_scale(users, list(counts), progress=lambda i, n, what: bar.progress(i / n, f"Writing {what}…"))
    bar.empty()
    return rows


scaled = pd.DataFrame(growth(tuple(counts)))
st.altair_chart(
    alt.Chart(scaled)
    .mark_line(point=True)
    .encode(
        x=alt.X("rows:Q", scale=alt.Scale(type="log"), title="rows"),
        y=alt.Y("bytes:Q", scale=alt.Scale(type="log"), title="bytes"),
        color="format:N",
        tooltip=["format", "rows", alt.Tooltip("bytes:Q", format=",")],
    ),
    width="stretch",
)
