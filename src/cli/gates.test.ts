import { describe, expect, it } from 'vitest';
import { checkGates, mergeGates, passRate, type RunOutcome } from './gates.js';

const outcome: RunOutcome = {
  status: 'completed',
  counts: { total: 10, passed: 7, failed: 2, errored: 1 },
  criteria: { exact: { graded: 9, passed: 7, scoreSum: 7 }, fuzzy: { graded: 9, passed: 8, scoreSum: 7.2 } },
};

describe('checkGates', () => {
  it('counts errored items as not passing in the run pass rate', () => {
    expect(passRate(outcome)).toBe(0.7);
    expect(checkGates(outcome, { min_pass_rate: 0.7 })).toEqual([{ label: 'pass rate', actual: '70.0%', target: '≥ 70.0%', ok: true }]);
    expect(checkGates(outcome, { min_pass_rate: 0.71 })[0]!.ok).toBe(false);
  });

  it('checks errored counts and per-criterion pass rates and mean scores over graded items', () => {
    const checks = checkGates(outcome, { max_errored: 0, criteria: { exact: { min_pass_rate: 0.75 }, fuzzy: { min_mean_score: 0.8, min_pass_rate: 0.8 } } });
    expect(checks.map((c) => [c.label, c.actual, c.ok])).toEqual([
      ['errored', '1', false],
      ['exact pass rate', '77.8%', true],
      ['fuzzy pass rate', '88.9%', true],
      ['fuzzy mean score', '0.800', true],
    ]);
  });

  it('fails a gate on a criterion the eval does not have', () => {
    expect(checkGates(outcome, { criteria: { exactt: { min_pass_rate: 0.5 } } })).toEqual([
      { label: 'exactt', actual: 'no such criterion', target: 'a criterion of the eval', ok: false },
    ]);
  });

  it('has no checks without gates, and flags override the file', () => {
    expect(checkGates(outcome, {})).toEqual([]);
    expect(mergeGates({ min_pass_rate: 0.9, max_errored: 3 }, { minPassRate: 0.5, maxErrored: undefined })).toEqual({ min_pass_rate: 0.5, max_errored: 3 });
  });
});
