"""Left/right arrow keys as a Streamlit element (components v2: inline JS, no build step).

The element listens on the page's document while it is mounted and reports
"previous" or "next"; keys typed into an input, a text area or a select are
left alone, and a key pressed with a modifier (Alt+Left is the browser's Back)
too.
"""

from __future__ import annotations

import streamlit as st

JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const handler = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    const tag = (target && target.tagName) || '';
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || (target && target.isContentEditable)) return;
    if (event.key === 'ArrowRight') setTriggerValue('move', 'next');
    else if (event.key === 'ArrowLeft') setTriggerValue('move', 'previous');
  };
  if (window.__formatlensArrowKeys) document.removeEventListener('keydown', window.__formatlensArrowKeys);
  window.__formatlensArrowKeys = handler;
  document.addEventListener('keydown', handler);
  return () => {
    document.removeEventListener('keydown', handler);
    if (window.__formatlensArrowKeys === handler) window.__formatlensArrowKeys = null;
  };
}
"""

_component = st.components.v2.component("formatlens_arrowkeys", html="", js=JS)


def arrow_keys(key: str = "arrow_keys") -> str | None:
    """Mount the listener; returns "previous" or "next" in the run a key press caused, else None."""
    result = _component(key=key, on_move_change=lambda: None)
    return getattr(result, "move", None)
