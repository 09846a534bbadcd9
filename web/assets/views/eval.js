import { badge, bar, h, link, pre, table } from '../dom.js';
import { ago, dataSourceLabel, num, pct, time } from '../format.js';
import { pager } from './pager.js';

/** `/evals/{eval_id}`: the eval, its testing criteria and its runs, newest first. */
export async function evalView(ctx, evalId) {
  const runs = h('tbody');
  const list = pager({
    fetch: (after) => ctx.api.evals.runs.list(evalId, { order: 'desc', limit: 50, ...(after && { after }) }, { signal: ctx.signal }),
    render: (page) => runs.append(...page.map(runRow)),
    onError: ctx.fail,
  });
  const [ev] = await Promise.all([ctx.api.evals.retrieve(evalId, { signal: ctx.signal }), list.next()]);
  ctx.setTitle(ev.name || ev.id);
  ctx.setCrumbs(link('Evals'), ev.name || ev.id);

  const criteria = Array.isArray(ev.testing_criteria) ? ev.testing_criteria : [];
  return h('section', null,
    h('h1', null, ev.name || ev.id),
    h('dl', { class: 'meta' },
      h('div', null, h('dt', null, 'ID'), h('dd', { class: 'id' }, ev.id)),
      h('div', null, h('dt', null, 'Created'), h('dd', { title: ago(ev.created_at) }, time(ev.created_at))),
      h('div', null, h('dt', null, 'Data source'), h('dd', null, ev.data_source_config?.type ?? '—'))),
    h('h2', null, 'Runs'),
    runs.children.length === 0
      ? h('p', { class: 'card notice muted' }, 'No runs yet.')
      : h('div', { class: 'card flush' }, table(['Run', 'Status', 'Results', 'Model', 'Data source', 'Created'], runs, 'runs'), list.footer),
    h('h2', null, `Testing criteria (${criteria.length})`),
    h('div', { class: 'criteria' }, criteria.map(criterionCard)),
    h('details', { class: 'card' }, h('summary', null, 'Data source config'), pre(ev.data_source_config)),
    ev.metadata && Object.keys(ev.metadata).length > 0 && h('details', { class: 'card' }, h('summary', null, 'Metadata'), pre(ev.metadata)));
}

function runRow(run) {
  const c = run.result_counts ?? {};
  return h('tr', null,
    h('td', { class: 'name' }, link(run.name || run.id, run.eval_id, run.id)),
    h('td', null, badge(run.status)),
    h('td', { class: 'run-results' },
      bar([[c.passed, 'passed', 'passed'], [c.failed, 'failed', 'failed'], [c.errored, 'errored', 'errored']], c.total, 'result counts'),
      h('span', { class: 'muted' }, `${num(c.passed)} / ${num(c.total)} passed (${pct(c.passed, c.total)})`)),
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
