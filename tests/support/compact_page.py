"""A bare page with one compact inspector that asks for its data inspector (tests/browser/test_compact_inspector.py).

No page of the app asks for it yet; this is where the option is seen working. Run with PYTHONPATH at the root.
"""

import streamlit as st

from formatlens.analysis.samples import read_sample
from formatlens.core.api import load
from formatlens.ui import state
from formatlens.ui.inspector import Compact, View, inspector, make_view, select_in

KEYS = state.inspector_keys("compact_page")


@st.cache_resource
def _view() -> View:
    data = read_sample("users.bson")
    document = load(data, "bson")
    return make_view(data, document.spans, document.value)


if KEYS.seq not in st.session_state:
    select_in(KEYS, 0, 4, "the document length")
inspector(_view(), KEYS, Compact(data_inspector=True))
