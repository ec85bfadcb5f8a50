"""Make every page run through app.py's router, even when a link opens it first.

Streamlit treats a folder named pages/ beside the entry point as an old-style
(v1) multipage folder until some session runs st.navigation. So on a freshly
started server, a shared link such as /convert?sample=users.json would run
pages/convert.py on its own, without app.py's sidebar and loader. A page that
finds itself run that way switches the server to st.navigation and reruns,
which then goes through app.py and lands on the same page.
"""

from __future__ import annotations

import streamlit as st


def through_app() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
