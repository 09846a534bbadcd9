import { GradeError } from '../graders/grader.js';

/** The two namespaces a template may read. `sample` is absent while sampling the model's input. */
export interface TemplateScope {
  item: unknown;
  sample?: unknown;
}

// `{{ item.a.b[0] }}` / `{{sample.output_json.name}}`: a namespace, then dotted keys and [n] indices.
const VARIABLE = /\{\{\s*((?:item|sample)(?:\.[^\s.[\]{}]+|\[\d+\])*)\s*\}\}/g;
const SEGMENT = /\.([^\s.[\]{}]+)|\[(\d+)\]/g;

const MISSING = Symbol('missing');

/** Looks up `item.a[0].b` in the scope; MISSING when any step does not exist. */
export function resolvePath(scope: TemplateScope, path: string): unknown {
  const namespace = path.startsWith('item') ? 'item' : 'sample';
  if (namespace === 'sample' && !('sample' in scope && scope.sample !== undefined)) return MISSING;
  let value: unknown = scope[namespace];
  for (const match of path.slice(namespace.length).matchAll(SEGMENT)) {
    const key = match[1] ?? Number(match[2]);
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return MISSING;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Whether resolvePath found nothing. */
export const isMissing = (value: unknown): boolean => value === MISSING;

/** How a value is put into text: strings as they are, null as empty, anything else as JSON. */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * Renders every `{{ namespace.path }}` in `template`. A variable that does not exist throws a GradeError
 * (`invalid_variable`), so a typo errors the item instead of silently comparing against an empty string.
 */
export function renderTemplate(template: string, scope: TemplateScope): string {
  if (!template.includes('{{')) return template;
  return template.replace(VARIABLE, (_whole, path: string) => {
    const value = resolvePath(scope, path);
    if (value === MISSING) throw new GradeError('invalid_variable', `template variable {{ ${path} }} does not exist`);
    return stringifyValue(value);
  });
}
