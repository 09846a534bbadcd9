import { availableParallelism } from 'node:os';

/** How python graders are run; every field has an env default so operators can tune it without code. */
export interface PythonOptions {
  /** `bwrap` (default) or `none`: the operator's explicit opt-out of the sandbox. */
  sandbox: 'bwrap' | 'none';
  /** The bubblewrap binary; `bwrap` from PATH when null. */
  bwrap: string | null;
  /** The interpreter; `/usr/bin/python3` when it exists, else `python3` from PATH (shims are resolved). */
  python: string | null;
  /** Wall time of one grade call, including the worker's start when it is that worker's first item. */
  timeoutMs: number;
  /** RLIMIT_AS of each worker. */
  memoryMb: number;
  /** Workers per (run, source) pool. */
  workers: number;
  /** RLIMIT_NPROC inside the sandbox: threads, since the seccomp filter refuses fork (1 when there is no filter). */
  maxProcesses: number;
  /** Bytes a worker may write (stdout protocol + stderr) while answering one item before it is killed. */
  maxOutputBytes: number;
  /** Size of the private tmpfs scratch dir (and RLIMIT_FSIZE). */
  scratchMb: number;
}

/** Reads the EVALD_PYTHON_* variables; an unparsable value throws, naming the variable. */
export function pythonOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PythonOptions {
  const sandbox = env.EVALD_PYTHON_SANDBOX?.trim() || 'bwrap';
  if (sandbox !== 'bwrap' && sandbox !== 'none') {
    throw new Error(`EVALD_PYTHON_SANDBOX must be "bwrap" or "none", got ${JSON.stringify(sandbox)}`);
  }
  return {
    sandbox,
    bwrap: env.EVALD_BWRAP?.trim() || null,
    python: env.EVALD_PYTHON?.trim() || null,
    timeoutMs: positive(env, 'EVALD_PYTHON_TIMEOUT_S', 120) * 1000,
    memoryMb: positive(env, 'EVALD_PYTHON_MEMORY_MB', 2048),
    workers: Math.max(1, Math.floor(positive(env, 'EVALD_PYTHON_WORKERS', Math.min(2, availableParallelism())))),
    maxProcesses: 32,
    maxOutputBytes: 1024 * 1024,
    scratchMb: 64,
  };
}

/** Env defaults overlaid with whatever the caller (a test, the CLI) passes. */
export function resolvePythonOptions(overrides: Partial<PythonOptions> = {}, env: NodeJS.ProcessEnv = process.env): PythonOptions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...pythonOptionsFromEnv(env), ...defined };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}
