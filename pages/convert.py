"""Convert: the loaded data written in another format, with its options, a preview, the losses and a download."""

import streamlit as st

from formatlens.ui import convert_view as view
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.state import current

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Convert")
loaded = current()
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to convert it.")
    st.stop()
danger_banner(loaded)

info = view.pick_target(loaded)
result = view.convert(loaded, info)
if result is None:
    st.stop()
view.sizes_and_download(loaded, result, info)

# The losses first (they are the answer to "what did I lose?"), then the output at full width:
# a binary output is shown in the inspector, which needs the page's width for its three panes.
st.subheader("What the target could not hold")
view.losses(result)
st.page_link(
    "pages/diff.py",
    label="Diff the source and the converted data",
    icon=":material/difference:",
    query_params={"against": "converted", "target": info.name} | ({"sample": loaded.name} if loaded.is_sample else {}),
)
st.subheader("Preview")
view.preview(result)
