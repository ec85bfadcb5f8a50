"""The Compare page's measurements, cached and with progress bars (the charts are in ui/charts.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from formatlens.analysis.compare import as_rows, compare, sizes_at_scale
from formatlens.analysis.samples import users
from formatlens.ui import state
from formatlens.ui.text import plain

SCALE = (10, 100, 1_000, 10_000, 100_000)
"""Row counts the scale control offers (the tutorial's users)."""


def _progress_bar(verb: str) -> tuple[Any, Callable[[int, int, str], None]]:
    """A progress bar and the callback that moves it ("Measuring json…")."""
    bar = st.progress(0.0, f"{verb}…")

    def advance(done: int, total: int, what: str) -> None:
        bar.progress(done / total, f"{verb} {what}…")

    return bar, advance


@st.cache_data(show_spinner=False, max_entries=16)
def _measured(key: str, _value: Any) -> tuple[list[dict], dict[str, list[str]]]:
    bar, advance = _progress_bar("Measuring")
    measurements = compare(_value, progress=advance)
    bar.empty()
    lost = {m.format: list(m.losses) if m.error is None else [f"cannot hold it: {m.error}"] for m in measurements}
    rows = as_rows(measurements)
    for row in rows:  # the sentences are listed under the table: a table cell cuts them at 1366 px
        sentences = lost[row["format"]]
        if row["losses"].startswith("cannot hold it"):
            row["losses"] = "cannot hold it (below)"
        else:
            row["losses"] = f"{len(sentences)}, listed below" if sentences else "none"
    return rows, lost


def measured(value: Any) -> pd.DataFrame:
    """The loaded value written in every format (sizes, times, how many losses), once per loaded input."""
    return pd.DataFrame(_measured(str(state.loaded_key()), value)[0])  # content hash, format, schema: the cache key


def losses_list(value: Any) -> None:
    """What each format could not hold, one sentence per line (from the same measurement as the table)."""
    lost = {name: sentences for name, sentences in _measured(str(state.loaded_key()), value)[1].items() if sentences}
    if not lost:
        st.success("Every format holds this data exactly.")
        return
    st.markdown("**What each format could not hold**")
    lines = []
    for name, sentences in lost.items():
        lines.append(f"- **{plain(name)}**")
        lines.extend(f"    - {plain(sentence)}" for sentence in sentences)
    st.markdown("\n".join(lines))


@st.cache_data(show_spinner=False, max_entries=8)
def _growth(counts: tuple[int, ...]) -> list[dict]:
    bar, advance = _progress_bar("Writing")
    rows = sizes_at_scale(users, list(counts), progress=advance)
    bar.empty()
    return rows


def growth(largest: int) -> pd.DataFrame:
    """Bytes per format for the tutorial's users at each scale up to ``largest`` rows."""
    return pd.DataFrame(_growth(tuple(c for c in SCALE if c <= largest)))
