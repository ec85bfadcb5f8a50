"""Every session-state key of the app (widget keys too), and the selection that links the views to the bytes.

Declared here, in one place, so two pages cannot use one key for two things and a reader can see all
that a session keeps. tests/test_ui_state.py checks that no code outside this module spells a key.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

CURRENT = "current"
"""The Loaded input (formatlens.ui.loader.Loaded) of this session."""
SELECTION = "selection"
"""(start, end, label) of the selected bytes (end exclusive). Read it with selection(); change it with select()."""
SELECTION_SEQ = "selection_seq"
"""Counts select() calls: the inspector moves the browser's selection when it changes."""
SHOWN_ITEMS = "tree_items"
INPUT_CHANGED = "input_changed"
"""True for the run in which the person loaded something new (not the first load of a session)."""

# The layers breadcrumb (formatlens/ui/layers_view.py)
SHOWN_LAYER = "shown_layer"
"""Index into Document.layers of the layer whose bytes the breadcrumb shows (absent: the innermost bytes)."""
LAYERS_BAR = "layers_breadcrumb"
LAYER_INNER = "layer_inner"
"""Widget: the breadcrumb's last button, the innermost (decoded) bytes."""
SCHEMA_BY_ID = "schema_by_id"
"""{"input": sha256 of the input, "id": schema id, "schema": text}: a schema given for a Confluent id."""
SCHEMA_BY_ID_TEXT = "schema_by_id_text"
SCHEMA_BY_ID_APPLY = "schema_by_id_apply"


def layer_button(index: int) -> str:
    """Widget: the breadcrumb's button of layer ``index``."""
    return f"layer_{index}"


def layer_inspector(index: int) -> InspectorKeys:
    """The inspector of the bytes an outer layer is read from (text or a stream an earlier layer decoded)."""
    return inspector_keys(f"layer_inspector_{index}")


# The sidebar loader (formatlens/ui/loader.py)
LOADED = "loaded"
"""(cache key, Loaded): what was decoded, keyed by content hash, format and schema options."""
SOURCE = "source"
"""Widget: where the data comes from (Sample, Upload, Paste text, Paste hex/base64)."""
SAMPLE = "sample"
"""Widget: the chosen sample's file name."""
UPLOAD = "upload"
PASTE_TEXT = "paste_text"
PASTE_HEX = "paste_hex"
SCHEMA_UPLOAD = "schema_upload"
SCHEMA_TEXT = "schema_text"
MESSAGE = "message"
"""Widget: the protobuf message to decode with (or auto)."""
FORMAT_OVERRIDE = "format_override"
"""Widget: the format chosen over detection (or auto-detect)."""
LINKED = "linked_sample"
"""The ?sample= this session last followed or wrote: a different one in the URL is a link just followed."""
FOLLOWED = "followed_link"
"""True for the run in which a sample link was followed (it names the page to open)."""
REMOTE_URL = "remote_url"
"""Widget: the URL source's address (offered only when the operator sets FORMATLENS_REMOTE_ALLOW)."""
REMOTE_FETCHED = "remote_fetched"
"""(url, name, bytes) the URL source fetched last: a rerun does not fetch again."""

# The inspector (formatlens/ui/inspector.py) and Inspect's views (formatlens/ui/views.py)
INSPECTOR = "inspector"
"""The inspector component's value: the browser's selection and its requests for bytes or tree rows."""
INSPECTOR_ASK = "_inspector_ask"
INSPECTOR_FOUND = "_inspector_found"
INSPECTOR_URL_DONE = "_inspector_url_done"
INSPECTOR_DOWNLOAD = "inspector_download"
INSPECT_TAB = "inspect_tab"
"""Widget: the open tab of Inspect (only that tab's content runs)."""


class InspectorKeys(NamedTuple):
    """The keys one inspector element keeps in the session: Inspect's own, or another page's (Convert's
    output, the Pickle lab's pickle), so each page's selection and requests stay its own."""

    component: str
    ask: str
    found: str
    selection: str
    seq: str
    download: str
    url: bool
    """Whether this inspector follows and writes ``?select=`` (Inspect's only)."""


INSPECT = InspectorKeys(INSPECTOR, INSPECTOR_ASK, INSPECTOR_FOUND, SELECTION, SELECTION_SEQ, INSPECTOR_DOWNLOAD, True)


def inspector_keys(name: str) -> InspectorKeys:
    """The keys of an inspector named ``name`` on a page other than Inspect."""
    return InspectorKeys(name, f"_{name}_ask", f"_{name}_found", f"{name}_sel", f"{name}_seq", f"{name}_dl", False)


def finding_button(index: int) -> str:
    """Widget: a finding's "Show bytes" button."""
    return f"finding_{index}"


# Tour (formatlens/ui/tour.py)
TOUR_STEP = "tour_step"
TOUR_PREVIOUS = "tour_previous"
TOUR_NEXT = "tour_next"


def tour_inspector(name: str) -> InspectorKeys:
    """The inspector of one of a tour step's byte views (json, msgpack, pb, kafka)."""
    return inspector_keys(f"tour_inspector_{name}")


