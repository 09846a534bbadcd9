import { badge, bar, h, link, pre, replace, table } from '../dom.js';
import { trend } from '../charts.js';
import { ago, dataSourceLabel, isActive, num, pct, time } from '../format.js';

const REFRESH_MS = 3000;

/**
 * `/evals/{eval_id}`: the eval, pass rate per run over time, its runs, its criteria. The run list refreshes
 * every few seconds while the page is visible, so runs started elsewhere appear and running ones finish on
 * screen (one list request: cheap next to a person looking at the page).
 */
export async function evalView(ctx, evalId) {
  const { api, signal } = ctx;
  const listRuns = () => api.evals.runs.list(evalId, { order: 'desc', limit: 100 }, { signal });
  const [ev, firstPage] = await Promise.all([api.evals.retrieve(evalId, { signal }), listRuns()]);
  ctx.setTitle(ev.name || ev.id);
  ctx.setCrumbs(link('Evals'), ev.name || ev.id);

  let runs = firstPage.data;
  const chart = h('div', { class: 'card trend-card' });
  const tbody = h('tbody');
  const live = h('p', { class: 'live muted', 'aria-live': 'polite' });
  const runsBox = h('div');
  let shape = -1;
  let pickerRuns = null;
  const base = h('select', { 'aria-label': 'Baseline run' });
  const candidate = h('select', { 'aria-label': 'Candidate run' });
  const compare = h('form', { class: 'inline-form compare-form', onsubmit: (e) => {
    e.preventDefault();
    if (base.value && candidate.value) location.assign(`/evals/${encodeURIComponent(evalId)}/compare?base=${encodeURIComponent(base.value)}&candidate=${encodeURIComponent(candidate.value)}`);
  } }, 'Compare ', base, ' → ', candidate, h('button', { type: 'submit', class: 'secondary' }, 'Compare'));

  function render() {
    replace(tbody, runs.map(runRow));
    const done = runs.filter((r) => r.status === 'completed' && graded(r) > 0).reverse();
    replace(chart, h('h2', null, 'Pass rate per run'),
      done.length ? trend(done.map((r) => ({ rate: r.result_counts.passed / graded(r), label: `${r.name || r.id} · ${time(r.created_at)}` })))
        : h('p', { class: 'muted' }, 'No completed run yet.'),
      h('p', { class: 'muted note' }, 'Completed runs in the order they were made, oldest first; the rate is of graded items (errored items left out).'));
    const ids = runs.map((r) => r.id).join();
    if (ids !== pickerRuns) {
      pickerRuns = ids;
      const options = runs.map((r) => h('option', { value: r.id }, `${r.name || r.id} · ${time(r.created_at)}`));
      const keep = [base.value, candidate.value];
      replace(base, options.map((o) => o.cloneNode(true)));
      replace(candidate, options);
      // By default the newest finished run against the one before it (a failed or running run compares badly).
      const done = runs.filter((r) => r.status === 'completed');
      const [newest, previous] = done.length >= 2 ? done : runs;
      base.value = keep[0] || previous?.id || '';
      candidate.value = keep[1] || newest?.id || '';
    }
    live.textContent = runs.some((r) => isActive(r.status)) ? `Live: a run is going; refreshing every ${REFRESH_MS / 1000} s.` : '';
    // Rebuilt only when its shape changes, so a refresh never takes the focus from the compare pickers.
    const nextShape = Math.min(runs.length, 2);
    if (nextShape === shape) return;
    shape = nextShape;
    replace(runsBox, runs.length === 0
      ? h('p', { class: 'card notice muted' }, 'No runs yet.')
      : [runs.length > 1 && h('div', { class: 'card' }, compare), h('div', { class: 'card flush' }, table(['Run', 'Status', 'Results', 'Model', 'Data source', 'Created'], tbody, 'runs'))]);
  }
  render();

  (async () => {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, REFRESH_MS));
      if (signal.aborted || document.hidden) continue;
      try {
        runs = (await listRuns()).data;
        render();
      } catch (e) {
        if (e?.status === 401) return ctx.fail(e);
      }
    }
  })();

  const criteria = Array.isArray(ev.testing_criteria) ? ev.testing_criteria : [];
  return h('section', null,
    h('h1', null, ev.name || ev.id),
    h('dl', { class: 'meta' },
      h('div', null, h('dt', null, 'ID'), h('dd', { class: 'id' }, ev.id)),
      h('div', null, h('dt', null, 'Created'), h('dd', { title: ago(ev.created_at) }, time(ev.created_at))),
      h('div', null, h('dt', null, 'Data source'), h('dd', null, ev.data_source_config?.type ?? '—'))),
    chart,
    h('h2', null, 'Runs'), live, runsBox,
    h('h2', null, `Testing criteria (${criteria.length})`),
    h('div', { class: 'criteria' }, criteria.map(criterionCard)),
    h('details', { class: 'card' }, h('summary', null, 'Data source config'), pre(ev.data_source_config)),
    ev.metadata && Object.keys(ev.metadata).length > 0 && h('details', { class: 'card' }, h('summary', null, 'Metadata'), pre(ev.metadata)));
}

const graded = (r) => (r.result_counts?.passed ?? 0) + (r.result_counts?.failed ?? 0);

function runRow(run) {
  const c = run.result_counts ?? {};
  const g = graded(run);
  return h('tr', { 'data-run': run.id },
    h('td', { class: 'name' }, link(run.name || run.id, run.eval_id, run.id)),
    h('td', null, badge(run.status), run.status === 'failed' && run.error && h('div', { class: 'errored-text small' }, run.error.message)),
    h('td', { class: 'run-results' },
      bar([[c.passed, 'passed', 'passed'], [c.failed, 'failed', 'failed'], [c.errored, 'errored', 'errored']], c.total, 'result counts'),
      h('span', { class: 'muted' }, `${num(c.passed)} / ${num(g)} graded passed (${pct(c.passed, g)})`,
        c.errored ? ` · ${num(c.errored)} errored, not in the rate` : '', isActive(run.status) ? ` · ${num(c.total)} done so far` : '')),
    h('td', { class: 'nowrap' }, run.model || '—'),
    h('td', null, dataSourceLabel(run.data_source)),
    h('td', { class: 'nowrap', title: time(run.created_at) }, ago(run.created_at)));
}

/** One criterion: its name and type, the settings that decide pass/fail, the full definition folded away. */
function criterionCard(c) {
  return h('article', { class: 'card criterion' },
    h('header', null, h('strong', null, c.name ?? '—'), h('span', { class: 'tag' }, c.type ?? '?')),
    h('dl', { class: 'kv' }, summary(c).map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    h('details', null, h('summary', null, 'Definition'), pre(c)));
}

function summary(c) {
  const out = [];
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') out.push([k, typeof v === 'string' ? v : JSON.stringify(v)]); };
  switch (c.type) {
    case 'string_check': add('check', `${c.input} ${c.operation} ${c.reference}`); break;
    case 'text_similarity': add('metric', c.evaluation_metric); add('compare', `${c.input} ~ ${c.reference}`); add('pass at', c.pass_threshold); break;
    case 'label_model': add('model', c.model); add('labels', (c.labels ?? []).join(', ')); add('passing', (c.passing_labels ?? []).join(', ')); break;
    case 'score_model': add('model', c.model); add('range', c.range); add('pass at', c.pass_threshold); break;
    case 'python': add('pass at', c.pass_threshold); break;
    default: add('pass at', c.pass_threshold);
  }
  return out;
}
