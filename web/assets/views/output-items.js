import { badge, h, pre, replace, table } from '../dom.js';
import { contentText, criterionName, num } from '../format.js';

const PAGE = 50;
const FILTERS = [['all', 'All'], ['pass', 'Passed'], ['fail', 'Failed']];

/**
 * The output items of a run: a table with one column per criterion, rows that expand to the item, the sample
 * and each grader's sample, a pass/fail filter and cursor pagination. `tail()` appends items that arrived after
 * the last one shown (live refresh); `reload()` fetches again as many as are shown.
 */
export function outputItems(ctx, evalId, runId, criteria) {
  const { api, signal } = ctx;
  let filter = 'all';
  let after = null;
  let hasMore = false;
  let shown = new Set();
  const expanded = new Set();
  const columns = 3 + criteria.length;

  const tbody = h('tbody');
  const empty = h('p', { class: 'muted empty', hidden: true });
  const count = h('span', { class: 'muted' });
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const filterButtons = FILTERS.map(([value, label]) => h('button', {
    type: 'button', 'aria-pressed': String(value === filter), onclick: () => setFilter(value),
  }, label));

  // One load at a time: the live refresh, "Load more" and the filter must not interleave their cursors.
  let queue = Promise.resolve();
  const serial = (fn) => (queue = queue.then(fn, fn));
  const guarded = (fn) => serial(fn).catch(ctx.fail);

  const list = (cursor) => api.evals.runs.outputItems.list(runId, {
    eval_id: evalId, order: 'asc', limit: PAGE, ...(filter !== 'all' && { status: filter }), ...(cursor && { after: cursor }),
  }, { signal });

  function update() {
    empty.hidden = shown.size > 0;
    replace(empty, filter === 'all' ? 'No output items yet.' : `No ${filter === 'pass' ? 'passing' : 'failing'} items.`);
    replace(count, `${num(shown.size)} item${shown.size === 1 ? '' : 's'} shown`);
    moreButton.hidden = !hasMore;
  }

  function add(page, target, seen) {
    for (const item of page.data ?? []) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      target.append(...rows(item));
    }
    const data = page.data ?? [];
    if (data.length) after = data[data.length - 1].id;
    hasMore = Boolean(page.has_more) && data.length > 0;
  }

  /** Fetches again from the start, at least as many items as are on screen, and swaps them in at once. */
  async function refetch() {
    const want = Math.max(shown.size, 1);
    const fresh = document.createDocumentFragment();
    const seen = new Set();
    after = null;
    do add(await list(after), fresh, seen); while (hasMore && seen.size < want);
    shown = seen;
    tbody.replaceChildren(fresh);
    update();
  }

  async function nextPage() {
    add(await list(after), tbody, shown);
    update();
  }

  const reload = () => serial(refetch);
  const next = () => serial(nextPage);
  /** Appends what arrived after the last item, unless there are unloaded pages (the user asks for those). */
  const tail = () => (hasMore ? Promise.resolve() : next());

  function setFilter(value) {
    if (value === filter) return;
    filter = value;
    filterButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(FILTERS[i][0] === value)));
    guarded(() => { shown = new Set(); return refetch(); });
  }

  moreButton.addEventListener('click', async () => {
    moreButton.disabled = true;
    await next().catch(ctx.fail);
    moreButton.disabled = false;
  });

  /** An item's row, plus its detail row when it was open before a reload. */
  function rows(item) {
    const row = h('tr', { class: 'item' });
    const toggle = h('button', { type: 'button', class: 'toggle', 'aria-label': 'Details', 'aria-expanded': 'false' }, '▸');
    let detailRow = null;
    const open = (on) => {
      toggle.setAttribute('aria-expanded', String(on));
      replace(toggle, on ? '▾' : '▸');
      row.classList.toggle('open', on);
      if (on) expanded.add(item.id); else expanded.delete(item.id);
      if (on) detailRow ??= h('tr', { class: 'detail' }, h('td', { colspan: columns }, detail(item)));
      if (on) row.after(detailRow); else detailRow?.remove();
    };
    row.addEventListener('click', (e) => {
      if (window.getSelection()?.toString()) return; // selecting text to copy is not a click
      open(!row.classList.contains('open'));
    });
    const status = item.sample?.error ? 'error' : item.status;
    row.append(h('td', null, toggle), h('td', { class: 'num' }, String(item.datasource_item_id)), h('td', null, badge(status)),
      ...criteria.map((c) => h('td', null, resultCell(findResult(item, c)))));
    if (!expanded.has(item.id)) return [row];
    open(true); // row has no parent yet, so open() only builds detailRow
    return [row, detailRow];
  }

  const root = h('div', { class: 'card flush items' },
    h('div', { class: 'items-head' },
      h('h2', null, 'Output items'),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Filter by result' }, filterButtons)),
    table(['', '#', 'Status', ...criteria.map((c) => c.name)], tbody, 'items-table'),
    empty,
    h('div', { class: 'pager' }, count, moreButton));

  return { root, reload, tail };
}

function findResult(item, criterion) {
  const results = Array.isArray(item.results) ? item.results : [];
  return results.find((r) => r.name === criterion.id) ?? results.find((r) => criterionName(r.name) === criterion.name);
}

const score = (n) => (typeof n === 'number' ? String(Math.round(n * 1000) / 1000) : '—');

function resultCell(r) {
  if (!r) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `result ${r.passed ? 'pass' : 'fail'}`, title: r.passed ? 'passed' : 'failed' }, r.passed ? '✓ ' : '✗ ', score(r.score));
}

/** The expanded row: the datasource item, the sample (messages, error, model facts), each grader's result. */
function detail(item) {
  const s = item.sample ?? {};
  const results = Array.isArray(item.results) ? item.results : [];
  return h('div', { class: 'detail-grid' },
    h('section', null, h('h3', null, 'Datasource item'), pre(item.datasource_item ?? {})),
    h('section', null,
      h('h3', null, 'Sample'),
      s.error && h('p', { class: 'notice error' }, h('strong', null, s.error.code || 'error'), ': ', s.error.message ?? ''),
      messages('Input', s.input),
      messages('Output', s.output),
      facts(s)),
    h('section', { class: 'wide' },
      h('h3', null, 'Grader results'),
      results.length === 0 && h('p', { class: 'muted' }, 'Not graded.'),
      results.map((r) => h('div', { class: 'grader' },
        h('div', { class: 'grader-head' },
          h('strong', null, criterionName(r.name)), r.type && h('span', { class: 'tag' }, r.type),
          badge(r.passed ? 'pass' : 'fail'), h('span', { class: 'muted' }, `score ${score(r.score)}`)),
        r.sample && Object.keys(r.sample).length > 0 && pre(r.sample)))));
}

function messages(label, list) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return h('div', { class: 'messages' },
    h('h4', null, label),
    list.map((m) => h('div', { class: 'msg' },
      h('span', { class: 'role' }, String(m?.role ?? '—')),
      h('div', { class: 'text' }, contentText(m?.content)),
      Array.isArray(m?.tool_calls) && m.tool_calls.length > 0 && pre(m.tool_calls))));
}

function facts(s) {
  const items = [
    ['model', s.model], ['finish reason', s.finish_reason],
    ['tokens', s.usage?.total_tokens ? `${num(s.usage.prompt_tokens)} in · ${num(s.usage.completion_tokens)} out` : null],
    ['temperature', s.temperature], ['top_p', s.top_p], ['seed', s.seed], ['max tokens', s.max_completion_tokens],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (items.length === 0) return null;
  return h('dl', { class: 'kv' }, items.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, String(v)))));
}