# Convert (formatlens/ui/convert_view.py)
TARGET = "target"
"""Widget: the target format."""
CONVERT_MESSAGE = "convert_message"
CONVERT_DOWNLOAD = "download"
CONVERT_INSPECTOR = inspector_keys("convert_inspector")
"""The inspector of the converted bytes."""
CONVERT_RESULT = "convert_result"
"""(input, target and options, fl.Conversion): the last conversion, reused while none of them changes."""
CONVERT_VIEW = "convert_view"
"""(content hash, inspector View) of the converted bytes: reruns reuse it, so the browser keeps its place."""


def convert_option(target: str, option: str) -> str:
    """Widget: one encode option of one target."""
    return f"opt_{target}_{option}"


def convert_schema(target: str, name: str) -> str:
    """Widget: the schema text for ``target``, per loaded input (an edit belongs to that input)."""
    return f"schema_{target}_{name}"


# Schemas (formatlens/ui/schemas_view.py)
VALIDATE_KIND = "validate_kind"


def validate_schema(kind: str) -> str:
    """Widget: the schema text to validate with, per schema language."""
    return f"validate_schema_{kind}"


def evolution_writer(name: str) -> str:
    return f"writer_{name}"


def evolution_reader(name: str) -> str:
    return f"reader_{name}"


# Compare
COMPARE_SCALE = "scale"

# Diff (formatlens/ui/diff_view.py). Its second input's widgets are the loader's (SOURCE, SAMPLE,
# UPLOAD, PASTE_TEXT, PASTE_HEX, SCHEMA_UPLOAD, SCHEMA_TEXT, MESSAGE) with DIFF_PREFIX in front.
DIFF_PREFIX = "diff_"
DIFF_AGAINST = "diff_against"
"""Widget: whether b is another input or a converted."""
DIFF_TARGET = "diff_target"
"""Widget: the format a is converted to, when b is its conversion."""
DIFF_FORMAT = "diff_format"
"""Widget: b's format chosen over detection (or auto-detect)."""
DIFF_KEY = "diff_key"
"""Widget: the record field that aligns lists (blank: by position)."""
DIFF_STRICT = "diff_strict"
DIFF_B = "diff_b"
"""(content key, Loaded) of b, decoded once per content, format and schema."""
DIFF_RESULT = "diff_result"
"""(documents and options, fl.Diff): the last comparison."""
DIFF_TABLE = "diff_table"
"""Widget: the changes table (its row selection)."""
DIFF_FOCUS = "diff_focus"
"""("hunk", i) or ("change", i): whose bytes the two inspectors select."""
DIFF_PREVIOUS = "diff_prev"
DIFF_NEXT = "diff_next"
DIFF_INSPECTOR_A = inspector_keys("diff_inspector_a")
DIFF_INSPECTOR_B = inspector_keys("diff_inspector_b")
"""The inspectors of a's and b's bytes (the Bytes tab)."""
DIFF_SHOWN = "diff_shown"
"""(diff result id, focus) last selected in those two inspectors: a new focus moves their selections."""
DIFF_ERROR_INSPECTOR = inspector_keys("diff_error_inspector")
"""The inspector of b's bytes when b is refused (what was read, the offending byte)."""

# Pickle lab (formatlens/ui/pickle_lab_view.py)
LAB_RESULTS = "lab_results"
"""{(task, content hash, options): result or error} of the lab's analyses in the worker pool."""
LAB_FLAGGED = "lab_flagged"
LAB_INSPECTOR = inspector_keys("lab_inspector")
"""The inspector of the pickle in the Safety tab."""
LAB_VIEW = "lab_view"
"""(content hash, inspector View) of that pickle."""
LAB_SHOWN = "lab_shown"
"""(content hash, flagged index) last selected in the lab's inspector: a new choice moves the selection."""
LAB_ALLOWLIST = "lab_allowlist"
LAB_TRUSTED = "lab_trusted"
LAB_HMAC_KEY = "lab_hmac_key"
"""Widget: the HMAC key; it lives in the session's memory only."""
LAB_TAMPER = "lab_tamper"
LAB_PYC = "lab_pyc"


def current() -> Any:
    """The session's Loaded input (formatlens.ui.loader.Loaded), or None."""
    return st.session_state.get(CURRENT)


def loaded_key() -> Any:
    """The cache key of what is loaded: content hash, format and schema options (None before a load)."""
    cached = st.session_state.get(LOADED)
    return cached[0] if cached is not None else None


def select(start: int, end: int, label: str) -> None:
    """Select bytes ``start``..``end`` from any view (a finding, a layer, a path): the inspector
    selects them in the browser, scrolls the hexdump there and reveals their node."""
    st.session_state[SELECTION] = (start, end, label)
    st.session_state[SELECTION_SEQ] = st.session_state.get(SELECTION_SEQ, 0) + 1


def selection() -> tuple[int, int, str] | None:
    return st.session_state.get(SELECTION)


def forget_view() -> None:
    """A new input: nothing selected, a short tree."""
    for key in (SELECTION, SHOWN_ITEMS, SHOWN_LAYER, INSPECTOR_FOUND):
        st.session_state.pop(key, None)
