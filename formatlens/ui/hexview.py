"""The hex view: a Streamlit components-v2 element (inline HTML/CSS/JS, no build step).

It shows one page: offset | hex | ASCII, each byte colored by the kind of its
innermost span, the span's label and path on hover, and the selected range
highlighted. Clicking a byte sends its offset back, so the page can select the
span under it. Labels come from the data, so the script writes them with DOM
text APIs only, never as HTML.
"""

from __future__ import annotations

import streamlit as st

from formatlens.render.hexdump import hex_page

KIND_COLORS = {
    "magic": "#f4b6c2",
    "header": "#ffd6a5",
    "length": "#fdffb6",
    "tag": "#caffbf",
    "key": "#9bf6ff",
    "type": "#a0c4ff",
    "value": "#e2ecf9",
    "opcode": "#bdb2ff",
    "metadata": "#ffc6ff",
    "padding": "#eeeeee",
    "footer": "#ffadad",
    "compressed": "#d8e2dc",
    "entry": "#f1f7ed",
}

CSS = """
.hexview { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px;
  line-height: 1.55; color: #1f2430; }
.hexview .legend { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; font-family: sans-serif;
  font-size: 12px; }
.hexview .chip { padding: 1px 8px; border-radius: 10px; border: 1px solid #0002; }
.hexview .rows { overflow-x: auto; border: 1px solid #d0d4dc; border-radius: 6px; padding: 6px 8px;
  background: #ffffff; max-height: 560px; overflow-y: auto; }
.hexview .row { white-space: pre; }
.hexview .off { color: #7a8190; margin-right: 14px; user-select: none; }
.hexview .b { padding: 0 2px; margin-right: 1px; border-radius: 2px; cursor: pointer; }
.hexview .a { padding: 0; cursor: pointer; }
.hexview .gap { display: inline-block; width: 8px; }
.hexview .ascii { margin-left: 16px; border-left: 1px solid #d0d4dc; padding-left: 12px; }
.hexview .none { color: #9aa0aa; }
.hexview .sel { outline: 2px solid #d6336c; background: #d6336c !important; color: #fff !important; }
.hexview .err { outline: 2px solid #c92a2a; background: #ffe3e3 !important; }
.hexview .status { margin-top: 6px; font-family: sans-serif; font-size: 12px; color: #555; min-height: 1.2em; }
"""

JS = """
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector('.hexview');
  if (!root) {
    root = document.createElement('div');
    root.className = 'hexview';
    parentElement.appendChild(root);
  }
  root.replaceChildren();
  const colors = data.colors, spans = data.spans, inner = data.innermost;
  const hex = data.hex, base = data.offset, selStart = data.selected[0], selEnd = data.selected[1];
  const legend = document.createElement('div');
  legend.className = 'legend';
  const kinds = [...new Set(spans.map(s => s[2]))];
  for (const kind of kinds) {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.style.background = colors[kind] || '#eee';
    chip.textContent = kind;
    legend.appendChild(chip);
  }
  if (inner.includes(-1)) {
    const chip = document.createElement('span');
    chip.className = 'chip none';
    chip.textContent = 'not annotated';
    legend.appendChild(chip);
  }
  root.appendChild(legend);
  const rows = document.createElement('div');
  rows.className = 'rows';
  const count = hex.length / 2;
  const status = document.createElement('div');
  status.className = 'status';
  for (let r = 0; r < count; r += 16) {
    const row = document.createElement('div');
    row.className = 'row';
    const off = document.createElement('span');
    off.className = 'off';
    off.textContent = (base + r).toString(16).padStart(8, '0');
    row.appendChild(off);
    const ascii = document.createElement('span');
    ascii.className = 'ascii';
    for (let i = r; i < r + 16; i++) {
      if (i === r + 8) { const g = document.createElement('span'); g.className = 'gap'; row.appendChild(g); }
      const cell = document.createElement('span');
      const ch = document.createElement('span');
      if (i < count) {
        const value = parseInt(hex.substr(i * 2, 2), 16);
        const at = base + i;
        const s = inner[i] >= 0 ? spans[inner[i]] : null;
        cell.className = 'b' + (s ? '' : ' none');
        ch.className = 'a' + (s ? '' : ' none');
        cell.textContent = hex.substr(i * 2, 2);
        ch.textContent = value >= 32 && value < 127 ? String.fromCharCode(value) : '.';
        if (s) { cell.style.background = colors[s[2]] || '#eee'; ch.style.background = cell.style.background; }
        const title = s ? `${s[2]}: ${s[3]}` + (s[4] ? `  (path ${s[4]})` : '') + `  @${at}` : `not annotated @${at}`;
        cell.title = title; ch.title = title;
        if (at >= selStart && at < selEnd) { cell.classList.add('sel'); ch.classList.add('sel'); }
        if (at === data.error) { cell.classList.add('err'); ch.classList.add('err'); }
        cell.dataset.o = at; ch.dataset.o = at;
      } else {
        cell.textContent = '  '; ch.textContent = ' ';
        cell.className = 'b'; ch.className = 'a';
      }
      row.appendChild(cell);
      row.appendChild(document.createTextNode(' '));
      ascii.appendChild(ch);
    }
    row.appendChild(ascii);
    rows.appendChild(row);
  }
  rows.addEventListener('click', (event) => {
    const target = event.target.closest('[data-o]');
    if (target) setTriggerValue('clicked', Number(target.dataset.o));
  });
  rows.addEventListener('mouseover', (event) => {
    const target = event.target.closest('[data-o]');
    if (target) status.textContent = target.title;
  });
  root.appendChild(rows);
  root.appendChild(status);
}
"""

_component = st.components.v2.component("formatlens_hexview", html="", css=CSS, js=JS)


def hex_view(
    data: bytes,
    spans: list,
    page: int,
    *,
    selected: tuple[int, int] = (-1, -1),
    error_offset: int | None = None,
    key: str = "hexview",
    on_click=None,
) -> int | None:
    """Mount the view for one page; returns the offset of a byte clicked in this run, if any."""
    model = hex_page(data, spans, page)
    model.update(colors=KIND_COLORS, selected=list(selected), error=-1 if error_offset is None else error_offset)
    result = _component(key=key, data=model, on_clicked_change=on_click or (lambda: None))
    clicked = getattr(result, "clicked", None)
    return int(clicked) if clicked is not None else None
