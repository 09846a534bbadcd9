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
