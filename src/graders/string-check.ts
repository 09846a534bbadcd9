import type { Grader } from './grader.js';

export interface StringCheckSpec {
  type: 'string_check';
  name: string;
  input: string;
  reference: string;
  operation: 'eq' | 'ne' | 'like' | 'ilike';
}

/** `string_check`: compares rendered `input` with rendered `reference`; like/ilike mean "contains". */
export const stringCheck: Grader<StringCheckSpec> = (spec, ctx) => {
  const passed = compare(spec.operation, ctx.render(spec.input), ctx.render(spec.reference));
  return { score: passed ? 1 : 0, passed };
};

/** The comparison itself, exported for the standalone graders API and tests. */
export function compare(operation: StringCheckSpec['operation'], input: string, reference: string): boolean {
  switch (operation) {
    case 'eq': return input === reference;
    case 'ne': return input !== reference;
    case 'like': return input.includes(reference);
    case 'ilike': return input.toLowerCase().includes(reference.toLowerCase());
  }
}
