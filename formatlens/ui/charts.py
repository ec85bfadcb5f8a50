"""The Compare page's charts (Vega-Lite through Altair): each takes the measurement rows and returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd


def size_bars(measured: pd.DataFrame) -> alt.Chart:
    """Bytes per format, raw, gzip and zstd side by side, smallest first."""
    long = measured.melt(id_vars="format", value_vars=["bytes", "gzip", "zstd"], var_name="encoding", value_name="size")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("size:Q", title="bytes"),
            y=alt.Y("format:N", sort="x", title=None),
            color=alt.Color("encoding:N", title=None),
            yOffset="encoding:N",
            tooltip=["format", "encoding", alt.Tooltip("size:Q", format=",")],
        )
    )


def size_against_decode_time(measured: pd.DataFrame) -> alt.LayerChart:
    """One labelled point per format: decode time across, size up."""
    points = (
        alt.Chart(measured)
        .mark_circle(size=140)
        .encode(
            x=alt.X("decode ms:Q", title="decode (ms)"),
            y=alt.Y("bytes:Q", title="bytes"),
            color=alt.Color("format:N", legend=None),
            tooltip=["format", "bytes", "decode ms", "encode ms"],
        )
    )
    labels = alt.Chart(measured).mark_text(dx=8, align="left").encode(x="decode ms:Q", y="bytes:Q", text="format:N")
    return points + labels


def growth_lines(scaled: pd.DataFrame) -> alt.Chart:
    """Bytes against rows per format, both axes logarithmic."""
    return (
        alt.Chart(scaled)
        .mark_line(point=True)
        .encode(
            x=alt.X("rows:Q", scale=alt.Scale(type="log"), title="rows"),
            y=alt.Y("bytes:Q", scale=alt.Scale(type="log"), title="bytes"),
            color="format:N",
            tooltip=["format", "rows", alt.Tooltip("bytes:Q", format=",")],
        )
    )
