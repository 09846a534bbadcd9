import { GradeError, type GradeContext, type GradeResult, type Grader } from './grader.js';
import { similarity, type SimilarityMetric } from './text-similarity/index.js';
import { gradesInline, sizeRefusal } from './text-similarity/limits.js';
import { similarityOffThread } from './text-similarity/off-thread.js';

export interface TextSimilaritySpec {
  type: 'text_similarity';
  name: string;
  input: string;
  reference: string;
  evaluation_metric: SimilarityMetric | 'cosine';
  pass_threshold?: number | undefined;
}

// OpenAI's cosine metric embeds with this model; EVALD_CONFIG's `embedding_model` maps it to another.
const EMBEDDING_MODEL = 'text-embedding-3-large';

/** `text_similarity`: a score in [0, 1]; passed when score ≥ pass_threshold (default 1 outside evals). */
export const textSimilarity: Grader<TextSimilaritySpec> = (spec, ctx) => {
  const input = ctx.render(spec.input);
  const reference = ctx.render(spec.reference);
  const threshold = spec.pass_threshold ?? 1;
  const metric = spec.evaluation_metric;
  if (metric === 'cosine') return cosineGrade(input, reference, threshold, ctx);
  const refusal = sizeRefusal(metric, input, reference);
  if (refusal) throw new GradeError('text_similarity_input_too_large', refusal);
  if (gradesInline(metric, input, reference)) {
    const score = similarity(metric, input, reference);
    return { score, passed: score >= threshold };
  }
  return similarityOffThread(metric, input, reference, ctx.signal).then((score) => ({ score, passed: score >= threshold }));
};

async function cosineGrade(input: string, reference: string, threshold: number, ctx: GradeContext): Promise<GradeResult> {
  const { vectors, model, usage } = await ctx.models.embed({ model: EMBEDDING_MODEL, input: [input, reference] }, ctx.signal);
  const score = Math.max(0, Math.min(1, cosine(vectors[0]!, vectors[1]!)));
  return { score, passed: score >= threshold, usage: [{ model, usage }] };
}

/** Cosine similarity of two vectors; 0 when either is all zeros. */
export function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i] ?? 0;
    dot += x * y; na += x * x; nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
