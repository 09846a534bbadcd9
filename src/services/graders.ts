import { z } from 'zod';
import { FormulaError, parseFormula } from '../domain/formula.js';
import type { Sample, Usage } from '../domain/sample.js';
import { renderTemplate } from '../engine/render-template.js';
import { GradeError, type GradeContext, type ModelAccess, type PythonAccess } from '../graders/grader.js';
import { graderFor } from '../graders/registry.js';
import { JsonObject } from '../schemas/common.js';
import { StandaloneGrader, type SubGrader } from '../schemas/graders.js';
import { ApiError, quote } from '../api/errors.js';
import { NAMESPACES } from '../domain/template.js';
import { checkPythonSources, pythonSources, type PythonSourceChecker } from './python-checks.js';
import { checkTemplates, graderTemplates } from './template-checks.js';
import { CallGate } from './call-gate.js';

export const ValidateGraderRequest = z.object({ grader: StandaloneGrader });
export const RunGraderRequest = z.object({
  grader: StandaloneGrader,
  model_sample: z.string(),
  item: JsonObject.optional(),
});
export type RunGraderRequest = z.infer<typeof RunGraderRequest>;

const ERROR_FLAGS = ['formula_parse_error', 'sample_parse_error', 'truncated_observation_error', 'unresponsive_reward_error',
  'invalid_variable_error', 'other_error', 'python_grader_server_error', 'python_grader_runtime_error',
  'model_grader_server_error', 'model_grader_refusal_error', 'model_grader_parse_error'] as const;

type Errors = Record<(typeof ERROR_FLAGS)[number], boolean> & {
  python_grader_server_error_type: string | null;
  python_grader_runtime_error_details: string | null;
  model_grader_server_error_details: string | null;
  /** evald's own: what an `other_error` was, when evald can say (OpenAI's flags name no reason for it). */
  other_error_details?: string | null;
};

/** `/fine_tuning/alpha/graders/{run,validate}`: try one grader on one sample. */
export class GradersService {
  readonly #pythonGate: CallGate;

  /**
   * `pythonConcurrency` calls with a python grader run at once (each starts a sandbox); up to
   * PYTHON_QUEUE more wait their turn, and a call beyond those is refused with a 429.
   */
  constructor(
    private readonly models: ModelAccess,
    private readonly createPython: () => PythonAccess & { close(): Promise<void> },
    private readonly checkPython: PythonSourceChecker,
    pythonConcurrency = 2,
  ) {
    this.#pythonGate = new CallGate(pythonConcurrency, PYTHON_QUEUE, 'calls with a python grader');
  }

  /** Refuses what could never grade: a bad formula, a template that cannot render, python that does not compile. */
  async validate(grader: StandaloneGrader) {
    if (grader.type === 'multi') this.namedSubGraders(grader);
    checkTemplates(graderTemplates(grader, 'grader'), { namespaces: NAMESPACES, itemSchema: null });
    await checkPythonSources(pythonSources(grader, 'grader'), this.checkPython);
    return { grader };
  }

