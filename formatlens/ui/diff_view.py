"""The Diff page's Streamlit parts: the second input, the verdict, side-by-side records, the table, the bytes.

The second input comes from the loader's own widgets (``pick_source`` and
``schema_inputs`` with the "diff_" key prefix) and is decoded in the worker
pool like the first, once per content, format and schema.
"""

from __future__ import annotations

import hashlib
import html

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.analysis.bytediff import ByteDiff
from formatlens.convert.identity import source_losses
from formatlens.render.diff_lines import side_lines, value_at
from formatlens.render.diff_report import change_row
from formatlens.ui import state
from formatlens.ui.inspector import Compact, inspector, select_in
from formatlens.ui.loader import AUTO, Loaded, decode, pick_source, schema_inputs
from formatlens.ui.text import plain
from formatlens.ui.views import bug_panel, document_view, refusal_view, whole_value

OTHER = "Another input"
CONVERTED = "The first input, converted"
MAX_TABLE_ROWS = 5000
MAX_GROUPS = 20
COLORS = {"added": "#d3f9d8", "removed": "#ffe3e3", "changed": "#fff3bf", "type": "#d0ebff"}


def second_input(first: Loaded) -> Loaded | None:
    """Draw the second input's choices and return it decoded (cached in the session)."""
    if st.query_params.get("against") == "converted" and state.DIFF_AGAINST not in st.session_state:
        st.session_state[state.DIFF_AGAINST] = CONVERTED
    against = st.radio("Compare with", [OTHER, CONVERTED], key=state.DIFF_AGAINST, horizontal=True)
    losses: list[str] = []
    fmt: str | None
    assert first.document is not None  # the page asks only for an input that decoded
    if against == CONVERTED:
        names = [info.name for info in fl.formats()]
        wanted = st.query_params.get("target")
        if state.DIFF_TARGET not in st.session_state:
            st.session_state[state.DIFF_TARGET] = wanted if wanted in names else "yaml"
        target = st.selectbox("Converted to", names, key=state.DIFF_TARGET)
        try:
            conversion = fl.convert_value(whole_value(first), target, source_format=first.format or "python")
        except fl.FormatError as exc:
            st.error(f"**{first.format} → {target} is not possible:** {plain(exc)}")
            return None
        losses = [*source_losses(first.document), *conversion.losses]  # as Convert lists them
        name, data, is_sample, fmt, options = f"converted.{target}", conversion.data, False, target, {}
        if conversion.schema is not None and target in ("avro", "protobuf"):
            options = {"schema": conversion.schema.text}
            if target == "protobuf":
                options["message"] = "formatlens.inferred.Record"
    else:
        source = pick_source(st, prefix=state.DIFF_PREFIX, default_sample=_partner(first.name))
        if source is None:
            return None
        name, data, is_sample = source
        ranking = fl.detect(data, name)
        choices = [AUTO, *(info.name for info in fl.formats())]
        forced = st.selectbox("Format", choices, key=state.DIFF_FORMAT)
        fmt = None if forced == AUTO else forced
        if ranking:
            st.caption("Detected: " + ", ".join(f"**{f}** {s:.0%}" for f, s in ranking[:3]))
        options = schema_inputs(fmt or (ranking[0][0] if ranking else ""), name, is_sample, st, state.DIFF_PREFIX)
    if losses:
        with st.expander(f"What the conversion lost ({len(losses)}): the changes below show where"):
            for loss in losses:
                st.caption(plain(loss))
    key = (hashlib.sha256(data).hexdigest(), fmt, hashlib.sha256(str(options).encode()).hexdigest())
    cached = st.session_state.get(state.DIFF_B)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        document, error = decode(data, fmt, name, options), None
    except (fl.FormatError, fl.InternalError) as exc:  # a bug is shown as one (b_error)
        document, error = None, exc
    loaded = Loaded(name, data, fl.detect(data, name), document, error, is_sample)
    st.session_state[state.DIFF_B] = (key, loaded)
    st.session_state.pop(state.DIFF_FOCUS, None)
    return loaded


def b_error(second: Loaded) -> None:
    """Why b did not decode: the message, and b's bytes in a small inspector of their own (Inspect's is
    the sidebar input's): what was read before the error, the offending byte outlined and selected."""
    error = second.error
    if isinstance(error, fl.InternalError):
        bug_panel(error)
        return
    assert error is not None
    where = f" at byte {error.offset:,}" if error.offset is not None else ""
    st.error(
        f"**Could not read b as {error.format or 'any format'}{where}:** {plain(error.message)}"
        + (f"\n\nHint: {plain(error.hint)}" if error.hint else "")
    )
    if error.offset is not None:
        keys = state.DIFF_ERROR_INSPECTOR
        view = second.__dict__.get("_inspector")
        if view is None:  # once per b (b is kept in the session): reruns keep the browser's place
            view = second.__dict__["_inspector"] = refusal_view(second.data, error)
            end = min(error.offset + 1, len(second.data))
            if end > error.offset:
                select_in(keys, error.offset, end, "the offending byte")
        st.caption("b's bytes: what was read before the error, and the offending byte, outlined in red and selected.")
        inspector(view, keys, Compact())


