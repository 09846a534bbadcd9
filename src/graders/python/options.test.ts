import { describe, expect, it } from 'vitest';
import { pythonOptionsFromEnv, resolvePythonOptions } from './options.js';

describe('python options', () => {
  it('defaults to the sandbox, 120 s, 2 GB and at most two workers', () => {
    const options = pythonOptionsFromEnv({});
    expect(options).toMatchObject({ sandbox: 'bwrap', timeoutMs: 120_000, memoryMb: 2048, bwrap: null, python: null });
    expect(options.workers).toBeGreaterThanOrEqual(1);
    expect(options.workers).toBeLessThanOrEqual(2);
  });

  it('reads the EVALD_PYTHON_* variables', () => {
    const env = { EVALD_PYTHON_TIMEOUT_S: '2.5', EVALD_PYTHON_MEMORY_MB: '512', EVALD_PYTHON_WORKERS: '4', EVALD_PYTHON_SANDBOX: 'none' };
    expect(pythonOptionsFromEnv(env)).toMatchObject({ timeoutMs: 2500, memoryMb: 512, workers: 4, sandbox: 'none' });
  });

  it('rejects what it cannot use, naming the variable', () => {
    expect(() => pythonOptionsFromEnv({ EVALD_PYTHON_TIMEOUT_S: 'soon' })).toThrow(/EVALD_PYTHON_TIMEOUT_S/);
    expect(() => pythonOptionsFromEnv({ EVALD_PYTHON_MEMORY_MB: '-1' })).toThrow(/EVALD_PYTHON_MEMORY_MB/);
    expect(() => pythonOptionsFromEnv({ EVALD_PYTHON_SANDBOX: 'docker' })).toThrow(/EVALD_PYTHON_SANDBOX/);
  });

  it('lets callers override the env, ignoring undefined fields', () => {
    const options = resolvePythonOptions({ timeoutMs: 300, workers: undefined }, { EVALD_PYTHON_WORKERS: '3' });
    expect(options).toMatchObject({ timeoutMs: 300, workers: 3 });
  });
});
