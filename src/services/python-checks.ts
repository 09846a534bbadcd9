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
  // A few sandboxes at a time: an eval may hold many python criteria, and each check starts a process.
  for (let i = 0; i < placed.length; i += CHECKS_AT_ONCE) {
    const batch = placed.slice(i, i + CHECKS_AT_ONCE);
    const results = await Promise.all(batch.map((p) => check(p.source)));
    results.forEach((r, j) => {
      if (r.ok === false) throw ApiError.invalid(batch[j]!.param, `The python grader's source is not valid: ${r.message}`, 'invalid_python_source');
    });
  }
}

const CHECKS_AT_ONCE = 4;
