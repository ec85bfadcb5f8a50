"""The Compare page's measurements, cached and with progress bars (the charts are in ui/charts.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from formatlens.analysis.compare import as_rows, compare, sizes_at_scale
from formatlens.analysis.samples import users
from formatlens.ui import state

SCALE = (10, 100, 1_000, 10_000, 100_000)
"""Row counts the scale control offers (the tutorial's users)."""


def _progress_bar(verb: str) -> tuple[Any, Callable[[int, int, str], None]]:
    """A progress bar and the callback that moves it ("Measuring json…")."""
    bar = st.progress(0.0, f"{verb}…")

    def advance(done: int, total: int, what: str) -> None:
        bar.progress(done / total, f"{verb} {what}…")

    return bar, advance


@st.cache_data(show_spinner=False, max_entries=16)
def _measured(key: str, _value: Any) -> list[dict]:
    bar, advance = _progress_bar("Measuring")
    rows = as_rows(compare(_value, progress=advance))
    bar.empty()
    return rows


def measured(value: Any) -> pd.DataFrame:
    """The loaded value written in every format (sizes, times, losses), once per loaded input."""
    return pd.DataFrame(_measured(str(state.loaded_key()), value))  # content hash, format, schema: the cache key


@st.cache_data(show_spinner=False, max_entries=8)
def _growth(counts: tuple[int, ...]) -> list[dict]:
    bar, advance = _progress_bar("Writing")
    rows = sizes_at_scale(users, list(counts), progress=advance)
    bar.empty()
    return rows


def growth(largest: int) -> pd.DataFrame:
    """Bytes per format for the tutorial's users at each scale up to ``largest`` rows."""
    return pd.DataFrame(_growth(tuple(c for c in SCALE if c <= largest)))
