import { z } from 'zod';
import { InputMessage, normaliseMessage, type EvalItem } from './messages.js';

export const SIMILARITY_METRICS = ['cosine', 'fuzzy_match', 'bleu', 'gleu', 'meteor',
  'rouge_1', 'rouge_2', 'rouge_3', 'rouge_4', 'rouge_5', 'rouge_l'] as const;

const MAX_PYTHON_SOURCE_BYTES = 256 * 1024;
const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
const ReasoningEffort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish();

export const StringCheckGrader = z.object({
  type: z.literal('string_check'),
  name: z.string(),
  input: z.string(),
  reference: z.string(),
  // `neq` is how OpenAI's guide spells it; the spec says `ne`. Both are taken, and stored as `ne`.
  operation: z.enum(['eq', 'ne', 'neq', 'like', 'ilike']).transform((op) => (op === 'neq' ? 'ne' : op)),
});

const textSimilarityBase = {
  type: z.literal('text_similarity'),
  name: z.string(),
  input: z.string(),
  reference: z.string(),
  evaluation_metric: z.enum(SIMILARITY_METRICS),
};
export const TextSimilarityGrader = z.object({ ...textSimilarityBase, pass_threshold: finite.optional() });
export const EvalTextSimilarityGrader = z.object({ ...textSimilarityBase, pass_threshold: finite });

export const PythonGrader = z.object({
  type: z.literal('python'),
  name: z.string(),
  source: z.string().refine((s) => Buffer.byteLength(s) <= MAX_PYTHON_SOURCE_BYTES, {
    error: 'source must be at most 256 KB',
  }),
  image_tag: z.string().nullish(),
  pass_threshold: finite.nullish(),
});

const ScoreSamplingParams = z.object({
  seed: z.number().int().nullish(),
  top_p: finite.nullish(),
  temperature: finite.nullish(),
  max_completions_tokens: z.number().int().min(1).nullish(),
  reasoning_effort: ReasoningEffort,
}).nullish();

const messages = z.array(InputMessage).min(1, { error: 'input must have at least one message' })
  .transform((ms): EvalItem[] => ms.map(normaliseMessage));

export const ScoreModelGrader = z.object({
  type: z.literal('score_model'),
  name: z.string(),
  model: z.string().min(1),
  input: messages,
  range: z.tuple([finite, finite], { error: 'range must be two numbers [min, max]' })
    .refine(([lo, hi]) => lo < hi, { error: 'range must be increasing: [min, max] with min < max' })
    .optional(),
  sampling_params: ScoreSamplingParams,
  pass_threshold: finite.nullish(),
});

export const LabelModelGrader = z.object({
  type: z.literal('label_model'),
  name: z.string(),
  model: z.string().min(1),
  input: messages,
  labels: z.array(z.string()).min(1, { error: 'labels must not be empty' }),
  passing_labels: z.array(z.string()).min(1, { error: 'passing_labels must not be empty' }),
  sampling_params: z.unknown().optional(),
}).superRefine((g, ctx) => {
  g.passing_labels.forEach((label, i) => {
    if (!g.labels.includes(label)) {
      ctx.addIssue({ code: 'custom', path: ['passing_labels', i], message: `passing label '${label}' is not one of labels` });
    }
  });
});

/** A testing criterion as submitted to `POST /evals` (no `multi`). */
export const TestingCriterionParams = z.discriminatedUnion('type', [
  LabelModelGrader, StringCheckGrader, EvalTextSimilarityGrader, PythonGrader, ScoreModelGrader,
]);
export type TestingCriterionParams = z.infer<typeof TestingCriterionParams>;

/** A stored testing criterion: the validated spec plus its `<name>-<uuid4>` id. */
export type TestingCriterion = TestingCriterionParams & { id: string };

const SubGrader = z.discriminatedUnion('type', [
  StringCheckGrader, TextSimilarityGrader, PythonGrader, ScoreModelGrader, LabelModelGrader,
]);
export type SubGrader = z.infer<typeof SubGrader>;

// `multi.graders` is one grader in the spec, a name → grader map in OpenAI's guide, and a list in the spec's
// own example. All three are taken and stored as a map: formulas name sub-graders by its keys (for a single
// grader or a list, by each grader's `name` and by its `type`).
// Which of the three a value is, is told by its shape (a list; an object with a string `type`; any other
// object is a map), and only that form is checked: a union would let the single-grader branch speak for a
// map whose entry is wrong, naming `graders.type` instead of the entry.
const SubGraderList = z.array(SubGrader).min(1);
const SubGraderMap = z.record(z.string(), SubGrader);
const SubGraders = z.unknown().transform((value, ctx): SubGrader | SubGrader[] | Record<string, SubGrader> => {
  const isSingle = value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
  const schema = Array.isArray(value) ? SubGraderList : isSingle ? SubGrader : SubGraderMap;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue(issue as never);
  return z.NEVER;
});

export const MultiGrader = z.object({
  type: z.literal('multi'),
  name: z.string(),
  graders: SubGraders,
  calculate_output: z.string().min(1),
});

/** A grader for `/fine_tuning/alpha/graders/{run,validate}` (no `label_model`, `multi` allowed). */
export const StandaloneGrader = z.discriminatedUnion('type', [
  StringCheckGrader, TextSimilarityGrader, PythonGrader, ScoreModelGrader, MultiGrader,
]);
export type StandaloneGrader = z.infer<typeof StandaloneGrader>;
