"""Pickle lab: protocols, safety, restricted loading, signed payloads and .pyc files. Nothing here runs a payload."""

import streamlit as st

from formatlens.ui import pickle_lab_view as view
from formatlens.ui.banner import danger_banner
from formatlens.ui.router import through_app
from formatlens.ui.state import current

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Pickle lab")
st.caption(
    "The seed tutorial's pickle sections, made visible. Every pickle here is read by formatlens's own "
    "reader, which never imports or calls anything named in it."
)
loaded = current()
data, name, is_loaded = view.subject(loaded)
danger_banner(loaded if is_loaded else None)

protocols, safety, restricted, signed, pyc = st.tabs(view.TABS)
with protocols:
    view.protocols_tab()
with safety:
    view.safety_tab(data, name)
with restricted:
    view.restricted_tab(data)
with signed:
    view.signed_tab(data)
with pyc:
    view.pyc_tab()
