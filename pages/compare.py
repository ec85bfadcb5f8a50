"""Compare: the loaded data written in every format, with sizes, times, losses and charts."""

import streamlit as st

from formatlens.ui import charts, compare_view, state, views
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Compare")
loaded = state.current()
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to compare it across formats.")
    st.stop()
danger_banner(loaded)

st.caption(
    f"**{loaded.name}** written in every format: sizes raw and compressed, encode and decode "
    "time (median of 3), whether a schema was needed, and what each format lost."
)
frame = compare_view.measured(views.whole_value(loaded))
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    height=(len(frame) + 1) * 35 + 3,  # every format in view, no scrolling inside the table
    column_config={  # narrow numbers leave the losses room at 1366 px; "needed (inferred)" must not be cut
        "format": st.column_config.TextColumn(width=75),
        **{c: st.column_config.NumberColumn(width=65) for c in ("gzip", "zstd")},
        **{c: st.column_config.NumberColumn(width=80) for c in ("encode ms", "decode ms")},
        "bytes": st.column_config.NumberColumn(format="%d", width=65),
        "schema": st.column_config.TextColumn(width=130),
        "losses": st.column_config.TextColumn(width="medium"),
    },
)
compare_view.losses_list(loaded.document.value)

ok = frame.dropna(subset=["bytes"])
left, right = st.columns(2)
with left:
    st.subheader("Size per format")
    st.altair_chart(charts.size_bars(ok), width="stretch")
with right:
    st.subheader("Size vs decode time")
    st.altair_chart(charts.size_against_decode_time(ok), width="stretch")

st.subheader("Scale: the tutorial's users at 10 to 100,000 rows")
largest = st.select_slider("Up to", list(compare_view.SCALE), value=1_000, key=state.COMPARE_SCALE)
st.altair_chart(charts.growth_lines(compare_view.growth(largest)), width="stretch")
