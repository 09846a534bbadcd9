import { Ajv, type ValidateFunction } from 'ajv';
import type { RegExpEngine, SchemaValidateFunction } from 'ajv/dist/types/index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS whose typings describe an ES default export; require() gives the plugin itself.
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;

// `pattern` and `patternProperties` are users' regular expressions run against users' rows, on the event
// loop. V8's backtracking engine takes exponential time on patterns such as ^(a+)+$; RE2 (the native `re2`
// package) answers in time linear in the input, and refuses what it cannot do so (backreferences,
// lookaround), which then makes the schema invalid rather than a way to freeze the server.
const RE2 = require('re2') as new (pattern: string, flags: string) => { test(s: string): boolean };
function re2(pattern: string, flags: string) {
  try {
    return new RE2(pattern, flags);
  } catch (e) {
    throw new Error(`pattern ${JSON.stringify(pattern)} is not supported (${(e as Error).message}): evald runs patterns with RE2, `
      + 'in time linear in the input, which has no lookahead, lookbehind or backreferences');
  }
}
const regExp: RegExpEngine = Object.assign(re2, { code: 'new RE2' });

// `strict: false`: item schemas are users' JSON Schemas, and the spec lets them carry any keyword (the SDK's
// own tests send {"foo":"bar"}); unknown keywords are ignored rather than refused.
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: true, code: { regExp } });
addFormats(ajv);

// ajv checks `uniqueItems` by comparing every pair of items that are not all of one scalar type: 20,000
// objects took 13 s of the event loop. Here each item is written once in a canonical form (object keys
// sorted) and looked up in a map, which is linear in the array's size with JSON Schema's equality (equal
// objects whatever their key order; 1 and 1.0 alike). Rows nest at most MAX_JSON_DEPTH deep by then.
ajv.removeKeyword('uniqueItems');
const uniqueItems: SchemaValidateFunction = (wanted: boolean, data: unknown[]) => {
  if (!wanted) return true;
  const seen = new Map<string, number>();
  for (let i = 0; i < data.length; i++) {
    const key = canonical(data[i]);
    const first = seen.get(key);
    if (first !== undefined) {
      uniqueItems.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${i} and ${first} are identical)`, params: { i: first, j: i } }];
      return false;
    }
    seen.set(key, i);
  }
  return true;
};
ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: uniqueItems });

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

const cache = new Map<string, ValidateFunction>();

/** Compiles an eval's item schema (cached by its text); throws with ajv's reason if it is not a JSON Schema. */
export function compileItemSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (cache.size > 1000) cache.clear();
    cache.set(key, validate);
  }
  return validate;
}

/** Why `value` does not match, as one line naming the path, or null when it matches. */
export function schemaMismatch(validate: ValidateFunction, value: unknown): string | null {
  if (validate(value)) return null;
  const e = validate.errors?.[0];
  if (!e) return 'does not match the eval item schema';
  const where = e.instancePath ? `item${e.instancePath.replaceAll('/', '.')}` : 'item';
  return `${where} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`;
}
