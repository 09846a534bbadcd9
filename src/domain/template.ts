/**
 * The syntax of evald's templates, shared by rendering (engine) and the checks made when an eval or a run
 * is created (services): `{{ namespace.key[0].key }}`, spaces optional, namespaces `item` and `sample`.
 */

/** A variable path split once: its namespace and the keys / indices after it. */
export interface ParsedPath {
  path: string;
  namespace: string;
  keys: Array<string | number>;
}

// What may sit between `{{` and `}}`: a namespace, then dotted keys and [n] indices.
const PATH = /^([A-Za-z_][\w-]*)((?:\.[^\s.[\]{}]+|\[\d+\])*)$/;
const SEGMENT = /\.([^\s.[\]{}]+)|\[(\d+)\]/g;

/** The namespaces a template may read. */
export const NAMESPACES = ['item', 'sample'] as const;

/** Splits `item.a[0].b`; null when the text is not a path at all. */
export function parsePath(text: string): ParsedPath | null {
  const m = PATH.exec(text);
  if (!m) return null;
  const keys: Array<string | number> = [];
  for (const seg of m[2]!.matchAll(SEGMENT)) keys.push(seg[1] ?? Number(seg[2]));
  return { path: text, namespace: m[1]!, keys };
}

/** One `{{ … }}` of a template: where it starts and what is inside (trimmed). */
export interface Placeholder {
  index: number;
  length: number;
  inner: string;
}

/** Every `{{ … }}` in order, or the first syntax problem (an unclosed `{{`) as a message. */
export function scanPlaceholders(template: string): { placeholders: Placeholder[]; problem: string | null } {
  const placeholders: Placeholder[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf('{{', from);
    if (open < 0) return { placeholders, problem: null };
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return { placeholders, problem: `'{{' at character ${open} is never closed with '}}'` };
    placeholders.push({ index: open, length: close + 2 - open, inner: template.slice(open + 2, close).trim() });
    from = close + 2;
  }
}

/** Where a template is checked: the namespaces it may use and, for `item`, the eval's item schema. */
export interface TemplateRules {
  namespaces: readonly string[];
  itemSchema: unknown;
}

/**
 * Why this template can render for no row at all, or null: an unclosed `{{`, something between the braces
 * that is not a path, a namespace the place does not have, or an `item` key the item schema forbids.
 */
export function templateProblem(template: string, rules: TemplateRules): string | null {
  if (!template.includes('{{')) return null;
  const { placeholders, problem } = scanPlaceholders(template);
  if (problem) return problem;
  for (const { inner } of placeholders) {
    const parsed = parsePath(inner);
    if (!parsed) return `{{ ${inner} }} is not a variable: write {{ item.field }} or {{ sample.field }}, with dots and [n] indices`;
    if (!rules.namespaces.includes(parsed.namespace)) {
      if (parsed.namespace === 'sample') return `{{ ${inner} }}: the model's input is rendered before there is a sample, so only item.* exists here`;
      return `{{ ${inner} }} names the namespace '${parsed.namespace}'; here only ${rules.namespaces.map((n) => `'${n}'`).join(' and ')} exist`;
    }
    if (parsed.namespace === 'item') {
      const bad = forbiddenKey(rules.itemSchema, parsed.keys);
      if (bad) return `{{ ${inner} }}: the item schema has no property '${bad.key}'${bad.at ? ` in ${bad.at}` : ''} and allows no others (additionalProperties: false)`;
    }
  }
  return null;
}

type Schema = { properties?: Record<string, unknown>; additionalProperties?: unknown; items?: unknown };
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first key of `keys` that `schema` rules out, following only schemas that say so for certain: an
 * object schema listing `properties` with `additionalProperties: false`, and an array schema's `items`.
 * Anything else (combinators, refs, a string that may hold JSON) stops the check: it may render.
 */
export function forbiddenKey(schema: unknown, keys: Array<string | number>): { key: string; at: string } | null {
  let at = 'item';
  let current: unknown = schema;
  for (const key of keys) {
    if (!isObject(current)) return null;
    if (typeof key === 'number') {
      if (!isObject(current.items)) return null;
      current = current.items;
      at += `[${key}]`;
      continue;
    }
    const props = current.properties as Record<string, unknown> | undefined;
    if (!isObject(props)) return null;
    if (Object.hasOwn(props, key)) {
      current = (props as Record<string, unknown>)[key];
      at += `.${key}`;
      continue;
    }
    return current.additionalProperties === false ? { key, at: at === 'item' ? '' : at } : null;
  }
  return null;
}
