import { ext } from '../api.js';
import { badge, h, query, replace, select, setQuery } from '../dom.js';
import { clip, inputText, itemState, num, outputText, score } from '../format.js';
import { itemDetail } from './item-detail.js';

const PAGE = 50;

const searchPath = (evalId, runId) => `/evals/${encodeURIComponent(evalId)}/runs/${encodeURIComponent(runId)}/item_search`;

/** item_search's query for the URL's filters and sort. */
function params(after, limit = PAGE) {
  const s = query();
  return {
    q: s.q, status: s.status, criterion: s.criterion, criterion_passed: s.criterion ? (s.cpass ?? 'false') : null,
    sort: s.sort === 'score' && s.score_of ? 'score' : null, score_criterion: s.sort === 'score' ? s.score_of : null,
    order: s.sort === 'score' ? s.order : null, after, limit,
  };
}

/**
 * The first page of items for the URL's filters. The run page asks for it with the eval and the run, so
 * the table's first load does not wait for them (it needs the criteria only to draw).
 */
export function firstItems(ctx, evalId, runId) {
  const page = ext(searchPath(evalId, runId), params(null), ctx.signal);
  page.catch(() => {}); // a failure is reported by the table's first load, not as an unhandled rejection
  return page;
}

/**
 * A run's items, searched, filtered and sorted by the server (item_search): one row per item with its
 * rendered input, output, each criterion's score and pass, and its state (errored apart from failed).
 * Every control and the open item live in the URL. Keys: j/k move, Enter opens, Escape closes, / searches.
 * `prefetched` is firstItems(…) started earlier, or null.
 */
