import { h, query, replace, setQuery, table } from '../dom.js';
import { ago, clip, contentText, num, time } from '../format.js';

/** `key=value,key2=value2` → an object (blank parts skipped). */
const parseMetadata = (text) => Object.fromEntries((text ?? '').split(',').map((p) => p.split('=').map((x) => x.trim())).filter(([k, v]) => k && v !== undefined));
const day = (d, end) => (d ? Math.floor(new Date(`${d}T${end ? '23:59:59' : '00:00:00'}Z`).getTime() / 1000) : null);

/**
 * `/logs?model=&metadata=k=v,…&from=&to=`: stored chat completions (OpenAI's list API), filtered by
 * metadata and model on the server and by date here (the list API has no date filter), with "Evaluate
 * these": a run of a chosen eval over a stored_completions source with the same filter.
 */
export async function logsView(ctx) {
  const { api, signal } = ctx;
  ctx.setTitle('Logs');
  ctx.setCrumbs('Logs');
  const s = query();
  const metadata = parseMetadata(s.metadata);
  const from = day(s.from, false), to = day(s.to, true);
  const rows = h('tbody');
  let after = null;
  let shown = 0;
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load().catch(ctx.fail) }, 'Load more');
  const count = h('span', { class: 'muted count' });

  async function load() {
    const page = await api.chat.completions.list({ limit: 50, order: 'desc', ...(s.model && { model: s.model }), ...(Object.keys(metadata).length && { metadata }), ...(after && { after }) }, { signal });
    const data = page.data.filter((c) => (from === null || c.created >= from) && (to === null || c.created <= to));
    rows.append(...data.map(logRow));
    shown += data.length;
    after = page.data.at(-1)?.id ?? after;
    more.hidden = !page.has_more;
    replace(count, `${num(shown)} completion${shown === 1 ? '' : 's'}`);
  }

  const field = (name, label, attrs = {}) => h('label', null, label, h('input', { name, value: s[name] ?? '', ...attrs }));
  const form = h('form', { class: 'filters logs-filters', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setQuery({ model: f.get('model'), metadata: f.get('metadata'), from: f.get('from'), to: f.get('to') }, true);
    dispatchEvent(new PopStateEvent('popstate'));
  } },
    field('model', 'Model ', { placeholder: 'gpt-4o-mini' }),
    field('metadata', 'Metadata ', { placeholder: 'key=value, …' }),
    field('from', 'From ', { type: 'date' }), field('to', 'To ', { type: 'date' }),
    h('button', { type: 'submit' }, 'Filter'), count);

  let listError = null;
  try {
    await load();
  } catch (e) {
    if (e?.status === 401) throw e;
    listError = e;
  }

  const evalPick = h('select', { 'aria-label': 'Eval to run', name: 'eval' }, h('option', { value: '' }, 'Pick an eval…'));
  api.evals.list({ limit: 100, order: 'desc' }, { signal }).then((page) => evalPick.append(...page.data.map((e) => h('option', { value: e.id }, e.name || e.id))), ctx.fail);
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const evaluate = h('form', { class: 'inline-form', onsubmit: async (e) => {
    e.preventDefault();
    if (!evalPick.value) return replace(status, 'Pick an eval first.');
    try {
      const source = { type: 'stored_completions', ...(s.model && { model: s.model }), ...(Object.keys(metadata).length && { metadata }),
        ...(from !== null && { created_after: from }), ...(to !== null && { created_before: to }) };
      const run = await api.evals.runs.create(evalPick.value, { name: 'logs', data_source: { type: 'completions', source } }, { signal });
      location.assign(`/evals/${encodeURIComponent(evalPick.value)}?run_id=${encodeURIComponent(run.id)}`);
    } catch (err) {
      replace(status, `Could not start the run: ${err?.error?.message ?? err?.message ?? err}`);
    }
  } }, 'Evaluate these with ', evalPick, h('button', { type: 'submit' }, 'Start run'), status);

  return h('section', null,
    h('h1', null, 'Logs'),
    h('p', { class: 'muted' }, 'Chat completions stored through evald (store: true), newest first.'),
    h('div', { class: 'card' }, form, evaluate),
    listError
      ? h('p', { class: 'card notice error' }, `This server does not list stored completions: ${listError?.error?.message ?? listError?.message ?? listError}`)
      : h('div', { class: 'card flush' }, table(['Created', 'Model', 'Prompt', 'Answer', 'Metadata', 'Tokens'], rows, 'logs'), h('div', { class: 'pager' }, more)));
}

function logRow(c) {
  const messages = c.messages ?? c.input ?? [];
  const prompt = Array.isArray(messages) ? messages.map((m) => contentText(m.content)).join(' ') : '';
  const answer = c.choices?.[0]?.message?.content ?? '';
  return h('tr', null,
    h('td', { class: 'nowrap', title: time(c.created) }, ago(c.created)),
    h('td', { class: 'nowrap' }, c.model ?? '—'),
    h('td', { class: 'clip' }, clip(prompt, 120)),
    h('td', { class: 'clip' }, clip(String(answer), 120)),
    h('td', null, Object.entries(c.metadata ?? {}).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`))),
    h('td', { class: 'num' }, num(c.usage?.total_tokens)));
}
