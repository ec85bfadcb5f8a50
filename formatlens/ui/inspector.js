/* The inspector in the browser: structure tree, virtual-scrolling hexdump, data inspector (formatlens/ui/inspector.py mounts it).

Everything shown that comes from the data (labels, previews, text) is written
with textContent, never as HTML. The script keeps its state (byte windows and
tree slices it was sent, expanded nodes, the selection) on the element, so a
rerun that sends new windows adds to it instead of starting over, and clicks on
data already in the browser are answered without a round trip to the server.

What the person does while a run is in flight is theirs: data arriving later
never undoes a newer click (a pending reveal or a find's answer gives way to a
selection made since), and no request is lost. Streamlit keeps only the newest of
a component's triggers waiting for a run, so every request carries all that is
still missing, and what the server answered without (seq in ``answered``) is
asked again while it is still needed. Seqs and find ids count from 1 in every mount
(leaving the page and coming back mounts the element afresh), so each request names
its mount (S.mount, random) and the server's answers are heeded only for this mount.
*/
const ROWH = 18, VISIBLE = 29, MAXH = 4000000, GROUP = 100, HEADH = 22;
const TRIES = 3;  // answers that took a slice or window and did not send it before it is no longer asked for (a stale key)

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
const hex2 = (v) => v.toString(16).padStart(2, '0');
const hx = (v) => '0x' + v.toString(16);
const NF = new Intl.NumberFormat('en-US');
const num = (v) => NF.format(v);  // one formatter: toLocaleString builds a new one per call

function groupSize(n) { let g = GROUP; while (Math.ceil(n / g) > GROUP) g *= GROUP; return g; }

function groupText(m, gs, ge, n) {
  // [label, count] of the group of nodes gs..ge-1 of n. Groups are cut by node index (paths stay as they are),
  // but where gaps lie between the items (a pretty JSON array: a record, ",\n  ", a record...) they are named by
  // the items they hold: m.gaps[k] is how many nodes before node k*GROUP (or the end) are gaps (render/tree.py).
  if (!m) {  // no gaps: nodes are items (one alone is named as the marks branch names it)
    const k = ge - gs;
    return [k === 1 ? `[${num(gs)}]` : `[${num(gs)} \u2026 ${num(ge - 1)}]`, `${num(k)} item${k === 1 ? '' : 's'}`];
  }
  const before = (b) => b - m.gaps[Math.ceil(b / GROUP)];  // items before node b (a multiple of GROUP, or the end)
  const a = before(gs), z = before(ge), items = z - a, rest = m.rest && ge === n ? 1 : 0;
  // The children before the first item and after the last that are not items (a CSV's header row, an array's
  // type byte and length) are counted with the gaps too, and named by their kinds: "the header, 99 items".
  const head = gs === 0 ? m.head : [], tail = ge === n ? m.tail : [];
  const gaps = ge - gs - items - rest - head.length - tail.length;  // "the rest" of a large input: the last node
  const others = head.concat(tail).map((kind) => `the ${kind}`);
  const label = items === 0 ? (rest ? 'the rest' : others.length ? others.join(', ') : 'no items')
    : items === 1 ? `[${num(m.origin + a)}]` : `[${num(m.origin + a)} \u2026 ${num(m.origin + z - 1)}]`;
  const count = [[items, 'item'], [gaps, 'gap']].filter(([k]) => k > 0).map(([k, w]) => `${num(k)} ${w}${k === 1 ? '' : 's'}`);
  const text = others.slice(0, head.length).concat(count, others.slice(head.length), rest ? ['the rest'] : []).join(', ');
  return [label, text === label ? '' : text];  // what the label says already is not said twice
}

export default function(component) {
  const { data, setTriggerValue, setStateValue, parentElement } = component;
  let S = parentElement.__fl;
  if (!S || S.doc !== data.doc) {
    if (S && S.root) S.root.remove();
    S = fresh(parentElement, data);
    parentElement.__fl = S;
  }
  S.trigger = setTriggerValue; S.setState = setStateValue; S.colors = data.colors;
  merge(S, data);
  settle(S, data);
  if (!S.opened) {  // a first look: one root is opened, and the first group of a long list
    S.opened = true;
    const n = S.counts.get('');
    if (n === 1) S.open.add('0');
    if (n > GROUP) openGroups(S, '', 0, 0, n);
  }
  // The server's selection is applied only when some view chose it (select() raised the count):
  // the server echoing what this browser reported must not undo the clicks made since.
  if (data.select && data.selectSeq > S.selSeq) {
    select(S, data.select.start, data.select.end, null, { scroll: true, reveal: true, sync: false });
    S.selLabel = data.select.label || null;  // what the view that chose it calls it (named in compact mode)
  }
  S.selSeq = Math.max(S.selSeq, data.selectSeq);
  if (data.found && data.found.seq > S.foundSeq && (data.found.mount || '') !== S.mount) {
    S.foundSeq = data.found.seq;  // an earlier mount's find: its selection comes as the server's (data.select)
  } else if (data.found && data.found.seq > S.foundSeq) {
    S.foundSeq = data.found.seq;
    const mine = S.findAsk && data.found.id === S.findAsk.id ? S.findAsk : null;
    if (mine) S.findAsk = null;
    if (data.found.offset >= 0 && mine && mine.selAt !== S.selAt) {
      // the person selected something while the find ran: theirs is kept, the finding is said
      S.msg(`found at ${hx(data.found.offset)} (${num(data.found.offset)}); your selection since is kept`);
    } else if (data.found.offset >= 0) {
      select(S, data.found.offset, data.found.offset + data.found.length, null, { scroll: true, reveal: true, sync: true });
      S.msg(`found at ${hx(data.found.offset)} (${num(data.found.offset)})`);
    } else {
      S.msg(data.found.message || 'not found', true);
    }
  }
  if (S.pendingOffset !== null) revealOffset(S, S.pendingOffset, S.pendingEnd);
  if (S.pendingPath !== null) reveal(S, S.pendingPath);
  renderTree(S); renderHex(S); renderInspector(S);
}

