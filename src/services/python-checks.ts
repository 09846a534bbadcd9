import { ApiError } from '../api/errors.js';
import type { SourceCheck } from '../graders/python/check-source.js';

/** Checks one python source at store time (compiled in the sandbox, never run). */
export type PythonSourceChecker = (source: string) => Promise<SourceCheck>;

/** Every python grader's `source` in a grader (multi graders included), with its request path. */
export function pythonSources(grader: Record<string, unknown>, base: string): Array<{ param: string; source: string }> {
  if (grader.type === 'python' && typeof grader.source === 'string') return [{ param: `${base}.source`, source: grader.source }];
  const subs = grader.graders;
  if (grader.type !== 'multi' || !subs || typeof subs !== 'object') return [];
  if (typeof (subs as { type?: unknown }).type === 'string') return pythonSources(subs as Record<string, unknown>, `${base}.graders`);
  if (Array.isArray(subs)) return subs.flatMap((g, i) => pythonSources(g as Record<string, unknown>, `${base}.graders[${i}]`));
  return Object.entries(subs).flatMap(([k, g]) => pythonSources(g as Record<string, unknown>, `${base}.graders.${k}`));
}

/** Refuses (400, `param` naming the `source`) the first source that does not compile or defines no `grade`. */
export async function checkPythonSources(placed: Array<{ param: string; source: string }>, check: PythonSourceChecker): Promise<void> {
  const results = await Promise.all(placed.map((p) => check(p.source)));
  results.forEach((r, i) => {
    if (r.ok === false) throw ApiError.invalid(placed[i]!.param, `The python grader's source is not valid: ${r.message}`, 'invalid_python_source');
  });
}
