import type { TestingCriterionParams } from '../schemas/graders.js';
import type { Grader } from './grader.js';
import { stringCheck } from './string-check.js';
import { textSimilarity } from './similarity-grader.js';
import { labelModel } from './label-model.js';
import { scoreModel } from './score-model.js';
import { pythonGrader } from './python/index.js';

/** Every grader type an eval's testing criteria may use, keyed by the API's own `type` strings. */
export const graders = {
  string_check: stringCheck,
  text_similarity: textSimilarity,
  label_model: labelModel,
  score_model: scoreModel,
  python: pythonGrader,
} satisfies Record<TestingCriterionParams['type'], Grader<never>>;

/** The grader for a criterion's type. */
export const graderFor = (type: string): Grader<unknown> | undefined =>
  (graders as Record<string, Grader<unknown>>)[type];

const resultTypes = new Map<string, string>();

/** The `type` a result carries, as OpenAI spells it in output items: `string-check-grader`. */
export const resultType = (type: string): string => {
  let spelled = resultTypes.get(type);
  if (spelled === undefined) {
    spelled = `${type.replaceAll('_', '-')}-grader`;
    resultTypes.set(type, spelled);
  }
  return spelled;
};