function fresh(parent, data) {
  const S = {
    doc: data.doc, size: data.size, W: data.windowSize, windows: new Map(), slices: new Map(),
    counts: new Map([['', data.rootCount]]), marks: new Map(), open: new Set(), sel: null, selPath: null, anchor: null,
    selSeq: -1, foundSeq: -1, pendingOffset: null, pendingPath: null, queue: null,
    // asked: what is missing and asked for (key -> seq of the last request that carried it, 0: not sent yet)
    asked: new Map(), tries: new Map(), reqSeq: 0, findAsk: null, findIds: 0, selAt: 0,
    // this mount of the element: reqSeq and findIds start again at 0 in every mount (review F11)
    mount: Array.from(crypto.getRandomValues(new Uint32Array(2)), (x) => x.toString(36)).join(''),
    errorAt: data.error, first: 0, treeRows: new Map(),
    // compact (the Tour, Diff): a hexdump sized to its content, 8 bytes a row in a narrow column
    compact: data.compact || null, cols: 16, digits: 8, visible: VISIBLE,
  };
  if (S.compact) S.digits = Math.max(4, Math.max(1, S.size - 1).toString(16).length);
  const root = el('div', 'fl' + (S.compact ? ' compact' : '')); S.root = root; parent.appendChild(root);
  // toolbar: find, go to
  const bar = el('div', 'bar');
  const find = el('input'); find.placeholder = 'find: text, or hex like 6e 61 6d 65'; find.size = 28; find.className = 'find';
  const mode = el('select', 'mode');
  for (const m of ['text', 'hex']) { const o = el('option', '', m); o.value = m; mode.appendChild(o); }
  const prev = el('button', 'prev', 'Previous'), next = el('button', 'next', 'Next');
  const go = el('input'); go.placeholder = 'offset: 0x1f0 or 496'; go.size = 16; go.className = 'goto';
  const goBtn = el('button', 'go', 'Go to');
  const msg = el('span', 'msg');
  bar.append(find, mode, prev, next, el('span', 'sep'), go, goBtn, el('span', 'sep'), msg);
  root.appendChild(bar);
  S.msg = (text, bad) => { msg.textContent = text; msg.className = 'msg' + (bad ? ' bad' : ''); };
  const doFind = (dir) => {
    let pattern;
    if (mode.value === 'hex') {
      const digits = find.value.replace(/0x|\\x|[\s,]/g, '');
      if (!/^([0-9a-fA-F]{2})+$/.test(digits)) { S.msg('hex needs pairs of digits, like 6e 61 6d 65', true); return; }
      pattern = digits.toLowerCase();
    } else {
      if (!find.value) return;
      pattern = [...new TextEncoder().encode(find.value)].map(hex2).join('');
    }
    const from = S.sel ? (dir > 0 ? S.sel[0] + 1 : S.sel[0]) : 0;
    S.msg('searching...');
    request(S, { find: { pattern, from, dir, id: `${S.doc}.${S.mount}.${++S.findIds}` } });
  };
  next.addEventListener('click', () => doFind(1));
  prev.addEventListener('click', () => doFind(-1));
  find.addEventListener('keydown', (e) => { if (e.key === 'Enter') doFind(e.shiftKey ? -1 : 1); });
  const doGo = () => {
    const t = go.value.trim();
    const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
    if (isNaN(v) || v < 0 || v >= S.size) { S.msg(`an offset from 0 to ${S.size - 1}, like 0x1f0 or 496`, true); return; }
    select(S, v, v + 1, null, { scroll: true, reveal: true, sync: true }); S.msg(`at ${hx(v)}`);
    renderAll(S);
  };
  goBtn.addEventListener('click', doGo);
  go.addEventListener('keydown', (e) => { if (e.key === 'Enter') doGo(); });

  // selection actions
  const selbar = el('div', 'selbar');
  const what = el('span', 'what', S.compact ? 'Hover a byte for what it is; click it to select its field.'
    : 'Nothing selected: click a node or a byte (shift-click extends).');
  S.what = what;
  selbar.appendChild(what);
  const out = el('textarea', 'out'); out.readOnly = true; S.out = out;
  for (const [label, fmt] of [['Copy hex', 'hex'], ['Copy base64', 'base64'], ['Copy C array', 'c'], ['Copy Python bytes', 'python']]) {
    const b = el('button', 'copy-' + fmt, label);
    b.addEventListener('click', () => copySelection(S, fmt));
    selbar.appendChild(b);
  }
  const dl = el('button', 'download', 'Download selection');
  dl.addEventListener('click', () => downloadSelection(S));
  selbar.appendChild(dl);
  root.append(selbar, out);

  const panes = el('div', 'panes');
  // tree
  const tree = el('div', 'pane tree');
  tree.appendChild(el('div', 'head', 'Structure'));
  const treeBody = el('div', 'body'); tree.appendChild(treeBody); S.treeBody = treeBody; S.treePane = tree;
  treeBody.addEventListener('click', (e) => {
    const row = e.target.closest('[data-k]');
    if (!row) return;
    const key = row.dataset.k;
    const toggle = e.target.classList.contains('tw') || row.classList.contains('grp');
    S.tries.clear();  // the person asks again: what was given up on may be asked for once more
    if (toggle) {
      if (S.open.has(key)) S.open.delete(key); else S.open.add(key);
      if (row.classList.contains('grp')) { renderTree(S); return; }
    }
    nodeClicked(S, key);
    if (toggle) { renderTree(S); return; }
    // A plain click moves the highlight only: redrawing a large open tree would cost more than the click.
    S.treeBody.querySelectorAll('.n.sel').forEach((n) => n.classList.remove('sel'));
    row.classList.add('sel');
  });
  // hexdump
  const hex = el('div', 'pane hex');
  const hhead = el('div', 'head', 'Offset      00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f   ASCII');
  hhead.style.whiteSpace = 'pre'; hhead.style.fontFamily = 'ui-monospace, monospace';
  const spacer = el('div', 'spacer'); const vp = el('div', 'vp');
  hex.append(hhead, vp, spacer); S.hexPane = hex; S.vp = vp; S.spacer = spacer; S.hhead = hhead;
  buildRows(S);
  hex.addEventListener('scroll', () => { S.first = firstRow(S); lookAgain(S); renderHex(S); });
  const status = el('div', 'status'); S.status = status;
  const legend = el('div', 'legend'); S.legend = legend;
  vp.addEventListener('click', (e) => {
    const t = e.target.closest('[data-o]');
    if (!t) return;
    const t0 = performance.now();
    byteClicked(S, Number(t.dataset.o), e.shiftKey);
    S.lastLatency = performance.now() - t0;
    S.root.dataset.latency = S.lastLatency.toFixed(1);
  });
  vp.addEventListener('mouseover', (e) => {
    // The label is made on hover, not for every byte drawn (it comes from the data: textContent only).
    const t = e.target.closest('[data-o]');
    if (!t) return;
    const o = Number(t.dataset.o), n = nodeAt(S, o);
    t.title = status.textContent = (n ? `${n[2]}: ${n[3]}` : n === null ? 'not annotated' : 'loading') + `  @${hx(o)} (${o})`;
  });
  const hexCol = el('div'); hexCol.append(hex, legend, status);
  // data inspector
  const insp = el('div', 'pane insp');
  insp.appendChild(el('div', 'head', 'Data inspector'));
  const inspBody = el('div'); insp.appendChild(inspBody); S.inspBody = inspBody;
  if (S.compact) {
    // The legend first, then the bytes; the tree folded under them; the data inspector only when asked.
    hexCol.prepend(legend); panes.appendChild(hexCol);
    if (S.compact.tree) {
      const fold = el('details', 'fold');
      fold.append(el('summary', '', 'Structure'), tree);
      panes.appendChild(fold);
    }
    if (S.compact.data_inspector) panes.appendChild(insp);
    root.appendChild(panes);
    fitColumns(S);
    new ResizeObserver(() => fitColumns(S)).observe(root);
    return S;
  }
  panes.append(tree, hexCol, insp);
  root.appendChild(panes);
  return S;
}