def _partner(name: str) -> str:
    """The sample to offer first: the same data in another format (users.json -> users.yaml)."""
    stem, _, ext = name.rpartition(".")
    return f"{stem}.yaml" if ext != "yaml" else f"{stem}.json"


def computed(a: fl.Document, b: fl.Document, key: str | None, strict: bool) -> fl.Diff:
    """fl.diff of the two documents, once per pair and options."""
    cache_key = (id(a), id(b), key, strict)
    cached = st.session_state.get(state.DIFF_RESULT)
    if cached is not None and cached[0] == cache_key:
        return cached[1]
    with st.spinner("Comparing…"):
        result = fl.diff(a, b, key=key or None, strict=strict)
    st.session_state[state.DIFF_RESULT] = (cache_key, result)
    return result


def verdict(result: fl.Diff) -> None:
    counts = result.counts()
    cols = st.columns([1.6, 1, 1, 1, 1])  # "1,234 changes" in full at 1366 px
    cols[0].metric("Verdict", "Equal" if result.equal else f"{len(result.changes):,} changes")
    for col, kind in zip(cols[1:], ("added", "removed", "changed", "type")):
        col.metric(kind.capitalize(), f"{counts[kind]:,}")
    if result.truncated:
        st.warning(f"Stopped after {len(result.changes):,} changes: these inputs differ almost everywhere.")
    for note in result.notes:
        st.caption(f"Note: {plain(note)}")


def schema_verdict(result: fl.Diff) -> None:
    comparison = result.schema
    if comparison is None:
        return
    st.subheader(f"Schema compatibility ({comparison.kind})")
    explained = {
        "FULL": "FULL: each schema reads data written with the other.",
        "BACKWARD": "BACKWARD: the new schema reads old data; the old schema cannot read new data.",
        "FORWARD": "FORWARD: the old schema reads new data; the new schema cannot read old data.",
        "NONE": "NONE: neither direction is safe.",
    }[comparison.verdict]
    (st.success if comparison.full else st.warning if comparison.verdict != "NONE" else st.error)(explained)
    if comparison.first_breaking is not None:
        first = comparison.first_breaking
        st.markdown(f"First breaking change ({first.direction}): `{plain(first.path)}`: {plain(first.message)}")
    if comparison.changes:
        st.dataframe(pd.DataFrame(comparison.changes).astype(str), hide_index=True, width="stretch")


def _groups(result: fl.Diff) -> list[tuple[tuple | None, tuple | None, dict, dict]]:
    """Changes grouped by the top-level item they are in: (root in a, root in b, marks in a, marks in b)."""
    groups: dict[tuple, tuple[tuple | None, tuple | None, dict, dict]] = {}
    for change in result.changes:
        in_a = None if change.kind == "added" else (change.path_a or change.path)
        in_b = None if change.kind == "removed" else change.path
        depth_a, depth_b = len(result.root_a) + 1, len(result.root_b) + 1
        root_a = in_a[:depth_a] if in_a is not None else None
        root_b = in_b[:depth_b] if in_b is not None else None
        entry = groups.setdefault((root_a, root_b), (root_a, root_b, {}, {}))
        if in_a is not None:
            entry[2][in_a] = change.kind
        if in_b is not None:
            entry[3][in_b] = change.kind
        if len(groups) > MAX_GROUPS:
            groups.pop((root_a, root_b))
            break
    return list(groups.values())


def side_by_side(result: fl.Diff) -> None:
    groups = _groups(result)
    if not groups:
        st.success("Nothing differs.")
        return
    st.caption(
        f"The first {len(groups)} changed items, old (a) beside new (b): "
        + " ".join(f"<span style='background:{c}'>{k}</span>" for k, c in COLORS.items()),
        unsafe_allow_html=True,
    )
    for root_a, root_b, marks_a, marks_b in groups:
        label = "/".join(map(str, root_b if root_b is not None else root_a or ())) or "(top)"
        with st.container(border=True):
            st.markdown(f"**{plain(label)}**")
            left, right = st.columns(2)
            with left:
                _side(result.a.value, root_a, marks_a)
            with right:
                _side(result.b.value, root_b, marks_b)


def _side(value, root: tuple | None, marks: dict) -> None:
    if root is None:
        st.caption("(not on this side)")
        return
    try:
        node = value_at(value, root)
    except (KeyError, IndexError, TypeError):
        st.caption("(not found)")
        return
    rows = []
    for line in side_lines(node, root, marks):
        color = COLORS.get(line.mark or "", "transparent")
        text = html.escape(line.text) or "&nbsp;"
        rows.append(f"<div style='padding-left:{line.depth * 2}ch;background:{color}'>{text}</div>")
    st.html(
        "<div style='font-family:ui-monospace,monospace;font-size:12px;line-height:1.5;white-space:pre;"
        "overflow-x:auto;max-height:420px;overflow-y:auto'>" + "".join(rows) + "</div>"
    )


