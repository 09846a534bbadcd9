/**
 * How deeply a JSON request body, or a row of an uploaded file, may nest (objects and arrays). Far beyond
 * any item schema or row in practice; without a bound, a body nested 100,000 deep parses fine and then
 * overflows the stack of whatever walks it (validation, JSON.stringify) as a 500.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * The path of the first value nested deeper than `max` levels, or null. The top-level object or array is
 * level 1. Recursion is safe: it never goes more than `max + 1` frames deep.
 */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): Array<string | number> | null {
  const walk = (v: unknown, depth: number): Array<string | number> | null => {
    if (v === null || typeof v !== 'object') return null;
    if (depth > max) return [];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const inner = walk(v[i], depth + 1);
        if (inner) return [i, ...inner];
      }
      return null;
    }
    for (const key in v) {
      const inner = walk((v as Record<string, unknown>)[key], depth + 1);
      if (inner) return [key, ...inner];
    }
    return null;
  };
  return walk(value, 1);
}
