"""Session-state keys shared by the pages, and the selection that links the views to the inspector's bytes."""

from __future__ import annotations

import streamlit as st

from formatlens.render.hexdump import page_of

CURRENT = "current"
"""The Loaded input (formatlens.ui.loader.Loaded) of this session."""
SELECTION = "selection"
"""(start, end, label) of the selected bytes (end exclusive). Read it with selection(); change it with select()."""
SELECTION_SEQ = "selection_seq"
"""Counts select() calls: the inspector moves the browser's selection when it changes."""
HEX_PAGE = "hex_page"
SHOWN_ITEMS = "tree_items"
INPUT_CHANGED = "input_changed"
"""True for the run in which the person loaded something new (not the first load of a session)."""


def select(start: int, end: int, label: str) -> None:
    """Select bytes ``start``..``end`` from any view (a finding, a layer, a path): the inspector
    selects them in the browser, scrolls the hexdump there and reveals their node."""
    st.session_state[SELECTION] = (start, end, label)
    st.session_state[SELECTION_SEQ] = st.session_state.get(SELECTION_SEQ, 0) + 1
    st.session_state[HEX_PAGE] = page_of(start)


def selection() -> tuple[int, int, str] | None:
    return st.session_state.get(SELECTION)


def forget_view() -> None:
    """A new input: nothing selected, first page, a short tree."""
    for key in (SELECTION, HEX_PAGE, SHOWN_ITEMS, "_inspector_found"):
        st.session_state.pop(key, None)
