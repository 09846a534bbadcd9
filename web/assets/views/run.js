import { ext, isAbort, isAuthError } from '../api.js';
import { badge, h, link, replace, table, bar } from '../dom.js';
import { ago, criterionName, dataSourceLabel, isActive, num, pct, time } from '../format.js';
import { runActions } from './run-actions.js';
import { progressCard } from './progress.js';
import { histogramCards } from './histograms.js';
import { firstItems, itemsTable } from './items-table.js';

const REFRESH_MS = 2000;

/** `/evals/{eval_id}?run_id={run_id}` (a run's report_url): the run, live while it is queued or running. */
export async function runView(ctx, evalId, runId) {
  const { api, signal } = ctx;
  const base = `/evals/${encodeURIComponent(evalId)}/runs/${encodeURIComponent(runId)}`;
  // Histograms scan every score of the run (a fraction of a second at 10^6 items): they fill in after the
  // first render instead of holding it up.
  const histogramsLoaded = ext(`${base}/score_histograms`, { bins: 20 }, signal);
  histogramsLoaded.catch(() => {});
  const itemsLoaded = firstItems(ctx, evalId, runId);
  const [ev, first, firstProgress] = await Promise.all([
    api.evals.retrieve(evalId, { signal }),
    api.evals.runs.retrieve(runId, { eval_id: evalId }, { signal }),
    ext(`${base}/progress`, {}, signal),
  ]);
  const criteria = (Array.isArray(ev.testing_criteria) ? ev.testing_criteria : [])
    .map((c) => ({ ...c, id: c.id ?? c.name, name: c.name ?? criterionName(c.id) }));
  ctx.setTitle(first.name || first.id, ev.name);
  ctx.setCrumbs(link('Evals'), link(ev.name || ev.id, ev.id), first.name || first.id);

  let run = first;
  let progress = firstProgress;
  let histograms = null;
  const head = h('div');
  const summary = h('div', { class: 'summary' });
  const live = h('p', { class: 'live muted', 'aria-live': 'polite' });
  const items = itemsTable(ctx, evalId, runId, criteria, itemsLoaded);

  // The buttons are made again only when the run's status changes: a render from a refresh or from the
  // histograms arriving keeps what the user is typing in the re-run form.
  let actions = null;
  let actionsFor = null;
  function render() {
    if (actionsFor !== run.status) {
      actions = runActions(ctx, ev, run, (next) => { run = next; refreshNow(); });
      actionsFor = run.status;
    }
    replace(head, header(run, ev, actions));
    replace(summary, progressCard(run, progress), criteriaTable(run, criteria, histograms), histogramCards(histograms, criteria), usageTable(run));
    live.textContent = isActive(run.status) ? `Live: refreshing every ${REFRESH_MS / 1000} s while the run is ${run.status.replace('_', ' ')}.` : '';
  }

  async function fetchAll() {
    [run, progress, histograms] = await Promise.all([
      api.evals.runs.retrieve(runId, { eval_id: evalId }, { signal }),
      ext(`${base}/progress`, {}, signal),
      ext(`${base}/score_histograms`, { bins: 20 }, signal),
    ]);
    render();
    await items.reload();
  }
  const refreshNow = () => fetchAll().catch(ctx.fail);

  async function refresh() {
    while (isActive(run.status) && !signal.aborted) {
      await sleep(REFRESH_MS, signal);
      if (signal.aborted) return;
      if (document.hidden) continue;
      try {
        await fetchAll();
      } catch (e) {
        if (isAuthError(e) || isAbort(e)) return ctx.fail(e);
        live.textContent = `Refresh failed (${e?.message ?? e}); retrying…`;
      }
    }
  }

  render();
  await items.reload();
  histogramsLoaded.then((hs) => { histograms = hs; if (!signal.aborted) render(); }, ctx.fail);
  refresh();
  return h('section', null, head, live, summary, items.root);
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

function header(run, ev, actions) {
  return h('div', { class: 'run-head' },
    h('div', { class: 'title' }, h('h1', null, run.name || run.id), badge(run.status)),
    actions,
    h('dl', { class: 'meta' },
      h('div', null, h('dt', null, 'Model'), h('dd', null, run.model || '—')),
      h('div', null, h('dt', null, 'Created'), h('dd', { title: ago(run.created_at) }, time(run.created_at))),
      h('div', null, h('dt', null, 'Data source'), h('dd', null, dataSourceLabel(run.data_source))),
      h('div', null, h('dt', null, 'Eval'), h('dd', null, link(ev.name || ev.id, ev.id))),
      h('div', null, h('dt', null, 'Run ID'), h('dd', { class: 'id' }, run.id))));
}

function criteriaTable(run, criteria, histograms) {
  const rows = run.per_testing_criteria_results ?? [];
  if (rows.length === 0) return null;
  const byId = new Map(criteria.map((c) => [c.id, c]));
  const means = new Map((histograms?.data ?? []).map((d) => [d.testing_criteria, d]));
  const errored = run.result_counts?.errored ?? 0;
  return h('div', { class: 'card flush' },
    h('h2', null, 'Testing criteria'),
    table(['Criterion', 'Passed', 'Failed', 'Pass rate', 'Mean score'], rows.map((r) => {
      const known = byId.get(r.testing_criteria);
      const total = (r.passed ?? 0) + (r.failed ?? 0);
      return [
        h('span', { title: r.testing_criteria }, known?.name ?? criterionName(r.testing_criteria), known?.type ? h('span', { class: 'tag' }, known.type) : null),
        num(r.passed), num(r.failed),
        h('div', { class: 'rate-cell' }, bar([[r.passed, 'passed', 'passed'], [r.failed, 'failed', 'failed']], total, 'pass rate'), pct(r.passed, total)),
        means.get(r.testing_criteria)?.mean?.toFixed(3) ?? '—',
      ];
    }), 'criteria-table'),
    errored > 0 && h('p', { class: 'muted note' },
      `A criterion's pass rate counts the items it graded; ${num(errored)} errored item${errored === 1 ? '' : 's'} `
      + '(a failed row, model call, template or grader) count as failed where the grader ran and are left out of the mean scores and histograms.'));
}

function usageTable(run) {
  const rows = run.per_model_usage ?? [];
  if (rows.length === 0) return null;
  return h('div', { class: 'card flush' },
    h('h2', null, 'Model usage'),
    table(['Model', 'Calls', 'Prompt tokens', 'Completion tokens', 'Cached tokens', 'Total tokens'], rows.map((u) => [
      u.model_name, num(u.invocation_count), num(u.prompt_tokens), num(u.completion_tokens), num(u.cached_tokens), num(u.total_tokens),
    ]), 'numbers'));
}
