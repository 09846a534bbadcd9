import { describe, expect, it } from 'vitest';
import { GradeError } from '../grader.js';
import { createPythonAccess, pythonSandboxStatus } from './index.js';
import { resolvePythonOptions, type PythonOptions } from './options.js';
import { PythonPool } from './pool.js';
import { getLauncher } from './sandbox.js';

const never = new AbortController().signal;

async function pool(source: string, options: Partial<PythonOptions> = {}): Promise<PythonPool> {
  const resolved = resolvePythonOptions({ timeoutMs: 5000, workers: 2, ...options });
  return new PythonPool(await getLauncher(resolved), source, resolved);
}

async function code(score: Promise<number>): Promise<string> {
  const error = await score.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(GradeError);
  return (error as GradeError).code;
}

// Normal items score item.n; item.do picks a way to misbehave.
const MISBEHAVING = `
import os, random, time
TOKEN = random.random()
def grade(sample, item):
    do = item.get("do")
    if do == "exit":
        os._exit(9)
    if do == "flood":
        for _ in range(64):
            os.write(1, b"x" * 65536)
    if do == "sleep":
        time.sleep(30)
    if do == "token":
        return TOKEN
    return item["n"]
`;

describe('PythonPool', () => {
  it('grades 1,000 items with a few long-lived workers', async () => {
    const p = await pool(MISBEHAVING);
    const scores = await Promise.all(Array.from({ length: 1000 }, (_, n) => p.grade({}, { n }, never)));
    expect(scores).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    const tokens = await Promise.all(Array.from({ length: 50 }, () => p.grade({}, { do: 'token' }, never)));
    expect(new Set(tokens).size).toBeLessThanOrEqual(2);
    await p.close();
  });

  it('replaces a worker that dies, erroring only the item it was serving', async () => {
    const p = await pool(MISBEHAVING);
    const [dead, ...rest] = await Promise.allSettled([p.grade({}, { do: 'exit' }, never), ...[1, 2, 3].map((n) => p.grade({}, { n }, never))]);
    expect(dead).toMatchObject({ status: 'rejected', reason: { code: 'python_crashed' } });
    expect(rest.map((r) => r.status === 'fulfilled' && r.value)).toEqual([1, 2, 3]);
    expect(await p.grade({}, { n: 4 }, never)).toBe(4);
    await p.close();
  });

  it('kills a worker that floods its output', async () => {
    const p = await pool(MISBEHAVING);
    expect(await code(p.grade({}, { do: 'flood' }, never))).toBe('python_output_too_large');
    expect(await p.grade({}, { n: 5 }, never)).toBe(5);
    await p.close();
  });

  it('times out a slow item with the configured timeout', async () => {
    const p = await pool(MISBEHAVING, { timeoutMs: 300 });
    const started = Date.now();
    expect(await code(p.grade({}, { do: 'sleep' }, never))).toBe('python_timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await p.grade({}, { n: 6 }, never)).toBe(6);
    await p.close();
  });

  it('times out every item when importing the source never finishes', async () => {
    const p = await pool('while True:\n    pass\ndef grade(s, i):\n    return 1', { timeoutMs: 300 });
    expect(await code(p.grade({}, {}, never))).toBe('python_timeout');
    expect(await code(p.grade({}, {}, never))).toBe('python_timeout');
    await p.close();
  });

  it('rejects promptly with the abort reason, in flight or queued, and goes on', async () => {
    const p = await pool(MISBEHAVING, { workers: 1 });
    const controller = new AbortController();
    const inFlight = p.grade({}, { do: 'sleep' }, controller.signal);
    const queued = p.grade({}, { n: 1 }, controller.signal);
    const other = p.grade({}, { n: 2 }, never);
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('run cancelled')), 100);
    await expect(inFlight).rejects.toThrow('run cancelled');
    await expect(queued).rejects.toThrow('run cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await other).toBe(2);
    await expect(p.grade({}, { n: 3 }, controller.signal)).rejects.toThrow('run cancelled');
    await p.close();
  });

  it('close() kills the workers and errors what was in flight', async () => {
    const p = await pool(MISBEHAVING);
    const inFlight = code(p.grade({}, { do: 'sleep' }, never));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await p.close();
    expect(await inFlight).toBe('python_closed');
    expect(await code(p.grade({}, { n: 1 }, never))).toBe('python_closed');
  });
});

describe('EVALD_PYTHON_SANDBOX=none', () => {
  it('is an explicit, reported opt-out that still applies the limits', async () => {
    const status = await pythonSandboxStatus({ sandbox: 'none' });
    expect(status).toMatchObject({ ready: true, mode: 'none', detail: expect.stringContaining('WITHOUT a sandbox') });
    const python = createPythonAccess({ sandbox: 'none', timeoutMs: 500 });
    expect(await python.grade('def grade(s, i):\n    return i["n"]', {}, { n: 2 }, never)).toBe(2);
    const big = 'def grade(s, i):\n    x = bytearray(20 * 1024**3)\n    return 1';
    await expect(python.grade(big, {}, {}, never)).rejects.toMatchObject({ code: 'python_memory_exceeded' });
    await expect(python.grade(MISBEHAVING, {}, { do: 'sleep' }, never)).rejects.toMatchObject({ code: 'python_timeout' });
    await python.close();
  });
});
