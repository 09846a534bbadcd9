import { isAbort, isAuthError } from '../api.js';
import { badge, bar, h, link, replace, table } from '../dom.js';
import { ago, criterionName, dataSourceLabel, isActive, num, pct, time } from '../format.js';
import { outputItems } from './output-items.js';

const REFRESH_MS = 2000;

/** `/evals/{eval_id}?run_id={run_id}` (a run's report_url): the run, live while it is queued or running. */
export async function runView(ctx, evalId, runId) {
  const { api, signal } = ctx;
  const [ev, first] = await Promise.all([
    api.evals.retrieve(evalId, { signal }),
    api.evals.runs.retrieve(runId, { eval_id: evalId }, { signal }),
  ]);
  const criteria = (Array.isArray(ev.testing_criteria) ? ev.testing_criteria : [])
    .map((c) => ({ id: c.id ?? c.name, name: c.name ?? criterionName(c.id), type: c.type }));
  ctx.setTitle(first.name || first.id, ev.name);
  ctx.setCrumbs(link('Evals'), link(ev.name || ev.id, ev.id), first.name || first.id);

  let run = first;
  const head = h('div');
  const summary = h('div', { class: 'summary' });
  const live = h('p', { class: 'live muted', 'aria-live': 'polite' });
  const items = outputItems(ctx, evalId, runId, criteria);

  const cancel = async (button) => {
    button.disabled = true;
    replace(button, 'Canceling…');
    try {
      run = await api.evals.runs.cancel(runId, { eval_id: evalId }, { signal });
      render();
      await items.reload();
    } catch (e) {
      button.disabled = false;
      replace(button, 'Cancel run');
      ctx.fail(e);
    }
  };

  function render() {
    replace(head, header(run, ev, cancel));
    replace(summary, results(run), criteriaTable(run, criteria), usageTable(run));
    live.textContent = isActive(run.status) ? `Live: refreshing every ${REFRESH_MS / 1000} s while the run is ${run.status.replace('_', ' ')}.` : '';
  }

  async function refresh() {
    while (isActive(run.status) && !signal.aborted) {
      await sleep(REFRESH_MS, signal);
      if (signal.aborted) return;
      if (document.hidden) continue;
      try {
        run = await api.evals.runs.retrieve(runId, { eval_id: evalId }, { signal });
        render();
        // While running, new items are appended after the last one shown; once done, reload what is shown,
        // because items finishing out of order may have landed before that cursor.
        await (isActive(run.status) ? items.tail() : items.reload());
      } catch (e) {
        if (isAuthError(e) || isAbort(e)) return ctx.fail(e);
        live.textContent = `Refresh failed (${e?.message ?? e}); retrying…`;
      }
    }
  }

  render();
  await items.reload();
  refresh();
  return h('section', null, head, live, summary, items.root);
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

function header(run, ev, cancel) {
  const dataSource = run.data_source ?? {};
  return h('div', { class: 'run-head' },
    h('div', { class: 'title' },
      h('h1', null, run.name || run.id),
      badge(run.status),
      isActive(run.status) && h('button', { type: 'button', class: 'danger', onclick: (e) => cancel(e.currentTarget) }, 'Cancel run')),
    h('dl', { class: 'meta' },
      h('div', null, h('dt', null, 'Model'), h('dd', null, run.model || '—')),
      h('div', null, h('dt', null, 'Created'), h('dd', { title: ago(run.created_at) }, time(run.created_at))),
      h('div', null, h('dt', null, 'Data source'), h('dd', null, dataSourceLabel(dataSource))),
      h('div', null, h('dt', null, 'Eval'), h('dd', null, link(ev.name || ev.id, ev.id))),
      h('div', null, h('dt', null, 'Run ID'), h('dd', { class: 'id' }, run.id))),
    run.error && h('div', { class: 'card notice error', role: 'alert' },
      h('strong', null, run.error.code || 'error'), ': ', run.error.message ?? JSON.stringify(run.error)));
}

function results(run) {
  const c = run.result_counts ?? {};
  const total = c.total ?? 0;
  // While a run is going, total counts the items done so far; inline rows tell how many there will be.
  const rows = Array.isArray(run.data_source?.source?.content) ? run.data_source.source.content.length : null;
  const progress = isActive(run.status) && rows !== null && rows > total;
  const scale = progress ? rows : total;
  return h('div', { class: 'card results' },
    h('div', { class: 'rate' }, h('span', { class: 'big' }, pct(c.passed, total)), h('span', { class: 'muted' }, 'passed')),
    h('div', { class: 'grow' },
      h('ul', { class: 'counts' },
        h('li', { class: 'passed' }, h('b', null, num(c.passed)), ' passed'),
        h('li', { class: 'failed' }, h('b', null, num(c.failed)), ' failed'),
        h('li', { class: 'errored' }, h('b', null, num(c.errored)), ' errored'),
        h('li', null, h('b', null, num(total)), progress ? ` of ${num(rows)} done` : ' total')),
      bar([[c.passed, 'passed', 'passed'], [c.failed, 'failed', 'failed'], [c.errored, 'errored', 'errored']], scale,
        `${num(c.passed)} passed, ${num(c.failed)} failed, ${num(c.errored)} errored of ${num(scale)}`)));
}

function criteriaTable(run, criteria) {
  const rows = run.per_testing_criteria_results ?? [];
  if (rows.length === 0) return null;
  const byId = new Map(criteria.map((c) => [c.id, c]));
  return h('div', { class: 'card flush' },
    h('h2', null, 'Testing criteria'),
    table(['Criterion', 'Passed', 'Failed', 'Pass rate'], rows.map((r) => {
      const known = byId.get(r.testing_criteria);
      const total = (r.passed ?? 0) + (r.failed ?? 0);
      return [
        h('span', { title: r.testing_criteria }, known?.name ?? criterionName(r.testing_criteria), known?.type ? h('span', { class: 'tag' }, known.type) : null),
        num(r.passed), num(r.failed),
        h('div', { class: 'rate-cell' }, bar([[r.passed, 'passed', 'passed'], [r.failed, 'failed', 'failed']], total, 'pass rate'), pct(r.passed, total)),
      ];
    }), 'criteria-table'));
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
