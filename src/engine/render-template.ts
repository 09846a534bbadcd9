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

/** A variable path split once: its namespace and the keys / indices after it. */
interface ParsedPath {
  path: string;
  namespace: 'item' | 'sample';
  keys: Array<string | number>;
}

function parsePath(path: string): ParsedPath {
  const namespace = path.startsWith('item') ? 'item' : 'sample';
  const keys: Array<string | number> = [];
  for (const match of path.slice(namespace.length).matchAll(SEGMENT)) keys.push(match[1] ?? Number(match[2]));
  return { path, namespace, keys };
}

function lookup(scope: TemplateScope, parsed: ParsedPath): unknown {
  if (parsed.namespace === 'sample' && scope.sample === undefined) return MISSING;
  let value: unknown = scope[parsed.namespace];
  for (const key of parsed.keys) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return MISSING;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Looks up `item.a[0].b` in the scope; MISSING when any step does not exist. */
export function resolvePath(scope: TemplateScope, path: string): unknown {
  return lookup(scope, parsePath(path));
}

/** Whether resolvePath found nothing. */
export const isMissing = (value: unknown): boolean => value === MISSING;

/** How a value is put into text: strings as they are, null as empty, anything else as JSON. */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** A template split once into literal text and the variables between it (texts.length = vars.length + 1). */
interface CompiledTemplate {
  texts: string[];
  vars: ParsedPath[];
}

// Templates come from a run's data source and its eval's criteria: a handful per run, rendered for every
// item. Each is parsed once; the cache is cleared if a process ever sees an unusual number of them.
const compiled = new Map<string, CompiledTemplate>();
const COMPILED_LIMIT = 10_000;

function compile(template: string): CompiledTemplate {
  let found = compiled.get(template);
  if (found) return found;
  const texts: string[] = [];
  const vars: ParsedPath[] = [];
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    texts.push(template.slice(last, match.index));
    vars.push(parsePath(match[1]!));
    last = match.index + match[0].length;
  }
  texts.push(template.slice(last));
  found = { texts, vars };
  if (compiled.size >= COMPILED_LIMIT) compiled.clear();
  compiled.set(template, found);
  return found;
}

/**
 * Renders every `{{ namespace.path }}` in `template`. A variable that does not exist throws a GradeError
 * (`invalid_variable`), so a typo errors the item instead of silently comparing against an empty string.
 */
export function renderTemplate(template: string, scope: TemplateScope): string {
  if (!template.includes('{{')) return template;
  const { texts, vars } = compile(template);
  let out = texts[0]!;
  for (let i = 0; i < vars.length; i++) {
    const parsed = vars[i]!;
    const value = lookup(scope, parsed);
    if (value === MISSING) throw new GradeError('invalid_variable', `template variable {{ ${parsed.path} }} does not exist`);
    out += stringifyValue(value) + texts[i + 1]!;
  }
  return out;
}
