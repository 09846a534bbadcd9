import { diffWords } from 'diff';
import { ext } from '../api.js';
import { badge, h, link, query, replace, select, setQuery, table } from '../dom.js';
import { clip, criterionName, inputText, itemState, num, outputText } from '../format.js';

const KINDS = [['regression', 'Regressions'], ['fix', 'Fixes'], ['unchanged', 'Unchanged'], ['errored', 'Errored'], ['unpaired', 'Unpaired'], ['', 'All pairs']];

/** `/evals/{eval_id}/compare?base=…&candidate=…&kind=…`: two runs paired by row, from evald's compare routes. */
export async function compareView(ctx, evalId) {
  const { api, signal } = ctx;
  const s = query();
  const [ev, runs] = await Promise.all([
    api.evals.retrieve(evalId, { signal }),
    api.evals.runs.list(evalId, { order: 'desc', limit: 100 }, { signal }),
  ]);
  ctx.setTitle('Compare', ev.name);
  ctx.setCrumbs(link('Evals'), link(ev.name || ev.id, ev.id), 'Compare');
  const options = [['', 'Pick a run…'], ...runs.data.map((r) => [r.id, `${r.name || r.id} (${r.status})`])];
  const go = (changes) => { setQuery({ ...changes, kind: null }); location.reload(); };
  const pickers = h('div', { class: 'filters' },
    h('label', null, 'Baseline ', select('Baseline run', options, s.base ?? '', (v) => go({ base: v }))),
    h('label', null, 'Candidate ', select('Candidate run', options, s.candidate ?? '', (v) => go({ candidate: v }))));
  if (!s.base || !s.candidate) return h('section', null, h('h1', null, 'Compare two runs'), h('div', { class: 'card' }, pickers));

  const runName = (id) => runs.data.find((r) => r.id === id)?.name || id;
  const ids = { base_run_id: s.base, candidate_run_id: s.candidate };
  const cmp = await ext(`/evals/${encodeURIComponent(evalId)}/compare`, ids, signal);
  const criteria = new Map((ev.testing_criteria ?? []).map((c) => [c.id ?? c.name, c.name]));

  let kind = s.kind ?? 'regression';
  let last = null;
  const pairs = h('div', { class: 'pairs' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => load(true).catch(ctx.fail) }, 'Load more');
  const kinds = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Pairs' });
  const drawKinds = () => replace(kinds, KINDS.map(([v, text]) => h('button', { type: 'button', 'data-kind': v || 'all', 'aria-pressed': String(kind === v),
    onclick: () => { kind = v; setQuery({ kind: v || 'all' }); drawKinds(); load(false).catch(ctx.fail); } }, text)));
  if (kind === 'all') kind = '';

  async function load(append) {
    const page = await ext(`/evals/${encodeURIComponent(evalId)}/compare/items`, { ...ids, kind, after: append ? last : null, limit: 20 }, signal);
    if (!append) pairs.replaceChildren();
    pairs.append(...page.data.map(pair));
    if (!append && page.data.length === 0) pairs.append(h('p', { class: 'muted empty' }, 'No pairs of this kind.'));
    last = page.last_id;
    more.hidden = !page.has_more;
  }
  drawKinds();
  await load(false);

  const c = cmp.counts ?? {};
  const o = cmp.overall ?? {};
  return h('section', null,
    h('h1', null, 'Compare runs'),
    h('div', { class: 'card' }, pickers,
      h('p', null, 'Baseline ', link(runName(s.base), evalId, s.base), ' → candidate ', link(runName(s.candidate), evalId, s.candidate),
        cmp.base_run_status !== 'completed' || cmp.candidate_run_status !== 'completed' ? h('span', { class: 'muted' }, ` (statuses: ${cmp.base_run_status} / ${cmp.candidate_run_status}; compared on the items done so far)`) : '')),
    h('div', { class: 'card results compare-summary' },
      h('ul', { class: 'counts' },
        h('li', { class: 'failed' }, h('b', null, num(c.regressions)), ' regressions'),
        h('li', { class: 'passed' }, h('b', null, num(c.fixes)), ' fixes'),
        h('li', null, h('b', null, num(c.unchanged)), ' unchanged'),
        h('li', { class: 'errored' }, h('b', null, num(c.errored)), ' errored (left out)'),
        (c.base_only || c.candidate_only) ? h('li', null, h('b', null, num((c.base_only ?? 0) + (c.candidate_only ?? 0))), ' unpaired') : null),
      h('p', null, `Pass rate ${rate(o.base_pass_rate)} → ${rate(o.candidate_pass_rate)}: `, delta(o.pass_rate_difference, o.mcnemar?.p_value))),
    (cmp.per_testing_criteria ?? []).length > 0 && h('div', { class: 'card flush' }, h('h2', null, 'Per criterion'),
      table(['Criterion', 'Pairs', 'Pass rate', 'Δ pass rate (95% CI)', 'Δ mean score (95% CI)', 'p (McNemar)'], cmp.per_testing_criteria.map((r) => [
        r.name ?? criteria.get(r.testing_criteria) ?? criterionName(r.testing_criteria), num(r.pairs),
        `${rate(r.base_pass_rate)} → ${rate(r.candidate_pass_rate)}`, interval(r.pass_rate_difference), interval(r.mean_score_difference),
        pValue(r.mcnemar?.p_value),
      ]), 'criteria-table')),
    h('div', { class: 'card flush' }, h('div', { class: 'items-head' }, h('h2', null, 'Pairs'), kinds), pairs, h('div', { class: 'pager' }, more)));
}

