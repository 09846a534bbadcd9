import type { Sample, Usage } from '../domain/sample.js';

/**
 * A model call a grader may make (label_model, score_model, cosine embeddings). Graders never import a
 * provider: the engine hands them this, already bound to routing, retries and concurrency limits.
 */
export interface ModelAccess {
  /** Chat completion with optional structured output; returns the assistant text and usage. */
  chat(request: {
    model: string;
    messages: Array<{ role: string; content: unknown }>;
    response_format?: unknown;
    temperature?: number | null;
    top_p?: number | null;
    seed?: number | null;
    max_completion_tokens?: number | null;
    reasoning_effort?: string | null;
  }, signal: AbortSignal): Promise<{ text: string | null; refusal: string | null; model: string; usage: Usage; finishReason?: string }>;
  /** Embeddings for each input string, in order. */
  embed(request: { model: string; input: string[] }, signal: AbortSignal): Promise<{ vectors: number[][]; model: string; usage: Usage }>;
}

/**
 * Runs a python grader's `grade(sample, item)` in the sandbox. The engine makes one per run (pools of
 * sandboxed workers keyed by source) and closes it when the run ends.
 */
export interface PythonAccess {
  grade(source: string, sample: unknown, item: unknown, signal: AbortSignal): Promise<number>;
}

/** What every grader is handed for one item. */
export interface GradeContext {
  item: unknown;
  sample: Sample | null;
  /** Renders `{{ item.x }}` / `{{ sample.y }}`; throws a GradeError for an unknown variable. */
  render(template: string): string;
  signal: AbortSignal;
  models: ModelAccess;
  python: PythonAccess;
}

/** One criterion's outcome for one item; `sample` keeps a model grader's call, when there was one. */
export interface GradeResult {
  score: number;
  passed: boolean;
  sample?: Record<string, unknown> | null;
  /** Tokens a model grader spent, by model, so the run can sum per_model_usage. */
  usage?: { model: string; usage: Usage }[];
}

/**
 * A grader is a pure-ish function of its spec and the item's context. Graders that need no I/O
 * (string_check, the text_similarity metrics) answer synchronously: the engine grades every item with
 * them, and a promise per criterion per item is pure overhead there.
 */
export type Grader<Spec> = (spec: Spec, ctx: GradeContext) => GradeResult | Promise<GradeResult>;

/**
 * A failure that makes the item errored (never a silent 0): counted in result_counts.errored and
 * reported as `{code, message}`.
 */
export class GradeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'GradeError';
  }
}