  /** Grades one sample; `signal` (the HTTP request's: aborted when the client hangs up) stops the work. */
  async run(request: RunGraderRequest, signal?: AbortSignal) {
    const started = performance.now();
    const { grader } = request;
    const item = request.item ?? {};
    const sample: Sample = { output_text: request.model_sample };
    try {
      sample.output_json = JSON.parse(request.model_sample);
    } catch { /* not JSON: no output_json */ }
    const errors = emptyErrors();
    // Not AbortSignal.any: on Node 20 the signal it makes can be collected while a worker thread still
    // waits on it, and then the client's hang-up never reaches the grader.
    const stop = new AbortController();
    const deadline = setTimeout(() => stop.abort(new DOMException('the grader ran for 10 minutes', 'TimeoutError')), 10 * 60_000);
    const onHangUp = () => stop.abort(signal!.reason);
    signal?.addEventListener('abort', onHangUp, { once: true });
    let leaveGate: (() => void) | null = null;
    try {
      if (usesPython(grader)) leaveGate = await this.#pythonGate.enter(stop.signal);
    } catch (e) {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onHangUp);
      throw e;
    }
    const perModel: Record<string, Usage> = {};
    const python = this.createPython();
    const ctx: GradeContext = {
      item, sample, models: this.models, python,
      render: (t) => renderTemplate(t, { item, sample }),
      signal: stop.signal,
    };
    const gradeOne = async (spec: SubGrader): Promise<number> => {
      const result = await graderFor(spec.type)!(spec, ctx);
      for (const u of result.usage ?? []) addUsage(perModel, u.model, u.usage);
      return result.score;
    };
    let reward = 0;
    const subRewards: Record<string, number> = {};
    try {
      if (grader.type === 'multi') {
        const named = this.namedSubGraders(grader);
        const vars: Record<string, number> = {};
        for (const { keys, spec } of named) {
          const score = await gradeOne(spec);
          subRewards[keys[0]!] = score;
          for (const k of keys) vars[k] = score;
        }
        reward = parseFormula(grader.calculate_output).evaluate(vars);
        // Division by zero, log(0), sqrt(-1): JSON has no Infinity or NaN, so the reward would go out as null.
        if (!Number.isFinite(reward)) {
          errors.other_error = true;
          errors.other_error_details = `calculate_output '${quote(grader.calculate_output)}' evaluated to ${reward} `
            + `(a division by zero or a function outside its domain) for ${quote(JSON.stringify(vars))}; the reward is 0`;
          reward = 0;
        }
      } else {
        reward = await gradeOne(grader);
      }
    } catch (e) {
      flagError(errors, e);
      reward = 0;
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onHangUp);
      await python.close();
      leaveGate?.();
    }
    const usageValues = Object.values(perModel);
    return {
      reward,
      metadata: {
        name: grader.name,
        type: grader.type,
        errors,
        execution_time: (performance.now() - started) / 1000,
        scores: subRewards,
        token_usage: usageValues.length ? sumUsage(usageValues) : null,
        sampled_model_name: Object.keys(perModel)[0] ?? null,
      },
      sub_rewards: subRewards,
      model_grader_token_usage_per_model: perModel,
    };
  }

  /** Each sub-grader of a multi grader with the names a formula may call it by; checks the formula. */
  private namedSubGraders(grader: Extract<StandaloneGrader, { type: 'multi' }>): Array<{ keys: string[]; spec: SubGrader }> {
    const g = grader.graders;
    const list: Array<{ keys: string[]; spec: SubGrader }> = 'type' in g && typeof g.type === 'string'
      ? [{ keys: [(g as SubGrader).name, g.type as string], spec: g as SubGrader }]
      : Array.isArray(g) ? g.map((s) => ({ keys: [s.name, s.type, `${s.type}_score`], spec: s }))
        : Object.entries(g as Record<string, SubGrader>).map(([key, s]) => ({ keys: [key], spec: s }));
    let variables: Set<string>;
    try {
      variables = parseFormula(grader.calculate_output).variables;
    } catch (e) {
      throw ApiError.invalid('grader.calculate_output', `calculate_output cannot be parsed: ${(e as Error).message}`);
    }
    const known = new Set(list.flatMap((x) => x.keys));
    for (const v of variables) {
      if (!known.has(v)) throw ApiError.invalid('grader.calculate_output', `calculate_output uses '${quote(v)}', which names no sub-grader (known: ${quote([...known].join(', '), 1000)})`);
    }
    return list;
  }
}

/** Calls with a python grader that may wait for a sandbox before the next is refused. */
export const PYTHON_QUEUE = 64;

function usesPython(grader: StandaloneGrader): boolean {
  if (grader.type !== 'multi') return grader.type === 'python';
  const g = grader.graders;
  const subs: Array<{ type: string }> = 'type' in g && typeof g.type === 'string' ? [g as { type: string }]
    : Array.isArray(g) ? g : Object.values(g as Record<string, { type: string }>);
  return subs.some((sub) => sub.type === 'python');
}

function emptyErrors(): Errors {
  const flags = Object.fromEntries(ERROR_FLAGS.map((f) => [f, false])) as Record<(typeof ERROR_FLAGS)[number], boolean>;
  return { ...flags, python_grader_server_error_type: null, python_grader_runtime_error_details: null, model_grader_server_error_details: null, other_error_details: null };
}

function flagError(errors: Errors, e: unknown): void {
  const code = e instanceof GradeError ? e.code : '';
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof FormulaError) errors.formula_parse_error = true;
  else if (code === 'invalid_variable') errors.invalid_variable_error = true;
  else if (code === 'model_grader_refusal') errors.model_grader_refusal_error = true;
  else if (code === 'model_grader_parse_error') errors.model_grader_parse_error = true;
  else if (code.startsWith('python_sandbox') || code === 'python_unavailable') { errors.python_grader_server_error = true; errors.python_grader_server_error_type = code; }
  else if (code.startsWith('python')) { errors.python_grader_runtime_error = true; errors.python_grader_runtime_error_details = message; }
  else if (code.startsWith('upstream') || code.startsWith('provider') || code === 'rate_limited') { errors.model_grader_server_error = true; errors.model_grader_server_error_details = message; }
  else { errors.other_error = true; errors.other_error_details = code ? `${code}: ${message}` : message; }
}

function addUsage(perModel: Record<string, Usage>, model: string, u: Usage): void {
  const t = (perModel[model] ??= { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 });
  t.prompt_tokens += u.prompt_tokens; t.completion_tokens += u.completion_tokens;
  t.total_tokens += u.total_tokens; t.cached_tokens += u.cached_tokens;
}

function sumUsage(all: Usage[]): Usage {
  const total: Record<string, Usage> = {};
  for (const u of all) addUsage(total, 'all', u);
  return total.all!;
}
