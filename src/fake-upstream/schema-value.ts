/** What steers a generated value: the prompt's score/label directives, and a hash for other choices. */
export interface ValueHints {
  score?: number;
  label?: string;
  hash: number;
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const LABEL_FIELDS = new Set(['label', 'result', 'answer', 'classification', 'category', 'choice']);
const MAX_DEPTH = 12;

function resolveRef(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : {};
}

function numberFor(schema: Schema, hints: ValueHints, integer: boolean): number {
  let value = hints.score ?? 1;
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : undefined;
  if (min !== undefined) value = Math.max(min, value);
  if (max !== undefined) value = Math.min(max, value);
  return integer ? Math.round(value) : value;
}

function stringFor(schema: Schema, hints: ValueHints, name: string | undefined): string {
  let value: string;
  if (hints.label !== undefined && name !== undefined && LABEL_FIELDS.has(name)) value = hints.label;
  else if (schema.format === 'date-time') value = '2024-07-18T00:00:00Z';
  else if (schema.format === 'date') value = '2024-07-18';
  else if (schema.format === 'email') value = 'fake@example.com';
  else if (schema.format === 'uri') value = 'https://example.com/fake';
  else value = `fake ${name ?? 'text'}`;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  if (value.length < minLength) value = value.padEnd(minLength, '.');
  if (typeof schema.maxLength === 'number') value = value.slice(0, schema.maxLength);
  return value;
}

function pickEnum(options: unknown[], hints: ValueHints): unknown {
  if (hints.label !== undefined && options.includes(hints.label)) return hints.label;
  return options[hints.hash % options.length];
}

/**
 * A JSON value that conforms to `schema` (the subset structured outputs allow: objects, arrays, scalars,
 * enum/const, anyOf/oneOf/allOf, $ref). Every number takes the `score` hint when given (else 1, clamped
 * into the allowed range); enums take the `label` hint when it is an option (else a choice by prompt hash);
 * free strings named label/result/answer/… take the label too. All object properties are filled, as strict
 * mode requires.
 */
export function valueForSchema(schema: unknown, hints: ValueHints, root: unknown = schema, name?: string, depth = 0): unknown {
  if (!isSchema(schema) || depth > MAX_DEPTH) return null;
  const rootSchema = isSchema(root) ? root : {};
  if (typeof schema.$ref === 'string') return valueForSchema(resolveRef(schema.$ref, rootSchema), hints, root, name, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pickEnum(schema.enum, hints);
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    const nonNull = branches.find((b) => !(isSchema(b) && b.type === 'null')) ?? branches[0];
    return valueForSchema(nonNull, hints, root, name, depth + 1);
  }
  const declared = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? 'null') : schema.type;
  const type = declared ?? (isSchema(schema.properties) ? 'object' : schema.items !== undefined ? 'array' : 'string');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(properties)) out[key] = valueForSchema(sub, hints, root, key, depth + 1);
      return out;
    }
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
      const count = Math.min(Math.max(1, minItems), maxItems);
      return Array.from({ length: count }, () => valueForSchema(schema.items, hints, root, undefined, depth + 1));
    }
    case 'number':
      return numberFor(schema, hints, false);
    case 'integer':
      return numberFor(schema, hints, true);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(schema, hints, name);
  }
}
