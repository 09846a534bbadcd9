import { Ajv, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';

// ajv-formats is CommonJS whose typings describe an ES default export; require() gives the plugin itself.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

// `strict: false`: item schemas are users' JSON Schemas, and the spec lets them carry any keyword (the SDK's
// own tests send {"foo":"bar"}); unknown keywords are ignored rather than refused.
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: true });
addFormats(ajv);

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
