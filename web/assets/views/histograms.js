import { h } from '../dom.js';
import { histogram } from '../charts.js';
import { criterionName, num, pct, score } from '../format.js';

/** Per criterion: the distribution of its scores, mean and pass rate (errored items left out, and said so). */
export function histogramCards(histograms, criteria) {
  const data = histograms?.data ?? [];
  if (data.length === 0) return null;
  const byId = new Map(criteria.map((c) => [c.id, c]));
  return h('div', { class: 'card' },
    h('h2', null, 'Score distributions'),
    histograms.errored_excluded > 0 && h('p', { class: 'muted note' }, `${num(histograms.errored_excluded)} errored item${histograms.errored_excluded === 1 ? ' is' : 's are'} not in these figures.`),
    h('div', { class: 'histograms' }, data.map((d) => {
      const c = byId.get(d.testing_criteria);
      // string_check and label_model score 1 for a pass and 0 for a fail; other criteria say where they pass.
      const threshold = typeof c?.pass_threshold === 'number' ? c.pass_threshold : c?.type === 'string_check' || c?.type === 'label_model' ? 1 : null;
      return h('figure', { class: 'histogram-card' },
        h('figcaption', null, h('strong', null, c?.name ?? criterionName(d.testing_criteria)), c?.type && h('span', { class: 'tag' }, c.type)),
        histogram(d.bins, { threshold, label: `scores of ${c?.name ?? d.testing_criteria}` }),
        h('p', { class: 'muted' }, `mean ${score(d.mean)} · pass rate ${pct(d.passed, d.count)} of ${num(d.count)}`,
          threshold !== null ? ` · passes at ≥ ${threshold}` : ''));
    })));
}
