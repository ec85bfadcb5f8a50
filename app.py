"""formatlens: the Streamlit entry point. It owns the page config, the sidebar loader and the router."""

from pathlib import Path

import streamlit as st

from formatlens.ui.loader import sidebar_loader
from formatlens.ui.state import CURRENT, INPUT_CHANGED

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="formatlens", page_icon="🔍", layout="wide")
st.session_state[CURRENT] = sidebar_loader()
inspect = st.Page(PAGES / "inspect.py", title="Inspect", default=True)
page = st.navigation(
    [
        inspect,
        st.Page(PAGES / "convert.py", title="Convert"),
        st.Page(PAGES / "schemas.py", title="Schemas"),
        st.Page(PAGES / "compare.py", title="Compare"),
        st.Page(PAGES / "diff.py", title="Diff"),
        st.Page(PAGES / "guide.py", title="Format guide"),
        st.Page(PAGES / "pickle_lab.py", title="Pickle lab"),
        st.Page(PAGES / "tour.py", title="Tour"),
    ]
)
if st.session_state.pop(INPUT_CHANGED, False) and page.url_path != inspect.url_path:
    st.switch_page(inspect)  # after a new load the person sees what was decoded
page.run()
