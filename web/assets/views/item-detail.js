import { badge, h, pre } from '../dom.js';
import { contentText, itemState, num, score } from '../format.js';

/**
 * One output item: its error (a Python traceback keeps its lines), the messages by role with markdown
 * rendered safely, then each criterion: the grader's verdict as text (steps, conclusion, result, label,
 * threshold) before the raw grader call, folded away.
 */
export async function itemDetail(ctx, evalId, runId, itemId, criteria, close) {
  // markdown-it is a chunk of its own (two thirds of the script otherwise), fetched with the first item opened.
  const [item, { markdown }] = await Promise.all([
    ctx.api.evals.runs.outputItems.retrieve(itemId, { eval_id: evalId, run_id: runId }, { signal: ctx.signal }),
    import('../markdown.js'),
  ]);
  const state = itemState(item);
  const s = item.sample ?? {};
  const byId = new Map(criteria.map((c) => [c.id, c]));
  return h('article', { class: 'item-detail', 'aria-label': `Item ${item.datasource_item_id}` },
    h('header', null,
      h('h3', null, `Row ${item.datasource_item_id}`), badge(state === 'errored' ? 'error' : item.status),
      h('span', { class: 'id muted' }, item.id),
      h('button', { type: 'button', class: 'link close', onclick: close, 'aria-label': 'Close item' }, 'Close (Esc)')),
    s.error && h('div', { class: 'notice error' }, h('strong', null, s.error.code ?? 'error'), h('pre', { class: 'traceback' }, s.error.message ?? '')),
    h('div', { class: 'messages' },
      messages(markdown, s.input, 'input'),
      messages(markdown, s.output, 'output'),
      !Array.isArray(s.output) && typeof s.output_text === 'string' && message(markdown, 'output', s.output_text)),
    h('h4', null, 'Criteria'),
    (item.results ?? []).map((r) => result(r, byId.get(r.name))),
    h('details', null, h('summary', null, 'Row (datasource_item)'), pre(item.datasource_item)),
    h('details', null, h('summary', null, 'Sample (raw)'), pre(s)),
    s.usage && h('p', { class: 'muted' }, `tokens: ${num(s.usage.prompt_tokens)} prompt, ${num(s.usage.completion_tokens)} completion`));
}

function messages(markdown, list, kind) {
  if (!Array.isArray(list)) return null;
  return list.map((m) => message(markdown, m.role ?? kind, contentText(m.content), kind));
}

function message(markdown, role, text, kind = 'output') {
  return h('div', { class: `message role-${String(role).replace(/\W/g, '')} ${kind}` }, h('div', { class: 'role' }, role), markdown(text));
}

function result(r, c) {
  const err = r.sample?.error;
  // Result types are spelled `score-model-grader` etc.; the criterion says what decides a pass.
  const kind = c?.type ?? String(r.type ?? '').replace(/-grader$/, '').replaceAll('-', '_');
  const threshold = kind === 'score_model' || kind === 'python' || kind === 'text_similarity'
    ? c?.pass_threshold ?? (Array.isArray(c?.range) ? (c.range[0] + c.range[1]) / 2 : kind === 'text_similarity' ? null : 0.5) : null;
  const steps = Array.isArray(r.sample?.steps) ? r.sample.steps : null;
  return h('section', { class: `result ${r.passed ? 'result-pass' : 'result-fail'}` },
    h('header', null, h('strong', null, c?.name ?? r.name), h('span', { class: 'tag' }, kind),
      badge(err ? 'error' : r.passed ? 'pass' : 'fail')),
    h('dl', { class: 'kv verdict' },
      h('div', null, h('dt', null, 'result'), h('dd', null, score(r.score))),
      threshold !== null && threshold !== undefined && h('div', null, h('dt', null, 'threshold'), h('dd', null, `passes at ≥ ${threshold}`)),
      r.sample?.label !== undefined && h('div', null, h('dt', null, 'label'), h('dd', null, String(r.sample.label),
        c?.passing_labels ? ` (passing: ${c.passing_labels.join(', ')})` : ''))),
    steps && h('ol', { class: 'steps' }, steps.map((st) => h('li', null,
      h('div', null, st.description ?? contentText(st)), st.conclusion && h('div', { class: 'conclusion' }, h('b', null, 'Conclusion: '), st.conclusion)))),
    err && h('pre', { class: 'traceback' }, `${err.code ?? 'error'}: ${err.message ?? ''}`),
    r.sample && (r.sample.input || r.sample.output) && h('details', null, h('summary', null, 'Raw grader call'),
      r.sample.input && pre(r.sample.input), r.sample.output && pre(r.sample.output)));
}