def changes_table(result: fl.Diff) -> None:
    if result.equal:
        return
    rows = [change_row(change) for change in result.changes[:MAX_TABLE_ROWS]]
    if len(result.changes) > MAX_TABLE_ROWS:
        st.caption(f"The first {MAX_TABLE_ROWS:,} of {len(result.changes):,} changes.")
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key=state.DIFF_TABLE,
        on_select=_table_selected,
        selection_mode="single-row",
    )
    st.caption("Select a row to see its bytes on both sides below.")


def _table_selected() -> None:
    rows = st.session_state[state.DIFF_TABLE].selection.rows
    if rows:
        st.session_state[state.DIFF_FOCUS] = ("change", rows[0])


def bytes_view(result: fl.Diff) -> None:
    byte_diff: ByteDiff = result.bytes
    changed_a, changed_b = byte_diff.bytes_changed()
    st.caption(
        f"{len(byte_diff.hunks):,} byte differences (inserts and deletes aligned): {changed_a:,} bytes of a, "
        f"{changed_b:,} bytes of b" + ("" if byte_diff.exact else " — a coarse alignment: the search hit its deadline")
    )
    focus = st.session_state.get(state.DIFF_FOCUS)
    prev_col, next_col, where_col = st.columns([1.3, 1.2, 3])  # both labels in full at 1366 px
    index = focus[1] if focus and focus[0] == "hunk" else -1
    if prev_col.button("◀ Previous difference", key=state.DIFF_PREVIOUS, disabled=index <= 0):
        index -= 1
        st.session_state[state.DIFF_FOCUS] = ("hunk", index)
    if next_col.button("Next difference ▶", key=state.DIFF_NEXT, disabled=index >= len(byte_diff.hunks) - 1):
        index += 1
        st.session_state[state.DIFF_FOCUS] = ("hunk", index)
    focus = st.session_state.get(state.DIFF_FOCUS)
    selected_a, selected_b = _focus_ranges(result, byte_diff, focus)
    if focus is not None:
        where_col.caption(_focus_text(focus, selected_a, selected_b))
    # A new focus (a difference, a table row) moves both selections once; clicks in between are the person's.
    shown = (id(result), focus)
    moved = st.session_state.get(state.DIFF_SHOWN) != shown
    st.session_state[state.DIFF_SHOWN] = shown
    left, right = st.columns(2)
    sides = (
        (left, result.a, selected_a, "a", state.DIFF_INSPECTOR_A),
        (right, result.b, selected_b, "b", state.DIFF_INSPECTOR_B),
    )
    for column, document, selected, side, keys in sides:
        with column:
            st.markdown(f"**{side}: {document.format}**, {len(document.data):,} bytes")
            if moved and selected[0] >= 0:  # an insertion (end == start) scrolls there and selects nothing
                assert focus is not None  # a range is chosen only for a focus
                what = f"difference {focus[1] + 1}" if focus[0] == "hunk" else f"change {focus[1] + 1} of the table"
                select_in(keys, selected[0], selected[1], what)
            elif moved:
                st.session_state.pop(keys.selection, None)
            inspector(document_view(document), keys, Compact())


def _focus_ranges(result: fl.Diff, byte_diff: ByteDiff, focus) -> tuple[tuple[int, int], tuple[int, int]]:
    if focus is None:
        return (-1, -1), (-1, -1)
    kind, index = focus
    if kind == "hunk" and 0 <= index < len(byte_diff.hunks):
        hunk = byte_diff.hunks[index]
        return (hunk.a_start, hunk.a_end), (hunk.b_start, hunk.b_end)
    if kind == "change" and 0 <= index < len(result.changes):
        change = result.changes[index]
        span_a, span_b = change.span_a, change.span_b
        return (
            (span_a.start, span_a.end) if span_a is not None else (-1, -1),
            (span_b.start, span_b.end) if span_b is not None else (-1, -1),
        )
    return (-1, -1), (-1, -1)


def _focus_text(focus, selected_a: tuple[int, int], selected_b: tuple[int, int]) -> str:
    def side(name: str, selected: tuple[int, int]) -> str:
        start, end = selected
        if start < 0:
            return f"nothing in {name}"
        return f"{name} bytes {start:,}–{end:,}" if end > start else f"inserted at byte {start:,} of {name}"

    what = f"difference {focus[1] + 1}" if focus[0] == "hunk" else f"change {focus[1] + 1} of the table"
    return f"{what}: {side('a', selected_a)}, {side('b', selected_b)}"