function buildRows(S) {
  // The rows of the hexdump (only those on screen exist): S.cols bytes each, S.visible of them.
  S.rows = Math.max(1, Math.ceil(S.size / S.cols));
  if (S.compact) S.visible = Math.min(S.rows, S.compact.rows);
  S.spacerH = Math.min(S.rows * ROWH, MAXH);
  S.spacer.style.height = Math.max(0, S.spacerH - S.visible * ROWH) + 'px';
  const half = S.cols / 2;
  const cells = (row, offText, byteText, asciiText) => {
    const off = el('span', 'o', offText); row.appendChild(off);
    const bs = [], as = []; const asc = el('span', 'as');
    for (let i = 0; i < S.cols; i++) {
      if (i === half) row.appendChild(el('span', 'g'));
      const b = el('span', 'b', byteText(i)); row.appendChild(b); bs.push(b);
      const a = el('span', 'a', asciiText(i)); asc.appendChild(a); as.push(a);
    }
    row.appendChild(asc);
    return { off, bs, as };
  };
  if (S.compact) {
    // The head is a row like the others (same cells), so its column numbers sit over their bytes.
    const head = el('div', 'r');
    cells(head, ' '.repeat(S.digits), hex2, (i) => ('ASCII'[i] || ' '));
    S.hhead.replaceChildren(head);
    S.hexPane.style.height = (HEADH + S.visible * ROWH) + 'px';
    S.vp.style.top = HEADH + 'px';
  }
  const rows = [];
  for (let r = 0; r < S.visible; r++) {
    const row = el('div', 'r');
    row.__cells = cells(row, undefined, () => undefined, () => undefined);
    rows.push(row);
  }
  S.vp.replaceChildren(...rows);
}

