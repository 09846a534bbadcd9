// The body of a similarity worker thread (see off-thread.ts): one metric on one pair per task.
import { similarity, type SimilarityMetric } from './index.js';

export interface SimilarityTask {
  metric: SimilarityMetric;
  input: string;
  reference: string;
}

export default function grade(task: SimilarityTask): number {
  return similarity(task.metric, task.input, task.reference);
}