const rate = (x) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');
const signed = (x) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const interval = (d) => (d && typeof d.estimate === 'number'
  ? h('span', { class: d.ci_low > 0 ? 'pass' : d.ci_high < 0 ? 'fail' : '' }, `${signed(d.estimate)} pts`, d.ci_low !== null ? ` [${signed(d.ci_low)}, ${signed(d.ci_high)}]` : '')
  : '—');
const pValue = (p) => (typeof p === 'number' ? (p < 0.001 ? '< 0.001' : p.toFixed(3)) : '—');

function delta(d, p) {
  if (!d || typeof d.estimate !== 'number') return 'no graded pairs';
  const real = d.ci_low !== null && (d.ci_low > 0 || d.ci_high < 0);
  return [interval(d), `, p = ${pValue(p)} — `, h('strong', null, real ? 'the interval excludes 0: unlikely to be noise' : 'the interval includes 0: could be noise')];
}

function pair(p) {
  const b = p.base, c = p.candidate;
  return h('article', { class: `pair kind-${p.kind}` },
    h('header', null, h('strong', null, `Row ${p.datasource_item_id}`), h('span', { class: 'tag' }, p.kind),
      b && badge(itemState(b) === 'errored' ? 'error' : b.status), ' → ', c && badge(itemState(c) === 'errored' ? 'error' : c.status)),
    h('p', { class: 'muted clip' }, clip(inputText(b ?? c), 200)),
    h('div', { class: 'side-by-side' },
      h('div', null, h('div', { class: 'role' }, 'baseline'), b ? wordDiff(outputText(b) || b.sample?.error?.message || '', outputText(c ?? {}) || '', 'removed') : h('p', { class: 'muted' }, 'not in this run')),
      h('div', null, h('div', { class: 'role' }, 'candidate'), c ? wordDiff(outputText(b ?? {}) || '', outputText(c) || c.sample?.error?.message || '', 'added') : h('p', { class: 'muted' }, 'not in this run'))));
}

/** One side of a word-level diff: the words this side lacks are left out, the ones only it has are marked. */
function wordDiff(before, after, side) {
  const out = h('div', { class: 'diff' });
  for (const part of diffWords(before, after)) {
    if (side === 'removed' && part.added) continue;
    if (side === 'added' && part.removed) continue;
    out.append(part.added || part.removed ? h('mark', { class: part.added ? 'ins' : 'del' }, part.value) : document.createTextNode(part.value));
  }
  return out;
}
