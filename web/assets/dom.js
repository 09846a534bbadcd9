// Every piece of API data reaches the page through text nodes or attributes, never innerHTML: item contents,
// names and errors are untrusted.

/**
 * Builds an element. `props`: `class`, `on<event>` handlers, `style` (an object) and plain attributes
 * (null/false skip one). Children: nodes, strings/numbers (as text), arrays, null/false (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children as h() does. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A link inside the dashboard; path segments are encoded here. */
export function link(text, evalId, runId) {
  let href = '/';
  if (evalId) href = `/evals/${encodeURIComponent(evalId)}`;
  if (evalId && runId) href += `?run_id=${encodeURIComponent(runId)}`;
  return h('a', { href }, text);
}

/** A coloured status pill: run statuses, pass / fail / error. */
export const badge = (status) => h('span', { class: `badge badge-${String(status).replace(/[^a-z_]/gi, '')}` }, String(status).replace('_', ' '));

/** A horizontal stacked bar; `parts` are [count, className, label]. */
export function bar(parts, total, label) {
  const el = h('div', { class: 'bar', role: 'img', 'aria-label': label });
  if (total > 0) {
    for (const [count, cls, what] of parts) {
      if (count > 0) el.append(h('span', { class: cls, title: `${count} ${what}`, style: { width: `${(100 * count) / total}%` } }));
    }
  }
  return el;
}

/** Pretty JSON in a <pre>, or the string itself when it is one. */
export const pre = (value) => h('pre', { class: 'json' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** A scrollable table. `body`: a <tbody> to fill later, or rows as arrays of cells (nodes or text) or <tr>s. */
export function table(headers, body, className = '') {
  const tbody = body instanceof Node ? body
    : h('tbody', null, body.map((r) => (r instanceof Node ? r : h('tr', null, r.map((c) => h('td', null, c))))));
  return h('div', { class: 'table-wrap' },
    h('table', { class: className || null }, h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))), tbody));
}

/** The current URL's query as an object. */
export const query = () => Object.fromEntries(new URLSearchParams(location.search));

/**
 * Changes the URL's query (null/'' removes a key) without reloading: filters, sort and the open item live
 * there, so every state is a shareable link. `push` adds a history entry (opening an item), else replaces.
 */
export function setQuery(changes, push = false) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const url = `${location.pathname}?${params}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

/** A labelled <select> of [value, text] options. */
export function select(label, options, value, onchange, attrs = {}) {
  const el = h('select', { 'aria-label': label, ...attrs, onchange: (e) => onchange(e.target.value) },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return el;
}
