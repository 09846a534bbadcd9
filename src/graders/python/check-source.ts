import { CHECK_SCRIPT } from './check-script.js';
import { resolvePythonOptions, type PythonOptions } from './options.js';
import { getLauncher } from './sandbox.js';

/** What the store-time check says of one source. */
export type SourceCheck =
  | { ok: true }
  | { ok: false; message: string }
  /** The check could not run here (no sandbox): the source is taken, and errors its items if it is broken. */
  | { ok: null; reason: string };

const CHECK_TIMEOUT_MS = 15_000;
const CHECK_MEMORY_MB = 512;
const cache = new Map<string, Promise<SourceCheck>>();
const CACHE_LIMIT = 256;

/**
 * Compiles a python grader's source in the grader sandbox, without running it, and says whether it
 * compiles and defines `grade`. The answer is kept per source text (the same grader is often stored many
 * times); a check that could not run is not kept.
 */
export function checkPythonSource(source: string, overrides: Partial<PythonOptions> = {}): Promise<SourceCheck> {
  const found = cache.get(source);
  if (found) return found;
  const pending = runCheck(source, overrides);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, pending);
  void pending.then((r) => { if (r.ok === null) cache.delete(source); });
  return pending;
}

async function runCheck(source: string, overrides: Partial<PythonOptions>): Promise<SourceCheck> {
  let options: PythonOptions;
  try {
    options = resolvePythonOptions(overrides);
  } catch (error) {
    return { ok: null, reason: (error as Error).message };
  }
  const launcher = await getLauncher(options);
  if (!launcher.status.ready) return { ok: null, reason: launcher.status.detail };
  const args = ['-I', '-B', '-X', 'utf8', '-c', CHECK_SCRIPT, String(CHECK_MEMORY_MB * 1024 * 1024)];
  let spawned;
  try {
    spawned = launcher.spawn(options, args);
  } catch (error) {
    return { ok: null, reason: (error as Error).message };
  }
  const { child } = spawned;
  return new Promise<SourceCheck>((resolve) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => spawned.kill(), CHECK_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < 64_000) stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString('utf8'); });
    child.stdin.on('error', () => { /* it died early; 'close' reports it */ });
    child.on('error', (error) => { clearTimeout(timer); resolve({ ok: null, reason: error.message }); });
    child.on('close', () => {
      clearTimeout(timer);
      spawned.cleanup();
      try {
        const answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { message?: unknown };
        resolve(typeof answer.message === 'string' ? { ok: false, message: answer.message } : { ok: true });
      } catch {
        resolve({ ok: null, reason: `the source check did not answer (${stderr.trim().slice(0, 300) || 'no output'})` });
      }
    });
    child.stdin.end(source);
  });
}
