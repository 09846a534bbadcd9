import { GradeError, type Grader, type PythonAccess } from '../grader.js';
import { resolvePythonOptions, type PythonOptions } from './options.js';
import { PythonPool } from './pool.js';
import { getLauncher, pythonSandboxStatus as statusFor, type SandboxStatus } from './sandbox.js';

export type { PythonOptions } from './options.js';
export type { SandboxStatus } from './sandbox.js';

/** The `python` testing criterion. `image_tag` is accepted for compatibility and ignored: graders run on the host's python. */
export interface PythonGraderSpec {
  type: 'python';
  name: string;
  source: string;
  pass_threshold?: number | null;
  image_tag?: string | null;
}

/** `python`: the score is what the source's `grade(sample, item)` returns; it passes at `pass_threshold` (0.5). */
export const pythonGrader: Grader<PythonGraderSpec> = async (spec, ctx) => {
  const score = await ctx.python.grade(spec.source, ctx.sample ?? {}, ctx.item, ctx.signal);
  return { score, passed: score >= (spec.pass_threshold ?? 0.5) };
};

/**
 * One run's python graders: a pool of sandboxed workers per distinct source, created on first use. Options
 * default to the EVALD_PYTHON_* env vars; a missing or broken sandbox errors every python item with the fix.
 */
export function createPythonAccess(overrides: Partial<PythonOptions> = {}): PythonAccess & { close(): Promise<void> } {
  const pools = new Map<string, PythonPool>();
  let closed = false;
  return {
    async grade(source, sample, item, signal) {
      let options: PythonOptions;
      try {
        options = resolvePythonOptions(overrides);
      } catch (error) {
        throw new GradeError('python_config_invalid', (error as Error).message);
      }
      const launcher = await getLauncher(options);
      if (!launcher.status.ready) throw new GradeError('python_sandbox_unavailable', launcher.status.detail);
      if (closed) throw new GradeError('python_closed', 'the python grader was shut down before this item was graded');
      let pool = pools.get(source);
      if (!pool) {
        pool = new PythonPool(launcher, source, options);
        pools.set(source, pool);
      }
      return pool.grade(sample, item, signal);
    },
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

/** Whether python graders can run here and how (sandbox, interpreter, or the reason they cannot). */
export function pythonSandboxStatus(overrides: Partial<PythonOptions> = {}): Promise<SandboxStatus> {
  return statusFor(resolvePythonOptions(overrides));
}
