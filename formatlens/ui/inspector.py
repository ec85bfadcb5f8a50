"""The inspector: structure tree, hexdump and data inspector as one components-v2 element.

The server sends what is on screen: the hexdump windows around the selection
and the tree levels that are open (for a small input, all of it, so every
click is answered in the browser). When the person scrolls to bytes or opens
nodes the browser does not have yet, it asks with one trigger, and only this
fragment reruns to send them. The selection travels both ways: the browser
reports it (debounced) into ``state.SELECTION`` and the ``select`` URL
parameter, and ``state.select()`` from any other view moves it in the browser.

Streamlit keeps only the newest of a component's triggers that wait for a run,
so each request carries everything the browser still misses, with a sequence
number the payload echoes as ``answered``: what an answered request did not get
is asked for again, and nothing clicked during a run is lost (inspector.js).
Sequence numbers and find ids count from 1 again in every mount of the element (leaving the page and
coming back mounts it afresh), so each request also names its mount: ``answered`` and a find already
run are compared only with requests of the same mount.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

import formatlens as fl
from formatlens.core.document import Span
from formatlens.render.colors import KIND_COLORS
from formatlens.render.hexdump import WINDOW, window
from formatlens.render.tree import GROUP, MISSING, UNPARSED, WINDOW_KIND, TreeModel, parse_path, path_text, restrict
from formatlens.runtime.annotate import Annotated, spans_of
from formatlens.sources.rangefile import FIND_BYTES, LazyBytes
from formatlens.ui import state

ALL_BYTES = 128 * 1024
"""Inputs up to this size go to the browser whole (every click answered there, no round trip)."""
ALL_ROWS = 3000
"""Tree rows sent up front (a small document's whole tree)."""
MAX_ASK_WINDOWS = 24
MAX_ASK_SLICES = 40
AHEAD = 4
"""Windows on each side of those asked for that a walk of the rest annotates too."""
MAX_VALUES = 1000
"""Items whose values past a first view's head one request decodes."""
SERVER_DOWNLOAD = 64 * 1024
"""Selections larger than the browser copies are downloaded through the server."""
COLORS = {**KIND_COLORS, "error": "#ff8787", "member": "#ffffff", WINDOW_KIND: "#e9ecef"}

_URL_DONE = state.INSPECTOR_URL_DONE
_tokens = itertools.count(1)

_HERE = Path(__file__).parent
# The browser side lives in inspector.js / inspector.css beside this file (inline content: no build step).
_component = st.components.v2.component(
    "formatlens_inspector",
    html="",
    css=(_HERE / "inspector.css").read_text(encoding="utf-8"),
    js=(_HERE / "inspector.js").read_text(encoding="utf-8"),
)


Annotator = Callable[[list[tuple[int, int]]], list[Annotated]]
"""Annotates byte ranges of a large input past its first view (runtime.annotate, in a worker)."""


@dataclass
class View:
    """What the inspector keeps per input (in the session, beside the Document)."""

    data: bytes
    tree: TreeModel
    token: str
    legend: list[str]
    error_offset: int = -1
    base: dict[str, Any] = field(default_factory=dict)
    annotate: Annotator | None = None
    """For a large input's first view: annotates the windows of the rest that the browser asks for."""
    values: Callable[[list[Span]], dict] | None = None
    """For a large input's first view: decodes the values of items past its head that a slice shows."""
    refused: str = ""
    """Why the last annotation of the rest was refused (shown under the inspector)."""


@dataclass(frozen=True)
class Compact:
    """The inspector made small, for views that show a few hundred bytes beside or above others (the Tour,
    Diff): the hexdump sized to its content (at most ``rows`` rows, then it scrolls), the kinds' legend and
    hover labels; the structure tree folded under it; no find, copy or data inspector unless asked.
    A narrow column gets 8 bytes a row instead of 16, so two fit side by side at 1366 px."""

    rows: int = 16
    tree: bool = True
    data_inspector: bool = False


def parse_selection(text: str, size: int) -> tuple[int, int] | None:
    """``START:END`` (decimal or 0x hex, end exclusive) inside ``size`` bytes, else None."""
    try:
        start_text, end_text = text.split(":")
        start, end = int(start_text.strip(), 0), int(end_text.strip(), 0)
    except ValueError:
        return None
    if 0 <= start < end <= size:
        return start, end
    return None


def _kinds(spans: list[Span], budget: int = 20_000) -> list[str]:
    """The span kinds for the legend (from the first ``budget`` spans: a legend, not a census)."""
    seen: dict[str, None] = {}
    stack = list(spans[:budget])
    while stack and budget > 0:
        budget -= 1
        span = stack.pop()
        seen[span.kind] = None
        stack.extend(span.children)
    return sorted(seen)


def make_view(
    data: bytes,
    spans: list[Span],
    value: Any,
    error_offset: int | None = None,
    *,
    rest_from: int | None = None,
    annotate: Annotator | None = None,
    values: Callable[[list[Span]], dict] | None = None,
) -> View:
    """``rest_from``/``annotate``: where a large input's first view stopped annotating, and how the windows
    after that are annotated when the browser asks for them (render.tree's rest)."""
    shown = value if value is not None else MISSING
    tree = TreeModel(spans, shown, len(data), rest_from=rest_from if annotate else None, step=WINDOW)
    legend = _kinds(spans)
    if any(item.kind == UNPARSED for item in tree.items(())) or not spans:
        legend.append(UNPARSED)
    view = View(data, tree, f"d{next(_tokens)}", legend, -1 if error_offset is None else error_offset)
    view.annotate, view.values = annotate, values
    if len(data) <= ALL_BYTES:  # small: everything up front, computed once
        view.base = {
            "windows": [window(data, tree, i) for i in range(-(-len(data) // WINDOW))],
            "nodes": _all_slices(tree, ALL_ROWS),
        }
    return view


def _all_slices(tree: TreeModel, budget: int) -> dict[str, list]:
    """Tree slices breadth-first until ``budget`` rows: what a small document's tree holds."""
    out: dict[str, list] = {}
    queue: list[tuple[int, ...]] = [()]
    sent = 0
    while queue and sent < budget:
        node = queue.pop(0)
        count = tree.count(node)
        for lo in range(0, count, GROUP):
            rows = tree.rows(node, lo, lo + GROUP)
            out[f"{path_text(node)}|{lo}"] = rows
            sent += len(rows)
            queue.extend((*node, lo + i) for i, row in enumerate(rows) if row[6])
            if sent >= budget:
                break
    return out


def _marks(tree: TreeModel, nodes: dict[str, list]) -> dict[str, Any]:
    """How the groups are labelled (render.tree's marks) for the root and every node among ``nodes``'s rows
    with more than GROUP children: the browser learns a node's count and its marks in the same payload.
    None for a node whose node indexes are its items' (no gaps): the browser labels those by index."""
    out: dict[str, Any] = {}
    if tree.count(()) > GROUP:
        out[""] = tree.marks(())
    for key, rows in nodes.items():
        path, _, lo_text = key.rpartition("|")
        for i, row in enumerate(rows):
            if row[6] > GROUP:
                node = (*parse_path(path), int(lo_text) + i)
                out[path_text(node)] = tree.marks(node)
    return out


def _chain_keys(tree: TreeModel, offset: int) -> list[str]:
    """The slices from the root down to the node at ``offset`` (so the browser can reveal it)."""
    node = tree.locate(offset)
    return ["|0"] + [f"{path_text(node[:depth])}|{node[depth] // GROUP * GROUP}" for depth in range(len(node))]


def _chain_slices(tree: TreeModel, offset: int) -> dict[str, list]:
    return dict(made for made in (_slice(tree, key) for key in _chain_keys(tree, offset)) if made is not None)


def _fetch_values(view: View, keys: list[str]) -> None:
    """Values past a first view's head for the rows of the slices ``keys`` (types, previews, members)."""
    if view.values is None:
        return
    wanted: list[Span] = []
    for key in keys:
        path, _, lo_text = key.rpartition("|")
        try:
            node, lo = parse_path(path), int(lo_text)
            wanted += view.tree.without_values(node, lo, lo + GROUP)
        except (ValueError, KeyError, IndexError):
            continue  # a stale request (_slice says the same)
    if not wanted:
        return
    try:
        asked = wanted[:MAX_VALUES]
        view.tree.values(view.values(asked), asked)
    except fl.FormatError as exc:  # a limit or a busy server: the rows show their spans' labels only
        view.refused = f"The values of these items could not be read: {exc.message}"
    except fl.InternalError as exc:
        view.refused = f"This is a bug in formatlens, not a problem with your data: {exc.report or exc}"


def _slice(tree: TreeModel, key: str) -> tuple[str, list] | None:
    path, _, lo_text = key.rpartition("|")
    try:
        node, lo = parse_path(path), int(lo_text)
        return key, tree.rows(node, lo, lo + GROUP)
    except (ValueError, KeyError, IndexError):
        return None  # a stale request (another input was loaded meanwhile)


def _find(data: bytes, ask: dict) -> dict:
    try:
        pattern = bytes.fromhex(str(ask.get("pattern", "")))
        start, direction = int(ask.get("from", 0)), int(ask.get("dir", 1))
    except (TypeError, ValueError):
        return {"offset": -1, "message": "not a pattern"}
    if not pattern:
        return {"offset": -1, "message": "nothing to find"}
    wrapped = False
    if direction >= 0:
        at = data.find(pattern, max(start, 0))
        if at < 0:
            at, wrapped = data.find(pattern), True
    else:
        at = data.rfind(pattern, 0, max(start, 0) + len(pattern) - 1)
        if at < 0:
            at, wrapped = data.rfind(pattern), True
    if at < 0:
        return {"offset": -1, "message": f"{len(pattern)}-byte pattern not found"}
    return {"offset": at, "length": len(pattern), "wrapped": wrapped}


def _answered_key(keys: state.InspectorKeys) -> str:
    return f"{keys.ask}_answered"


def _mount_key(keys: state.InspectorKeys) -> str:
    return f"{keys.ask}_mount"


def _picked_key(keys: state.InspectorKeys) -> str:
    return f"{keys.ask}_picked"


def _answered(view: View, keys: state.InspectorKeys, ask: dict | None) -> int:
    """The sequence number of the newest request of this view's browser that a run answers (0: none yet)."""
    seq = (ask or {}).get("seq")
    if isinstance(seq, int):
        return seq
    token, last = st.session_state.get(_answered_key(keys), ("", 0))
    return last if token == view.token else 0


def _answered_mount(view: View, keys: state.InspectorKeys, ask: dict | None) -> str:
    """The mount of the element that sent the request ``_answered`` names: a fresh mount counts its
    requests from 1 again, so it heeds ``answered`` only when this is its own."""
    if isinstance((ask or {}).get("seq"), int):
        return str(ask.get("mount", "")) if ask else ""
    token, mount = st.session_state.get(_mount_key(keys), ("", ""))
    return mount if token == view.token else ""


def _on_request(keys: state.InspectorKeys) -> None:
    value = st.session_state.get(keys.component, {}).get("request")
    if isinstance(value, dict):
        st.session_state[keys.ask] = value


def _on_selection(keys: state.InspectorKeys) -> None:
    value = st.session_state.get(keys.component, {}).get("selection")
    if isinstance(value, list) and len(value) in (2, 4):
        start, end = int(value[0]), int(value[1])
        st.session_state[keys.selection] = (start, end, f"bytes {start:,}–{end:,}")
        if len(value) == 4:  # [start, end, mount, how many selections that mount has made]
            st.session_state[_picked_key(keys)] = (str(value[2]), value[3])
        if keys.url:
            st.query_params["select"] = f"{start}:{end}"
            st.session_state[_URL_DONE] = True


def select_in(keys: state.InspectorKeys, start: int, end: int, label: str) -> None:
    """Select bytes in the inspector that keeps ``keys`` (Inspect's: ``state.select``)."""
    if keys == state.INSPECT:
        state.select(start, end, label)
        return
    st.session_state[keys.selection] = (start, end, label)
    st.session_state[keys.seq] = st.session_state.get(keys.seq, 0) + 1


def _url_selection(view: View) -> None:
    """``?select=START:END`` selects those bytes once, on the first input of a session."""
    if st.session_state.get(_URL_DONE):
        return
    st.session_state[_URL_DONE] = True
    chosen = parse_selection(st.query_params.get("select", ""), len(view.data))
    if chosen is not None:
        state.select(chosen[0], chosen[1], f"bytes {chosen[0]:,}–{chosen[1]:,}")


def _annotate_rest(view: View, windows: list[int], slices: list[str], offsets: list[int]) -> dict[str, list]:
    """Annotate the windows of the rest (render.tree) that this run shows: hexdump windows, tree slices
    inside the rest, and the offsets to reveal. Returns the rest's slices whose rows changed (a window's
    child count), for the browser to replace."""
    tree = view.tree
    rest = tree.rest_path()
    if rest is None or view.annotate is None:
        return {}
    wanted: set[int] = set()
    for index in windows:
        wanted.update(tree.slots_over(index * WINDOW, (index + 1) * WINDOW))
    for key in slices:
        try:
            slot = tree.slot_of_path(parse_path(key.rpartition("|")[0]))
        except ValueError:
            continue
        if slot is not None:
            wanted.add(slot)
    for offset in offsets:
        wanted.update(tree.slots_over(offset, offset + 1))
    for slot in wanted:
        tree.touch(slot)
    tree.trim(keep=wanted)  # the server holds a bounded number of windows (render.tree.MAX_SLOTS)
    missing = sorted(slot for slot in wanted if slot not in tree.slots)[:MAX_ASK_WINDOWS]
    if not missing:
        return {}
    # The walk's cost is passing over what lies before the windows: the neighbours come almost free,
    # and scrolling a few rows on then needs no worker.
    near = {slot + step for slot in missing for step in range(-AHEAD, AHEAD + 1)} - set(missing)
    near = {slot for slot in near if 0 <= slot < tree.slot_count() and slot not in tree.slots}
    spare = sorted(near, key=lambda slot: min(abs(slot - m) for m in missing))[: MAX_ASK_WINDOWS - len(missing)]
    missing = sorted(missing + spare)
    runs: list[list[int]] = []  # neighbouring windows are one walk
    for slot in missing:
        if runs and runs[-1][-1] == slot - 1:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    ranges = [(tree.slot_range(run[0])[0], tree.slot_range(run[-1])[1]) for run in runs]
    try:
        done = view.annotate(ranges)
    except fl.FormatError as exc:  # a limit, a busy server, a worker that died: the rest stays as it was
        view.refused = f"The bytes shown could not be annotated: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        return {}
    except fl.InternalError as exc:  # a bug: said as one, with its report (the rest stays as it was)
        view.refused = f"This is a bug in formatlens, not a problem with your data: {exc.report or exc}"
        return {}
    view.refused = ""
    changed: dict[str, list] = {}
    for run, annotated in zip(runs, done, strict=True):
        spans = spans_of(annotated)
        for slot in run:
            tree.fill(slot, restrict(spans, *tree.slot_range(slot)), annotated[1])
            lo = slot // GROUP * GROUP
            changed[f"{path_text(rest)}|{lo}"] = tree.rows(rest, lo, lo + GROUP)
    return changed


def payload(
    view: View,
    ask: dict | None,
    found: dict | None,
    keys: state.InspectorKeys = state.INSPECT,
    answered: int = 0,
    mount: str = "",
) -> dict:
    """What the browser is sent in this run; ``answered``: the newest of the browser's requests answered,
    from the mount ``mount`` of the element."""
    data, tree = view.data, view.tree
    view.refused = ""  # a refusal is said in the run it happened in
    selected = st.session_state.get(keys.selection)
    windows: dict[int, dict] = {}
    nodes: dict[str, list] = {}
    asked_windows = [i for i in list((ask or {}).get("windows") or [])[:MAX_ASK_WINDOWS] if isinstance(i, int)]
    asked_nodes = [str(key) for key in list((ask or {}).get("nodes") or [])[:MAX_ASK_SLICES]]
    found_at = found["offset"] if found and found.get("offset", -1) >= 0 and not view.base else None
    around = selected[0] if selected else max(view.error_offset, 0)
    near = [] if view.base else [i for i in range(around // WINDOW - 1, around // WINDOW + 2) if i >= 0] + [0]
    offsets = [around] + ([found_at] if found_at is not None else [])
    # Past a large input's first view: the windows shown are annotated now (a worker walks just them),
    # and the items of the slices shown get their values (a worker reads just them)
    nodes.update(_annotate_rest(view, asked_windows + near, asked_nodes, offsets))
    if view.values is not None:
        chains = [key for offset in offsets for key in _chain_keys(tree, offset)]
        _fetch_values(view, list(dict.fromkeys(asked_nodes + chains + list(nodes))))
        nodes = dict(made for made in (_slice(tree, key) for key in nodes) if made is not None)
    if view.base:
        windows = {w["index"]: w for w in view.base["windows"]}
        nodes = dict(view.base["nodes"])
    else:
        for index in near:
            if index * WINDOW < len(data):
                windows[index] = window(data, tree, index)
        nodes.update(_chain_slices(tree, around))
    for index in asked_windows:
        if 0 <= index * WINDOW < len(data) and index not in windows:
            windows[index] = window(data, tree, index)
    for key in asked_nodes:
        made = _slice(tree, key) if key not in nodes else None
        if made is not None:
            nodes[made[0]] = made[1]
    if found_at is not None:
        index = found_at // WINDOW
        windows.setdefault(index, window(data, tree, index))
        nodes.update(_chain_slices(tree, found_at))
    return {
        "doc": view.token,
        "size": len(data),
        "windowSize": WINDOW,
        "rootCount": tree.count(()),
        "colors": COLORS,
        "legend": view.legend,
        "error": view.error_offset,
        "windows": list(windows.values()),
        "nodes": nodes,
        "marks": _marks(tree, nodes),
        "select": {"start": selected[0], "end": selected[1], "label": selected[2]} if selected else None,
        "selectSeq": st.session_state.get(keys.seq, 0),
        "found": found,
        "answered": answered,
        "mount": mount,
        # What this run took of the request it answers (the newest MAX_ASK_* of each): only a key taken and
        # not sent back counts as a try in the browser; a key past the caps is asked again while needed.
        "took": {"seq": ask.get("seq"), "windows": asked_windows, "nodes": asked_nodes} if ask else None,
    }


def inspector(view: View, keys: state.InspectorKeys = state.INSPECT, compact: Compact | None = None) -> None:
    """Mount the inspector for ``view`` (only this fragment reruns for the browser's requests).
    Inspect's inspector uses the default ``keys``; another page passes its own, and ``compact`` to
    show a small one."""
    if keys.url:
        _url_selection(view)
    _fragment(view, keys, compact)


@st.fragment
def _fragment(view: View, keys: state.InspectorKeys, compact: Compact | None = None) -> None:
    # The request is taken only once its answer is sent: a run stopped before that (a rerun of the whole
    # page that preempts it) leaves it for the next run.
    ask = st.session_state.get(keys.ask)
    if ask is not None and ask.get("doc", view.token) != view.token:  # asked about an input since replaced
        del st.session_state[keys.ask]
        ask = None
    found = st.session_state.get(keys.found)
    asked_find = ask.get("find") if ask else None
    mount = str(ask.get("mount", "")) if ask else ""
    # A find the browser asks again (its request carried it while the first answer was on its way) is
    # not run again: the answer it has coming would move the selection a second time. Ids count from 1
    # in every mount of the element, so only a find of the same mount is the same find (review F11).
    find_id = asked_find.get("id") if isinstance(asked_find, dict) else None
    last = found or {}
    same = find_id is not None and (find_id, mount) == (last.get("id"), last.get("mount", ""))
    if isinstance(asked_find, dict) and not same:
        found = {**_find(view.data, asked_find), "seq": last.get("seq", 0) + 1, "id": find_id, "mount": mount}
        st.session_state[keys.found] = found
        # The person may have selected something since they asked (the browser reports how many selections
        # its mount has made), or another view chose a selection since (select_in raised keys.seq): that
        # one is kept, here as in the browser, so both hold the same selection (review S1).
        picked_mount, picked = st.session_state.get(_picked_key(keys), ("", 0))
        asked_at, asked_seq = asked_find.get("selAt"), asked_find.get("selSeq")
        since = picked_mount == mount and isinstance(asked_at, int) and isinstance(picked, int) and picked > asked_at
        since = since or (isinstance(asked_seq, int) and st.session_state.get(keys.seq, 0) > asked_seq)
        if found["offset"] >= 0 and not since:
            label = f"found {found['length']} bytes"
            st.session_state[keys.selection] = (found["offset"], found["offset"] + found["length"], label)
    answered, answered_mount = _answered(view, keys, ask), _answered_mount(view, keys, ask)
    _component(
        key=keys.component,
        data={
            **payload(view, ask, found, keys, answered, answered_mount),
            "compact": asdict(compact) if compact else None,
        },
        default={"selection": None},
        on_request_change=functools.partial(_on_request, keys),
        on_selection_change=functools.partial(_on_selection, keys),
    )
    if ask is not None and st.session_state.get(keys.ask) is ask:
        del st.session_state[keys.ask]
    st.session_state[_answered_key(keys)] = (view.token, answered)
    st.session_state[_mount_key(keys)] = (view.token, answered_mount)
    if view.refused:
        st.warning(view.refused)
    selected = st.session_state.get(keys.selection)
    if selected and selected[1] - selected[0] > SERVER_DOWNLOAD and compact is None:
        start, end = selected[:2]
        if isinstance(view.data, LazyBytes) and end - start > FIND_BYTES:
            # A remote file read by ranges: the button's bytes are fetched on every rerun, so a row group
            # or the whole file is not pulled into the server for a download.
            st.caption(
                f"Selections over {FIND_BYTES // 2**20} MiB of a remote file are not downloaded through the "
                "server: download the file from where it lives."
            )
            return
        st.download_button(
            f"Download the selection ({end - start:,} bytes)",
            view.data[start:end],
            file_name=f"selection-{start}-{end}.bin",
            mime="application/octet-stream",
            key=keys.download,
        )
