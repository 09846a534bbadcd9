import { newId } from '../domain/ids.js';
import type { Sample, Usage } from '../domain/sample.js';
import { GradeError, type GradeContext, type ModelAccess, type PythonAccess } from '../graders/grader.js';
import { graderFor, resultType } from '../graders/registry.js';
import type { EvalRecord, GradedItem, RunRecord } from '../storage/index.js';
import type { SourceRow } from './data-sources/rows.js';
import { rowOutputSample, rowSampleNamespace } from './grader-sample.js';
import { renderTemplate } from './render-template.js';

/** What a model-sampled run produces for one item: the output item's `sample`, namespace fields included. */
export interface SampledOutput extends Sample {
  error: { code: string; message: string } | null;
  model: string;
  usage: Usage;
}

/**
 * Samples the model for one item (completions / responses runs); absent for jsonl runs. `concurrency` is
 * how many calls the model's provider takes at once, when known.
 */
export type Sampler = ((item: Record<string, unknown>, signal: AbortSignal) => Promise<SampledOutput>) & { concurrency?: number };

/** Everything processItem needs that is the same for every item of a run. */
export interface RunScope {
  run: RunRecord;
  evalRecord: EvalRecord;
  models: ModelAccess;
  python: PythonAccess;
  sampler: Sampler | null;
  signal: AbortSignal;
}

type ApiErr = { code: string; message: string };

/**
 * Samples (if the run does) and grades one row. Never throws for the item's own failures: a row error, a
 * failed model call or a grader error makes the item errored, with the reason in `sample.error`.
 */
export async function processItem(row: SourceRow, scope: RunScope): Promise<GradedItem> {
  const usage: GradedItem['usage'] = [];
  let firstError: ApiErr | null = row.error ?? null;
  let outputSample: Record<string, unknown>;
  let namespace: Sample | null;

  if (scope.sampler && !firstError) {
    const sampled = await scope.sampler(row.item, scope.signal);
    // Upstream answers tend to arrive in bursts (calls that started together end together). Grading and
    // recording waits for the event loop's next turn, so every answer read in this turn first frees its
    // slot and starts the next call; otherwise the last answer of a burst of 64 would wait for 63 items
    // to be graded before its slot went back to work.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (sampled.usage && sampled.model && !sampled.error) usage.push({ model: sampled.model, usage: sampled.usage });
    outputSample = sampled;
    namespace = sampled;
    firstError = sampled.error;
  } else {
    namespace = rowSampleNamespace(row.sample);
    outputSample = rowOutputSample(namespace);
  }

  const results: Array<Record<string, unknown>> = [];
  const criteria: GradedItem['criteria'] = [];
  let allPassed = true;
  if (!firstError) {
    const scopeVars = namespace ? { item: row.item, sample: namespace } : { item: row.item };
    const ctx: GradeContext = {
      item: row.item,
      sample: namespace,
      render: (t) => renderTemplate(t, scopeVars),
      signal: scope.signal,
      models: scope.models,
      python: scope.python,
    };
    for (const criterion of scope.evalRecord.testing_criteria) {
      const base = { name: criterion.id, type: resultType(criterion.type) };
      try {
        const answer = graderFor(criterion.type)!(criterion, ctx);
        const r = answer instanceof Promise ? await answer : answer;
        if (r.usage) usage.push(...r.usage);
        results.push({ ...base, score: r.score, passed: r.passed, sample: r.sample ?? null });
        criteria.push({ id: criterion.id, passed: r.passed });
        allPassed &&= r.passed;
      } catch (e) {
        if (scope.signal.aborted) throw e;
        const err = asApiError(e);
        const extra = e as { usage?: GradedItem['usage']; sample?: Record<string, unknown> };
        if (extra.usage) usage.push(...extra.usage);
        results.push({ ...base, score: 0, passed: false, sample: { ...extra.sample, error: err } });
        criteria.push({ id: criterion.id, passed: false });
        firstError ??= { code: err.code, message: `${criterion.name}: ${err.message}` };
        allPassed = false;
      }
    }
  }

  const nowMs = Date.now();
  return {
    record: {
      id: newId('outputitem_', nowMs),
      run_id: scope.run.id,
      eval_id: scope.run.eval_id,
      project: scope.run.project,
      datasource_item_id: row.index,
      status: allPassed && !firstError ? 'pass' : 'fail',
      datasource_item: row.item,
      results,
      sample: { ...outputSample, error: firstError },
      created_at: Math.floor(nowMs / 1000),
    },
    outcome: firstError ? 'errored' : allPassed ? 'passed' : 'failed',
    criteria,
    usage,
  };
}

function asApiError(e: unknown): ApiErr {
  if (e instanceof GradeError) return { code: e.code, message: e.message };
  return { code: 'grader_error', message: e instanceof Error ? e.message : String(e) };
}
