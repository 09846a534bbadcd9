import { parsePath, scanPlaceholders, type ParsedPath } from '../domain/template.js';
import { GradeError } from '../graders/grader.js';

/** The two namespaces a template may read. `sample` is absent while sampling the model's input. */
export interface TemplateScope {
  item: unknown;
  sample?: unknown;
}

const MISSING = Symbol('missing');

/** A JSON text's value, or MISSING; tool-call `arguments` are JSON held in a string. */
function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return MISSING;
  }
}

function lookup(scope: TemplateScope, parsed: ParsedPath): unknown {
  // A row without a sample (a jsonl run): every sample.* is empty, as OpenAI renders it, not an error.
  if (parsed.namespace === 'sample' && scope.sample === undefined) return null;
  let value: unknown = parsed.namespace === 'item' ? scope.item : scope.sample;
  for (const key of parsed.keys) {
    // A path that goes on past a string goes on inside the JSON the string holds.
    if (typeof value === 'string') value = parseJsonText(value);
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return MISSING;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Looks up `item.a[0].b` in the scope; MISSING when any step does not exist. */
export function resolvePath(scope: TemplateScope, path: string): unknown {
  const parsed = parsePath(path);
  return parsed && (parsed.namespace === 'item' || parsed.namespace === 'sample') ? lookup(scope, parsed) : MISSING;
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

// Braces that hold no item/sample path stay literal text: create refuses them in new templates, but an
// eval stored before that check still renders as it did.
function compile(template: string): CompiledTemplate {
  let found = compiled.get(template);
  if (found) return found;
  const texts: string[] = [];
  const vars: ParsedPath[] = [];
  let last = 0;
  for (const p of scanPlaceholders(template).placeholders) {
    const parsed = parsePath(p.inner);
    if (!parsed || (parsed.namespace !== 'item' && parsed.namespace !== 'sample')) continue;
    texts.push(template.slice(last, p.index));
    vars.push(parsed);
    last = p.index + p.length;
  }
  texts.push(template.slice(last));
  found = { texts, vars };
  if (compiled.size >= COMPILED_LIMIT) compiled.clear();
  compiled.set(template, found);
  return found;
}

/**
 * Renders every `{{ namespace.path }}` in `template`. A variable that does not exist throws a GradeError
 * (`invalid_variable`), so a typo errors the item instead of silently comparing against an empty string;
 * `sample.*` of a row that has no sample renders empty.
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
