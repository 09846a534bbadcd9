import { describe, expect, it } from 'vitest';
import { checkPythonSource } from './check-source.js';

describe('checkPythonSource (in the sandbox)', () => {
  it('accepts a source that compiles and defines grade, however it binds it', async () => {
    expect(await checkPythonSource('def grade(sample, item):\n    return 1.0\n')).toEqual({ ok: true });
    expect(await checkPythonSource('import math\nif True:\n    grade = lambda s, i: math.pi\n')).toEqual({ ok: true });
    expect(await checkPythonSource('from statistics import mean as grade\n')).toEqual({ ok: true });
  });
  it('refuses a syntax error with its line number and the offending line', async () => {
    const r = await checkPythonSource('def grade(sample, item):\n    x = 1\n    return (x +\n');
    expect(r.ok).toBe(false);
    expect((r as { message: string }).message).toMatch(/^line \d+: SyntaxError: /);
    const r2 = await checkPythonSource('def grade(sample, item):\n    return 1\nreturn 2\n');
    expect((r2 as { message: string }).message).toMatch(/^line 3: SyntaxError: 'return' outside function\n {4}return 2/);
  });
  it('refuses a source without grade, and runs none of it while checking', async () => {
    const r = await checkPythonSource('import os\nos._exit(3)\ndef score(sample, item):\n    return 1\n');
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/defines no grade function/) });
    expect(await checkPythonSource('raise SystemExit(5)\ndef grade(s, i):\n    return 1\n')).toEqual({ ok: true });
  });
});
