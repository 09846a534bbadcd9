import { bar, h } from '../dom.js';
import { duration, isActive, num, pct } from '../format.js';

/**
 * Done / total against the rows the source holds (counted when the run started), the ETA while running,
 * what a canceled or failed run never ran, the failure's message, and how errored items enter each figure.
 */
export function progressCard(run, p) {
  const c = run.result_counts ?? {};
  const total = p?.total_rows ?? null;
  const done = c.total ?? 0;
  const scale = total ?? done;
  const graded = (c.passed ?? 0) + (c.failed ?? 0);
  const active = isActive(run.status);
  const notRun = p?.not_run ?? 0;
  const parts = [[c.passed, 'passed', 'passed'], [c.failed, 'failed', 'failed'], [c.errored, 'errored', 'errored']];
  return h('div', { class: 'card results' },
    h('div', { class: 'rate' },
      h('span', { class: 'big' }, pct(c.passed, graded)),
      h('span', { class: 'muted' }, graded ? `passed of ${num(graded)} graded` : active ? 'nothing graded yet' : 'nothing graded')),
    h('div', { class: 'grow' },
      h('ul', { class: 'counts' },
        h('li', { class: 'passed' }, h('b', null, num(c.passed)), ' passed'),
        h('li', { class: 'failed' }, h('b', null, num(c.failed)), ' failed'),
        h('li', { class: 'errored' }, h('b', null, num(c.errored)), ' errored'),
        h('li', { class: 'done' }, h('b', null, num(done)), total === null ? (active ? ' done (counting rows…)' : ' done') : ` of ${num(total)} rows done`),
        active && p?.eta_seconds != null && h('li', { class: 'eta' }, 'ETA ', h('b', null, duration(p.eta_seconds))),
        notRun > 0 && h('li', { class: 'not-run' }, h('b', null, num(notRun)), ` never ran (run ${run.status})`)),
      bar(parts, scale, `${num(c.passed)} passed, ${num(c.failed)} failed, ${num(c.errored)} errored, ${num(done)} of ${num(scale)} rows done`),
      c.errored > 0 && h('p', { class: 'muted note' },
        `The pass rate leaves out the ${num(c.errored)} errored item${c.errored === 1 ? '' : 's'}: they were never graded as a whole. `
        + `Counting them as failures, ${pct(c.passed, done)} of the items done passed.`),
      run.status === 'failed' && h('div', { class: 'notice error', role: 'alert' },
        h('strong', null, 'Run failed'), run.error ? [' — ', h('code', null, run.error.code), ': ', run.error.message] : ''),
      run.status === 'canceled' && h('div', { class: 'notice' }, 'Canceled: ', total !== null
        ? `${num(done)} of ${num(total)} rows ran; ${num(notRun)} never did. The counts are of the rows that ran.`
        : `${num(done)} rows ran before the cancel.`)));
}