export function itemsTable(ctx, evalId, runId, criteria, prefetched = null) {
  const path = searchPath(evalId, runId);
  const q = () => query();
  let first = prefetched; // firstItems(…), used by the first load
  let items = [];
  let hasMore = false;
  let selected = -1;
  let loading = Promise.resolve();

  const tbody = h('tbody');
  const empty = h('p', { class: 'muted empty', hidden: true });
  const count = h('span', { class: 'muted count' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => guarded(() => load(true)) }, 'Load more');
  const detail = h('div', { class: 'detail-slot' });

  const search = h('input', { type: 'search', name: 'q', value: q().q ?? '', placeholder: 'Search input and output…', 'aria-label': 'Search items', class: 'search' });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => change({ q: search.value.trim() }), 250);
  });
  const critOptions = [['', 'Any criterion'], ...criteria.flatMap((c) => [[`${c.id}:true`, `${c.name} passed`], [`${c.id}:false`, `${c.name} failed`]])];
  const sortOptions = [['row', 'Row order'], ...criteria.flatMap((c) => [[`score:${c.id}:asc`, `${c.name} score ↑`], [`score:${c.id}:desc`, `${c.name} score ↓`]])];
  const controls = () => {
    const s = q();
    const crit = s.criterion ? `${s.criterion}:${s.cpass ?? 'false'}` : '';
    const sort = s.sort === 'score' && s.score_of ? `score:${s.score_of}:${s.order === 'desc' ? 'desc' : 'asc'}` : 'row';
    return h('div', { class: 'filters' },
      search,
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Status' }, [['', 'All'], ['passed', 'Passed'], ['failed', 'Failed'], ['errored', 'Errored']].map(([v, text]) =>
        h('button', { type: 'button', 'data-status': v || 'all', 'aria-pressed': String((s.status ?? '') === v), onclick: () => change({ status: v }) }, text))),
      criteria.length > 0 && select('Criterion filter', critOptions, crit, (v) => {
        const i = v.lastIndexOf(':');
        change(v ? { criterion: v.slice(0, i), cpass: v.slice(i + 1) } : { criterion: null, cpass: null });
      }),
      select('Sort', sortOptions, sort, (v) => {
        if (v === 'row') return change({ sort: null, score_of: null, order: null });
        const [, id, order] = /^score:(.*):(asc|desc)$/.exec(v);
        change({ sort: 'score', score_of: id, order });
      }),
      count);
  };
  const controlSlot = h('div', null, controls());

  const columns = ['#', 'Status', 'Input', 'Output', ...criteria.map((c) => c.name)];
  const root = h('div', { class: 'card flush items' },
    h('div', { class: 'items-head' }, h('h2', null, 'Output items'), controlSlot),
    detail,
    h('div', { class: 'table-wrap' }, h('table', { class: 'items-table' }, h('thead', null, h('tr', null, columns.map((c) => h('th', null, c)))), tbody)),
    empty, h('div', { class: 'pager' }, more));

  const serial = (fn) => (loading = loading.then(fn, fn));
  const guarded = (fn) => serial(fn).catch(ctx.fail);

  async function load(append) {
    const prefetched = !append && first;
    first = null;
    const page = await (prefetched || ext(path, params(append ? items.at(-1)?.id : null, append ? PAGE : Math.max(PAGE, Math.min(100, items.length))), ctx.signal));
    items = append ? items.concat(page.data) : page.data;
    hasMore = page.has_more;
    draw();
  }

  function draw() {
    replace(tbody, items.map((item, i) => row(item, i)));
    const s = q();
    const filtered = s.q || s.status || s.criterion;
    empty.hidden = items.length > 0;
    replace(empty, filtered ? 'No items match these filters.' : 'No output items yet.');
    replace(count, `${num(items.length)}${hasMore ? '+' : ''} item${items.length === 1 ? '' : 's'}${filtered ? ' matching' : ''}`);
    more.hidden = !hasMore;
    if (selected >= items.length) selected = items.length - 1;
    mark();
  }

  function row(item, i) {
    const state = itemState(item);
    const results = new Map((item.results ?? []).map((r) => [r.name, r]));
    return h('tr', { class: `item-row state-${state}`, 'data-item': item.id, tabindex: -1, onclick: () => { selected = i; open(item.id); } },
      h('td', { class: 'num' }, String(item.datasource_item_id)),
      h('td', null, badge(state === 'errored' ? 'error' : state === 'passed' ? 'pass' : 'fail')),
      h('td', { class: 'clip' }, clip(inputText(item))),
      h('td', { class: 'clip' }, state === 'errored' && !outputText(item) ? h('span', { class: 'errored-text' }, clip(item.sample.error.message ?? '', 100)) : clip(outputText(item), 100)),
      criteria.map((c) => {
        const r = results.get(c.id);
        if (!r || state === 'errored' && r.sample?.error) return h('td', { class: 'muted' }, '—');
        return h('td', { class: r.passed ? 'pass' : 'fail' }, `${score(r.score)} `, h('span', { class: 'mark' }, r.passed ? '✓' : '✗'));
      }));
  }

  function mark() {
    tbody.querySelectorAll('tr.selected').forEach((tr) => tr.classList.remove('selected'));
    const tr = tbody.children[selected];
    if (tr) {
      tr.classList.add('selected');
      tr.scrollIntoView?.({ block: 'nearest' });
    }
  }

  function change(changes) {
    setQuery({ ...changes, item: null });
    selected = -1;
    replace(controlSlot, controls());
    if ('q' in changes) search.focus();
    showDetail();
    guarded(() => load(false));
  }

  function open(itemId) {
    setQuery({ item: itemId }, true);
    showDetail();
  }

  function showDetail() {
    const itemId = q().item;
    if (!itemId) return detail.replaceChildren();
    itemDetail(ctx, evalId, runId, itemId, criteria, () => { setQuery({ item: null }); showDetail(); })
      .then((el) => { if (q().item === itemId) replace(detail, el); }, ctx.fail);
  }

  const onKey = (e) => {
    if (e.target.closest?.('input, textarea, select') || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.key === 'j' || e.key === 'k') {
      if (items.length === 0) return;
      selected = Math.max(0, Math.min(items.length - 1, selected + (e.key === 'j' ? 1 : -1)));
      mark();
    } else if (e.key === 'Enter' && selected >= 0 && items[selected]) {
      open(items[selected].id);
    } else if (e.key === 'Escape' && q().item) {
      setQuery({ item: null });
      showDetail();
    } else if (e.key === '/') {
      e.preventDefault();
      search.focus();
    } else return;
    e.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('keydown', onKey), { once: true });

  showDetail();
  return { root, reload: () => serial(() => load(false)) };
}
