import { h, link, table } from '../dom.js';
import { ago, time } from '../format.js';
import { pager } from './pager.js';

/** `/`: every eval of the project, newest first. */
export async function homeView(ctx) {
  ctx.setTitle('Evals');
  ctx.setCrumbs('Evals');
  const rows = h('tbody');
  const list = pager({
    fetch: (after) => ctx.api.evals.list({ order: 'desc', limit: 50, ...(after && { after }) }, { signal: ctx.signal }),
    render: (evals) => rows.append(...evals.map(evalRow)),
    onError: ctx.fail,
  });
  const first = await list.next();
  if (first.length === 0) {
    return h('section', { class: 'card notice' },
      h('h1', null, 'No evals yet'),
      h('p', null, 'Create one through the API, e.g. with the openai SDK: client.evals.create({ … }). It will show up here.'));
  }
  return h('section', null,
    h('h1', null, 'Evals'),
    h('div', { class: 'card flush' }, table(['Name', 'Criteria', 'Data source', 'Created', 'ID'], rows, 'evals'), list.footer));
}

function evalRow(e) {
  const criteria = Array.isArray(e.testing_criteria) ? e.testing_criteria : [];
  return h('tr', null,
    h('td', { class: 'name' }, link(e.name || e.id, e.id)),
    h('td', null, criteria.map((c) => c.name).join(', ') || '—'),
    h('td', null, e.data_source_config?.type ?? '—'),
    h('td', { class: 'nowrap', title: time(e.created_at) }, ago(e.created_at)),
    h('td', { class: 'id' }, e.id));
}
