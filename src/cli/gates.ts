import type { Gates } from './eval-file.js';

/** What `evald run` learns of one finished run: its counts and, per criterion, its graded items. */
export interface RunOutcome {
  status: string;
  counts: { total: number; passed: number; failed: number; errored: number };
  /** By criterion name: items it graded (errored ones excluded), how many passed, the sum of scores. */
  criteria: Record<string, { graded: number; passed: number; scoreSum: number }>;
}

export interface GateCheck {
  label: string;
  actual: string;
  target: string;
  ok: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The run's pass rate: passed items over all items, errored ones included (they did not pass). */
export const passRate = (o: RunOutcome) => (o.counts.total === 0 ? 0 : o.counts.passed / o.counts.total);

/** Each gate that applies, checked. A gate on a criterion the eval does not have fails, so a typo is seen. */
export function checkGates(outcome: RunOutcome, gates: Gates): GateCheck[] {
  const checks: GateCheck[] = [];
  if (gates.min_pass_rate !== undefined) {
    const actual = passRate(outcome);
    checks.push({ label: 'pass rate', actual: pct(actual), target: `≥ ${pct(gates.min_pass_rate)}`, ok: actual >= gates.min_pass_rate });
  }
  if (gates.max_errored !== undefined) {
    const actual = outcome.counts.errored;
    checks.push({ label: 'errored', actual: String(actual), target: `≤ ${gates.max_errored}`, ok: actual <= gates.max_errored });
  }
  for (const [name, g] of Object.entries(gates.criteria ?? {})) {
    const c = outcome.criteria[name];
    if (!c) {
      checks.push({ label: `${name}`, actual: 'no such criterion', target: 'a criterion of the eval', ok: false });
      continue;
    }
    if (g.min_pass_rate !== undefined) {
      const actual = c.graded === 0 ? 0 : c.passed / c.graded;
      checks.push({ label: `${name} pass rate`, actual: pct(actual), target: `≥ ${pct(g.min_pass_rate)}`, ok: actual >= g.min_pass_rate });
    }
    if (g.min_mean_score !== undefined) {
      const actual = c.graded === 0 ? 0 : c.scoreSum / c.graded;
      checks.push({ label: `${name} mean score`, actual: actual.toFixed(3), target: `≥ ${g.min_mean_score}`, ok: actual >= g.min_mean_score });
    }
  }
  return checks;
}

/** The file's gates with the command line's on top (a flag replaces the file's value). */
export function mergeGates(file: Gates, flags: { minPassRate?: number | undefined; maxErrored?: number | undefined }): Gates {
  return {
    ...file,
    ...(flags.minPassRate !== undefined ? { min_pass_rate: flags.minPassRate } : {}),
    ...(flags.maxErrored !== undefined ? { max_errored: flags.maxErrored } : {}),
  };
}