function fitColumns(S) {
  // 16 bytes a row when they fit the column, else 8 (two compact inspectors side by side at 1366 px).
  const room = S.root.clientWidth;
  if (!room) return;  // hidden (a tab not shown): measured when it shows
  if (S.cols === 16) {  // what a 16-byte row needs: its head row's content, the pane's borders and scrollbar
    const hex = S.hexPane;
    S.need16 = S.hhead.firstChild.scrollWidth + hex.offsetWidth - hex.clientWidth;
  }
  const cols = S.need16 <= room ? 16 : 8;
  if (cols === S.cols) return;
  S.cols = cols; S.first = 0;
  buildRows(S);
  if (S.sel) scrollToOffset(S, S.sel[0]);
  renderHex(S);
}

function renderAll(S) { renderTree(S); renderHex(S); renderInspector(S); }

// ---- data from the server -------------------------------------------------------------
function merge(S, data) {
  for (const w of data.windows || []) {
    const bytes = new Uint8Array(w.hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(w.hex.substr(i * 2, 2), 16);
    const inner = new Int32Array(bytes.length);
    let p = 0;
    for (const [n, v] of w.runs) { inner.fill(v, p, p + n); p += n; }
    S.windows.set(w.index, { offset: w.offset, bytes, nodes: w.nodes, inner });
    S.asked.delete('w' + w.index); S.tries.delete('w' + w.index);
  }
  for (const [key, rows] of Object.entries(data.nodes || {})) {
    S.slices.set(key, rows);
    S.asked.delete('n' + key); S.tries.delete('n' + key);
    const path = key.slice(0, key.lastIndexOf('|'));
    rows.forEach((row, i) => {
      const lo = Number(key.slice(key.lastIndexOf('|') + 1));
      S.counts.set(path === '' ? String(lo + i) : path + '/' + (lo + i), row[6]);
    });
  }
  for (const [key, m] of Object.entries(data.marks || {})) S.marks.set(key, m);  // sent with the counts
  if (data.legend) {
    S.legend.replaceChildren();
    for (const kind of data.legend) {
      const c = el('span', 'chip' + (kind === 'unparsed' ? ' unparsed' : ''), kind);
      if (kind === 'unparsed') c.style.background = 'repeating-linear-gradient(135deg, #fff0f3 0 3px, #ffdbe3 3px 6px)';
      else c.style.background = S.colors[kind] || '#eee';
      S.legend.appendChild(c);
    }
  }
}

function settle(S, data) {
  // What the run that made this data was asked (data.answered: the seq of the newest request the server
  // has answered) and did not send back is no longer waited for: drawing asks again for what is still
  // needed. What newer requests carry stays asked: the run answering them is still to come.
  // A try is counted only for a key the run took (data.took: within its per-run caps) and did not send
  // back, a stale key, given up after TRIES. A key past the caps (a window scrolled past while runs were
  // in flight, say) was not refused: it is asked again as often as drawing needs it.
  const answered = data.mount === S.mount ? data.answered || 0 : 0;  // another mount's seqs are not ours
  const took = data.took && data.took.seq === answered
    ? new Set([...data.took.windows.map((w) => 'w' + w), ...data.took.nodes.map((k) => 'n' + k)]) : null;
  for (const [key, seq] of [...S.asked]) {
    if (seq > 0 && seq <= answered) {
      S.asked.delete(key);
      if (took && took.has(key)) S.tries.set(key, (S.tries.get(key) || 0) + 1);
    }
  }
  if (S.findAsk && S.findAsk.seq > 0 && S.findAsk.seq <= answered && !(data.found && data.found.id === S.findAsk.id)) {
    S.findAsk = null; S.msg('the search was not answered: try again', true);
  }
  // A run came back, and needs sent before it are still unanswered: their trigger may have been dropped for
  // a rerun Streamlit ran instead (a click's state), and nothing else would send them again. They go again
  // now, between runs (a trigger that is still coming is coalesced with this one: the newest carries all).
  if (data.mount === S.mount && [...S.asked.values()].some((seq) => seq > answered)) flushSoon(S);
  waiting(S);
}

function waiting(S) { S.root.dataset.waiting = String(S.asked.size + (S.findAsk ? 1 : 0)); }

function request(S, what) {
  // Several needs in one tick travel as one trigger (one rerun of the inspector's fragment). Each trigger
  // carries every need still unanswered, newest first (the server takes the first few): a trigger that
  // Streamlit drops for a newer one, while a run is in flight, loses nothing.
  const need = (key) => {
    if ((S.tries.get(key) || 0) >= TRIES) return;
    if (S.asked.has(key)) { const seq = S.asked.get(key); S.asked.delete(key); S.asked.set(key, seq); return; }
    S.asked.set(key, 0); flushSoon(S);
  };
  if (what.window !== undefined) need('w' + what.window);
  if (what.node !== undefined) need('n' + what.node);
  if (what.find) { S.findAsk = { ...what.find, seq: 0, selAt: S.selAt, selSeq: S.selSeq }; flushSoon(S); }
  waiting(S);
}

function flushSoon(S) {
  if (S.queue) return;
  S.queue = setTimeout(() => {
    S.queue = null;
    const seq = ++S.reqSeq, windows = [], nodes = [];
    for (const key of [...S.asked.keys()].reverse()) {
      S.asked.set(key, seq);
      if (key[0] === 'w') windows.push(Number(key.slice(1))); else nodes.push(key.slice(1));
    }
    const ask = { doc: S.doc, mount: S.mount, windows, nodes, seq, nonce: Math.random() };
    if (S.findAsk) {
      S.findAsk.seq = seq;
      const { pattern, from, dir, id, selAt, selSeq } = S.findAsk;
      ask.find = { pattern, from, dir, id, selAt, selSeq };
    }
    S.trigger('request', ask);
  }, 20);
}

function lookAgain(S) {
  // The person brought these rows into view (a scroll, go to, a find): their windows are asked for again
  // even if given up on, so what is looked at always gets its bytes.
  const last = Math.min(S.size - 1, (S.first + S.visible) * S.cols - 1);
  for (let w = Math.floor(S.first * S.cols / S.W); w <= Math.floor(last / S.W); w++) S.tries.delete('w' + w);
}

function windowAt(S, o) {
  const w = S.windows.get(Math.floor(o / S.W));
  if (!w) request(S, { window: Math.floor(o / S.W) });
  return w;
}

function nodeAt(S, o) {
  const w = windowAt(S, o);
  if (!w) return undefined;
  const i = w.inner[o - w.offset];
  return i >= 0 ? w.nodes[i] : null;
}

function bytesAt(S, start, n) {
  const out = [];
  for (let o = start; o < Math.min(start + n, S.size); o++) {
    const w = windowAt(S, o);
    if (!w) return null;
    out.push(w.bytes[o - w.offset]);
  }
  return Uint8Array.from(out);
}

// ---- selection and sync ---------------------------------------------------------------
function select(S, start, end, path, opts) {
  S.sel = [start, end]; S.selPath = path; S.cursor = start; S.selLabel = null; S.selAt++;
  // A reveal still waiting for data was for an earlier selection: this one replaces it.
  S.pendingOffset = null; S.pendingPath = null; S.scrollTreeTo = null;
  if (opts.scroll) { scrollToOffset(S, start); lookAgain(S); }
  if (opts.reveal) { if (path) reveal(S, path); else revealOffset(S, start, end); }
  if (opts.sync) {
    clearTimeout(S.syncTimer);
    S.syncTimer = setTimeout(() => S.setState('selection', [S.sel[0], S.sel[1], S.mount, S.selAt]), 250);
  }
}

function nodeClicked(S, key) {
  const row = rowOf(S, key);
  if (!row) return;
  let [start, end] = row;
  if (start < 0) {  // a value member without bytes of its own: its nearest ancestor with bytes
    let p = key;
    while (p.includes('/') && start < 0) { p = p.slice(0, p.lastIndexOf('/')); const r = rowOf(S, p); if (r) [start, end] = r; }
    S.msg('this value has no bytes of its own; its container is selected');
  }
  if (start < 0) return;
  select(S, start, end, key, { scroll: true, reveal: false, sync: true });
  renderHex(S); renderInspector(S);
}

function byteClicked(S, o, extend) {
  if (extend && S.sel) {
    const a = S.anchor !== null ? S.anchor : S.sel[0];
    select(S, Math.min(a, o), Math.max(a, o) + 1, null, { scroll: false, reveal: false, sync: true });
  } else {
    const node = nodeAt(S, o);
    S.anchor = o;
    if (node) select(S, node[0], node[1], node[4], { scroll: false, reveal: true, sync: true });
    else select(S, o, o + 1, null, { scroll: false, reveal: true, sync: true });
  }
  renderHex(S); renderTree(S); renderInspector(S);
}

function rowOf(S, key) {
  const cut = key.lastIndexOf('/');
  const parent = cut < 0 ? '' : key.slice(0, cut);
  const i = Number(key.slice(cut + 1));
  const slice = S.slices.get(parent + '|' + (Math.floor(i / GROUP) * GROUP));
  return slice ? slice[i % GROUP] : undefined;
}

function reveal(S, path) {
  // Open every ancestor (and the groups on the way), asking for the slices that are missing.
  S.pendingPath = null;
  const parts = path.split('/');
  let parent = '';
  for (let d = 0; d < parts.length; d++) {
    const i = Number(parts[d]);
    const lo = Math.floor(i / GROUP) * GROUP;
    if (!S.slices.has(parent + '|' + lo)) { request(S, { node: parent + '|' + lo }); S.pendingPath = path; return; }
    const n = S.counts.get(parent);
    if (n > GROUP) openGroups(S, parent, i, 0, n);
    const key = parent === '' ? parts[0] : parent + '/' + parts[d];
    if (d < parts.length - 1) S.open.add(key);
    parent = key;
  }
  S.selPath = path;
  S.scrollTreeTo = path;
}

function openGroups(S, parent, i, lo, hi) {
  while (hi - lo > GROUP) {
    const g = groupSize(hi - lo);
    const gs = lo + Math.floor((i - lo) / g) * g, ge = Math.min(gs + g, hi);
    S.open.add(parent + '#' + gs + '-' + ge);
    lo = gs; hi = ge;
  }
}

function revealOffset(S, o, end) {
  const node = nodeAt(S, o);
  if (node === undefined) { S.pendingOffset = o; S.pendingEnd = end; return; }
  S.pendingOffset = null;
  if (node) {
    // a selection made elsewhere (a finding, the Pickle lab) names the node with exactly its bytes:
    // the deepest node at its start, or the nearest ancestor whose range is the selection
    let path = node[4];
    for (let k = path; end !== undefined && k.includes('/') && !(node[0] === o && node[1] === end); ) {
      k = k.slice(0, k.lastIndexOf('/'));
      const row = rowOf(S, k);
      if (row && row[0] === o && row[1] === end) { path = k; break; }
    }
    reveal(S, path);
    const exact = path !== node[4] || (node[0] === S.sel[0] && node[1] === S.sel[1]);
    if (end === undefined || exact) S.selPath = path;
  }
}

// ---- tree -------------------------------------------------------------------------------
function renderTree(S) {
  const body = S.treeBody;
  const frag = document.createDocumentFragment();
  let rendered = 0;
  const addRow = (key, depth, cls, label, type, range, preview, hasKids, kind) => {
    const row = el('div', 'n ' + cls); row.dataset.k = key;
    row.style.paddingLeft = (4 + depth * 14) + 'px';
    const tw = el('span', 'tw', hasKids ? (S.open.has(key) ? '\u25be' : '\u25b8') : '');
    row.appendChild(tw);
    if (kind) { const sw = el('span', 'sw' + (kind === 'unparsed' ? ' unparsed' : '')); sw.style.background = kind === 'unparsed' ? '#ffdbe3' : (S.colors[kind] || '#eee'); row.appendChild(sw); }
    row.appendChild(el('span', 'lb', label));
    if (type) row.appendChild(el('span', 'ty', type));
    if (range) row.appendChild(el('span', 'rg', range));
    if (preview) row.appendChild(el('span', 'pv', preview));
    if (key === S.selPath) row.classList.add('sel');
    frag.appendChild(row); rendered++;
    return row;
  };
  const children = (parent, lo, hi, depth) => {
    if (rendered > 3000) return;
    if (hi - lo > GROUP) {
      const g = groupSize(hi - lo);
      for (let gs = lo; gs < hi; gs += g) {
        const ge = Math.min(gs + g, hi), key = parent + '#' + gs + '-' + ge;
        const [label, count] = groupText(S.marks.get(parent), gs, ge, S.counts.get(parent));
        addRow(key, depth, 'grp', label, '', '', count, true);
        if (S.open.has(key)) children(parent, gs, ge, depth + 1);
      }
      return;
    }
    for (let i = lo; i < hi; i++) {
      const sliceKey = parent + '|' + (Math.floor(i / GROUP) * GROUP);
      const slice = S.slices.get(sliceKey);
      if (!slice) { request(S, { node: sliceKey }); addRow(sliceKey + ':loading', depth, 'grp', 'loading\u2026', '', '', '', false); return; }
      const r = slice[i % GROUP];
      const key = parent === '' ? String(i) : parent + '/' + i;
      const range = r[0] >= 0 ? `${hx(r[0])}\u2013${hx(r[1])} (${num(r[1] - r[0])} B)` : '';
      addRow(key, depth, r[2] === 'unparsed' ? 'unparsed' : '', r[3], r[4], range, r[5], r[6] > 0, r[0] >= 0 ? r[2] : '');
      if (r[6] > 0 && S.open.has(key)) children(key, 0, r[6], depth + 1);
    }
  };
  children('', 0, S.counts.get('') || 0, 0);
  if (rendered > 3000) frag.appendChild(el('div', 'msg', 'more nodes than shown: collapse some'));
  body.replaceChildren(frag);
  if (S.scrollTreeTo) {
    const target = body.querySelector(`[data-k="${S.scrollTreeTo}"]`);
    if (target) {  // scroll the tree pane only (scrollIntoView would move the whole page too)
      S.scrollTreeTo = null;
      const pane = S.treePane;
      if (target.offsetTop < pane.scrollTop + 30 || target.offsetTop > pane.scrollTop + pane.clientHeight - 30) {
        pane.scrollTop = Math.max(0, target.offsetTop - pane.clientHeight / 3);
      }
    }
  }
}

// ---- hexdump (virtual scrolling: only the rows on screen exist) ----------------------------
function firstRow(S) {
  const maxFirst = Math.max(0, S.rows - S.visible);
  const scrollable = S.hexPane.scrollHeight - S.hexPane.clientHeight;
  if (scrollable <= 0) return 0;
  return Math.min(maxFirst, Math.round(S.hexPane.scrollTop / scrollable * maxFirst));
}

function scrollToOffset(S, o) {
  const row = Math.floor(o / S.cols);
  if (row >= S.first && row < S.first + S.visible - 1) return;
  const maxFirst = Math.max(0, S.rows - S.visible);
  const first = Math.max(0, Math.min(maxFirst, row - 4));
  S.first = first;
  const scrollable = S.hexPane.scrollHeight - S.hexPane.clientHeight;
  if (maxFirst > 0 && scrollable > 0) S.hexPane.scrollTop = first / maxFirst * scrollable;
}

function renderHex(S) {
  const sel = S.sel || [-1, -1];
  S.vp.childNodes.forEach((row, r) => {
    const { off, bs, as } = row.__cells;
    const base = (S.first + r) * S.cols;
    if (base >= S.size) {  // past the end: hidden, and nothing left over from an earlier draw
      row.style.visibility = 'hidden';
      for (const c of [...bs, ...as]) { c.className = c === bs[0] || bs.includes(c) ? 'b' : 'a'; c.removeAttribute('data-o'); }
      return;
    }
    row.style.visibility = '';
    off.textContent = base.toString(16).padStart(S.digits, '0');
    const w = windowAt(S, base);
    for (let i = 0; i < S.cols; i++) {
      const o = base + i, b = bs[i], a = as[i];
      if (o >= S.size) { b.textContent = '  '; a.textContent = ' '; b.className = 'b'; a.className = 'a'; b.removeAttribute('data-o'); a.removeAttribute('data-o'); b.style.background = a.style.background = ''; continue; }
      b.dataset.o = o; a.dataset.o = o;
      if (!w) { b.textContent = '..'; a.textContent = '.'; b.className = 'b pend'; a.className = 'a pend'; b.style.background = a.style.background = ''; continue; }
      const v = w.bytes[o - w.offset];
      b.textContent = hex2(v);
      a.textContent = v >= 32 && v < 127 ? String.fromCharCode(v) : '.';
      const n = w.inner[o - w.offset] >= 0 ? w.nodes[w.inner[o - w.offset]] : null;
      let cls = '';
      if (n && n[2] === 'unparsed') cls = ' unparsed';
      else if (n) cls = ' k';  // a pastel kind color: dark text on it in either theme
      b.style.background = a.style.background = n && n[2] !== 'unparsed' ? (S.colors[n[2]] || '#eee') : '';
      if (o >= sel[0] && o < sel[1]) cls += ' sel';
      if (o === S.errorAt) cls += ' err';
      b.className = 'b' + cls; a.className = 'a' + cls;
    }
  });
  if (S.sel) {
    const [s, e] = S.sel;
    const node = S.selPath ? rowOf(S, S.selPath) : null;
    // a node is named when the selection is its bytes; else, in compact mode, what the server called it
    const name = node && node[0] === s && node[1] === e ? node[3] : S.compact ? S.selLabel : node && node[3];
    S.what.textContent = `Selected ${hx(s)}\u2013${hx(e)} (${num(e - s)} byte${e - s === 1 ? '' : 's'})` + (name ? `: ${name}` : '');
    S.what.title = S.what.textContent;
  }
}

// ---- data inspector ---------------------------------------------------------------------
function f16(bits) {
  const s = bits >> 15 ? -1 : 1, e = (bits >> 10) & 31, f = bits & 1023;
  if (e === 0) return s * f * Math.pow(2, -24);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * Math.pow(2, e - 15);
}
function isoTime(ms) {
  if (!isFinite(ms) || Math.abs(ms) > 8.64e15) return '\u2014';
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
function renderInspector(S) {
  const body = S.inspBody;
  if (!S.sel) { body.replaceChildren(el('div', 'sub', 'Select bytes to see them as numbers, times and text.')); return; }
  const start = S.sel[0], len = S.sel[1] - S.sel[0];
  const b = bytesAt(S, start, Math.max(10, Math.min(len, 64)));
  if (!b) { body.replaceChildren(el('div', 'sub', 'loading\u2026')); return; }
  const dv = new DataView(b.buffer);
  const has = (n) => b.length >= n;
  const tables = [el('table'), el('table')];
  let table = tables[0];
  for (const t of tables) {
    const head = el('tr');
    head.append(el('th', '', 'type'), el('th', '', 'little-endian'), el('th', '', 'big-endian'));
    t.appendChild(head);
  }
  const row = (name, le, be) => {
    const tr = el('tr'); tr.dataset.t = name; tr.appendChild(el('td', 'k', name));
    if (be === undefined) { const td = el('td', 'v', String(le)); td.colSpan = 2; tr.appendChild(td); }
    else { tr.append(el('td', 'le', String(le)), el('td', 'be', String(be))); }
    table.appendChild(tr);
  };
  const na = '\u2014';
  row('u8', has(1) ? dv.getUint8(0) : na); row('i8', has(1) ? dv.getInt8(0) : na);
  row('u16', has(2) ? dv.getUint16(0, true) : na, has(2) ? dv.getUint16(0, false) : na);
  row('i16', has(2) ? dv.getInt16(0, true) : na, has(2) ? dv.getInt16(0, false) : na);
  row('u32', has(4) ? dv.getUint32(0, true) : na, has(4) ? dv.getUint32(0, false) : na);
  row('i32', has(4) ? dv.getInt32(0, true) : na, has(4) ? dv.getInt32(0, false) : na);
  row('u64', has(8) ? dv.getBigUint64(0, true) : na, has(8) ? dv.getBigUint64(0, false) : na);
  row('i64', has(8) ? dv.getBigInt64(0, true) : na, has(8) ? dv.getBigInt64(0, false) : na);
  row('f16', has(2) ? f16(dv.getUint16(0, true)) : na, has(2) ? f16(dv.getUint16(0, false)) : na);
  row('f32', has(4) ? dv.getFloat32(0, true) : na, has(4) ? dv.getFloat32(0, false) : na);
  row('f64', has(8) ? dv.getFloat64(0, true) : na, has(8) ? dv.getFloat64(0, false) : na);
  table = tables[1];
  // varint (LEB128, as protobuf writes it)
  let v = 0n, shift = 0n, n = 0, done = false;
  for (; n < Math.min(b.length, 10); n++) { v |= BigInt(b[n] & 127) << shift; shift += 7n; if (!(b[n] & 128)) { done = true; n++; break; } }
  row('varint', done ? `${v} (${n} B)` : na);
  row('zigzag varint', done ? `${(v >> 1n) ^ -(v & 1n)}` : na);
  row('unix s (u32)', has(4) ? isoTime(dv.getUint32(0, true) * 1000) : na, has(4) ? isoTime(dv.getUint32(0, false) * 1000) : na);
  row('unix ms (i64)', has(8) ? isoTime(Number(dv.getBigInt64(0, true))) : na, has(8) ? isoTime(Number(dv.getBigInt64(0, false))) : na);
  row('unix \u00b5s (i64)', has(8) ? isoTime(Number(dv.getBigInt64(0, true)) / 1000) : na, has(8) ? isoTime(Number(dv.getBigInt64(0, false)) / 1000) : na);
  const sel = b.slice(0, Math.min(len, 64));
  let utf8;
  try { utf8 = JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(sel)); } catch (err) { utf8 = 'not valid UTF-8'; }
  row('UTF-8', utf8);
  const u16 = (label) => { try { return JSON.stringify(new TextDecoder(label, { fatal: true }).decode(sel.slice(0, sel.length - (sel.length % 2)))); } catch (err) { return 'not valid UTF-16'; } };
  row('UTF-16', u16('utf-16le'), u16('utf-16be'));
  row('bits', [...b.slice(0, Math.min(len, 4))].map((x) => x.toString(2).padStart(8, '0')).join(' '));
  const sub = el('div', 'sub', `from ${hx(start)}` + (len > 64 ? ' (text: first 64 bytes)' : ''));
  const cols = el('div', 'cols'); cols.append(...tables);
  body.replaceChildren(sub, cols);
}

// ---- selection actions ------------------------------------------------------------------
const LIMIT = 65536;
function selectionBytes(S) {
  if (!S.sel) { S.msg('select something first', true); return null; }
  const [s, e] = S.sel;
  if (e - s > LIMIT) { S.msg(`the selection is over ${num(LIMIT)} bytes: use the download under the inspector`, true); return null; }
  const b = bytesAt(S, s, e - s);
  if (!b) { S.msg('loading the selected bytes: try again in a moment'); return null; }
  return b;
}
function copySelection(S, fmt) {
  const b = selectionBytes(S);
  if (!b) return;
  let text;
  if (fmt === 'hex') text = [...b].map(hex2).join(' ');
  else if (fmt === 'base64') text = btoa(String.fromCharCode(...b));
  else if (fmt === 'c') text = `unsigned char data[${b.length}] = {` + [...b].map((x) => '0x' + hex2(x)).join(', ') + '};';
  else text = "b'" + [...b].map((x) => x >= 32 && x < 127 && x !== 39 && x !== 92 ? String.fromCharCode(x) : '\\x' + hex2(x)).join('') + "'";
  S.out.style.display = 'block'; S.out.value = text; S.out.dataset.fmt = fmt;
  const done = () => S.msg(`copied ${num(b.length)} bytes as ${fmt}`);
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => { S.out.select(); S.msg('copy the text below (the browser refused the clipboard)'); });
  else { S.out.select(); S.msg('copy the text below'); }
}
function downloadSelection(S) {
  const b = selectionBytes(S);
  if (!b) return;
  const url = URL.createObjectURL(new Blob([b], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url; a.download = `selection-${S.sel[0]}-${S.sel[1]}.bin`;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
