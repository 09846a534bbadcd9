import { ext } from '../api.js';
import { h, query, replace, setQuery, table } from '../dom.js';
import { ago, clip, contentText, num, time } from '../format.js';

/** `key=value,key2=value2` → an object (blank parts skipped). */
const parseMetadata = (text) => Object.fromEntries((text ?? '').split(',').map((p) => p.split('=').map((x) => x.trim())).filter(([k, v]) => k && v !== undefined));
/** A UTC day (YYYY-MM-DD) as Unix seconds: its first second, or with `end` its last. */
const day = (d, end) => (d ? Math.floor(new Date(`${d}T${end ? '23:59:59' : '00:00:00'}Z`).getTime() / 1000) : null);

const KINDS = [['chat.completion', 'Chat completions'], ['response', 'Responses']];

/**
 * `/logs?kind=&model=&metadata=k=v,…&from=&to=`: stored chat completions or responses, filtered on the
 * server (evald's /v1/evald/logs takes a run source's filters), with "Evaluate these": a run of a chosen
 * eval over a stored_completions or responses source with the very same filter, grading the stored answers.
 */
export async function logsView(ctx) {
  const { api, signal } = ctx;
  ctx.setTitle('Logs');
  ctx.setCrumbs('Logs');
  const s = query();
  const kind = s.kind === 'response' ? 'response' : 'chat.completion';
  const metadata = parseMetadata(s.metadata);
  const filter = {
    ...(s.model && { model: s.model }),
    ...(Object.keys(metadata).length && { metadata }),
    ...(day(s.from, false) !== null && { created_after: day(s.from, false) }),
    ...(day(s.to, true) !== null && { created_before: day(s.to, true) }),
  };
  const rows = h('tbody');
  let after = null;
  let shown = 0;
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load().catch(ctx.fail) }, 'Load more');
  const count = h('span', { class: 'muted count', 'aria-live': 'polite' });
  const noun = kind === 'response' ? 'response' : 'completion';

  async function load() {
    const params = { kind, limit: 50, order: 'desc', model: filter.model, created_after: filter.created_after, created_before: filter.created_before, after };
    for (const [k, v] of Object.entries(metadata)) params[`metadata[${k}]`] = v;
    const page = await ext('/evald/logs', params, signal);
    rows.append(...page.data.map(kind === 'response' ? responseRow : chatRow));
    shown += page.data.length;
    after = page.data.at(-1)?.id ?? after;
    more.hidden = !page.has_more;
    replace(count, `${num(shown)}${page.has_more ? '+' : ''} ${noun}${shown === 1 ? '' : 's'}`);
  }

  const apply = (patch) => {
    setQuery(patch, true);
    dispatchEvent(new PopStateEvent('popstate'));
  };
  const field = (name, label, attrs = {}) => h('label', null, label, h('input', { name, value: s[name] ?? '', ...attrs }));
  const form = h('form', { class: 'filters logs-filters', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    apply({ model: f.get('model'), metadata: f.get('metadata'), from: f.get('from'), to: f.get('to') });
  } },
    h('div', { class: 'segmented', role: 'group', 'aria-label': 'Kind' }, KINDS.map(([v, text]) =>
      h('button', { type: 'button', 'data-kind': v, 'aria-pressed': String(kind === v), onclick: () => apply({ kind: v === 'response' ? v : null }) }, text))),
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
      // Without a model and input_messages the run grades the stored answers themselves.
      const data_source = kind === 'response'
        ? { type: 'responses', source: { type: 'responses', ...filter } }
        : { type: 'completions', source: { type: 'stored_completions', ...filter } };
      const run = await api.evals.runs.create(evalPick.value, { name: `logs: ${describe(kind, s)}`, data_source }, { signal });
      location.assign(`/evals/${encodeURIComponent(evalPick.value)}?run_id=${encodeURIComponent(run.id)}`);
    } catch (err) {
      replace(status, `Could not start the run: ${err?.error?.message ?? err?.message ?? err}`);
    }
  } }, `Evaluate these ${noun}s with `, evalPick, h('button', { type: 'submit' }, 'Start run'), status);

  return h('section', null,
    h('h1', null, 'Logs'),
    h('p', { class: 'muted' }, `${kind === 'response' ? 'Responses' : 'Chat completions'} stored through evald (store: true) or imported, newest first; days are UTC.`),
    h('div', { class: 'card' }, form, evaluate),
    listError
      ? h('p', { class: 'card notice error' }, `Could not list stored logs: ${listError?.error?.message ?? listError?.message ?? listError}`)
      : h('div', { class: 'card flush' }, table(['Created', 'Model', 'Prompt', 'Answer', 'Metadata', 'Tokens'], rows, 'logs'), shown === 0 && h('p', { class: 'notice muted' }, `No stored ${noun}s match.`), h('div', { class: 'pager' }, more)));
}

/** The filter in words, for the run's name. */
function describe(kind, s) {
  const parts = [s.model, s.metadata, s.from && `from ${s.from}`, s.to && `to ${s.to}`].filter(Boolean);
  return parts.length ? parts.join(' · ') : `all ${kind === 'response' ? 'responses' : 'completions'}`;
}

const tags = (metadata) => Object.entries(metadata ?? {}).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`));

function logRow(c, prompt, answer) {
  return h('tr', { 'data-log': c.id },
    h('td', { class: 'nowrap', title: time(c.created ?? c.created_at) }, ago(c.created ?? c.created_at)),
    h('td', { class: 'nowrap' }, c.model ?? '—'),
    h('td', { class: 'clip' }, clip(prompt, 120)),
    h('td', { class: 'clip' }, clip(String(answer ?? ''), 120)),
    h('td', null, tags(c.metadata)),
    h('td', { class: 'num' }, num(c.usage?.total_tokens)));
}

function chatRow(c) {
  const prompt = Array.isArray(c.messages) ? c.messages.map((m) => contentText(m.content)).join(' ') : '';
  return logRow(c, prompt, c.choices?.[0]?.message?.content);
}

function responseRow(r) {
  const answer = (r.output ?? []).flatMap((o) => (Array.isArray(o.content) ? o.content : [])).map((p) => p.text ?? '').join(' ');
  const input = typeof r.input === 'string' ? r.input : Array.isArray(r.input) ? r.input.map((m) => contentText(m.content ?? m.text)).join(' ') : '';
  return logRow(r, [r.instructions, input].filter(Boolean).join(' · '), r.output_text ?? answer);
}
