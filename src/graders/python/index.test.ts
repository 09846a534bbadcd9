import { afterAll, describe, expect, it } from 'vitest';
import { GradeError, type GradeContext } from '../grader.js';
import { createPythonAccess, pythonGrader, type PythonGraderSpec } from './index.js';

const python = createPythonAccess({ timeoutMs: 10_000 });
afterAll(() => python.close());
const signal = new AbortController().signal;

const spec = (source: string, pass_threshold?: number | null): PythonGraderSpec => ({ type: 'python', name: 'py', source, pass_threshold });
const context = (sample: GradeContext['sample'], item: unknown) => ({ sample, item, signal, python } as unknown as GradeContext);

/** The GradeError a grade call rejects with. */
async function failure(source: string, sample: unknown = {}, item: unknown = {}): Promise<GradeError> {
  const error = await python.grade(source, sample, item, signal).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(GradeError);
  return error as GradeError;
}

const EXACT_JSON = `
import math, json, re
def grade(sample, item):
    answer = sample["output_json"]["answer"]
    words = re.findall(r"\\w+", sample["output_text"])
    return 1.0 if answer == item["expected"] and len(words) == item["words"] else math.sqrt(0.25)
`;

describe('pythonGrader', () => {
  it('scores with grade(sample, item) and passes at 0.5 by default', async () => {
    const sample = { output_text: '{"answer": 42}', output_json: { answer: 42 } };
    expect(await pythonGrader(spec(EXACT_JSON), context(sample, { expected: 42, words: 2 }))).toEqual({ score: 1, passed: true });
    expect(await pythonGrader(spec(EXACT_JSON), context(sample, { expected: 41, words: 2 }))).toEqual({ score: 0.5, passed: true });
    expect(await pythonGrader(spec(EXACT_JSON, 0.9), context(sample, { expected: 41, words: 2 }))).toEqual({ score: 0.5, passed: false });
  });

  it('hands grade() an empty dict when there is no sample', async () => {
    const source = 'def grade(sample, item):\n    return len(sample) + item["n"]';
    expect(await pythonGrader(spec(source), context(null, { n: 3 }))).toEqual({ score: 3, passed: true });
  });

  it('sees nested item fields, tool calls and choices as plain dicts and lists', async () => {
    const source = `
import json
def grade(sample, item):
    args = json.loads(sample["output_tools"][0]["function"]["arguments"])
    return float(args["city"] == item["meta"]["cities"][1] and sample["choices"][0]["finish_reason"] == "tool_calls")`;
    const sample = {
      output_tools: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
      choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'tool_calls' }],
    };
    expect(await python.grade(source, sample, { meta: { cities: ['Rome', 'Oslo'] } }, signal)).toBe(1);
  });
});

describe('what grade() may return', () => {
  it('takes ints and bools as numbers (bool is an int in python: `return a == b` is a grader)', async () => {
    expect(await python.grade('def grade(s, i):\n    return 3', {}, {}, signal)).toBe(3);
    expect(await python.grade('def grade(s, i):\n    return s["x"] == i["x"]', { x: 1 }, { x: 1 }, signal)).toBe(1);
    expect(await python.grade('from fractions import Fraction\ndef grade(s, i):\n    return Fraction(1, 4)', {}, {}, signal)).toBe(0.25);
  });

  it('runs the source as a module, so dataclasses and __name__ checks behave', async () => {
    const source = `
from __future__ import annotations
from dataclasses import dataclass
@dataclass
class Verdict:
    score: float
def grade(sample, item):
    return Verdict(item["s"]).score
if __name__ == "__main__":
    raise SystemExit("must not run on import")`;
    expect(await python.grade(source, {}, { s: 0.75 }, signal)).toBe(0.75);
  });

  it('errors a string, None, nan and inf', async () => {
    for (const value of ['"0.5"', 'None', 'float("nan")', 'math.inf', '[1]']) {
      const error = await failure(`import math\ndef grade(s, i):\n    return ${value}`);
      expect(error.code).toBe('python_invalid_score');
    }
  });
});

describe('errors in the source', () => {
  it('errors every item with the SyntaxError when the source does not parse', async () => {
    for (const n of [1, 2]) {
      const error = await failure('def grade(sample, item)\n    return 1', {}, { n });
      expect(error.code).toBe('python_syntax_error');
      expect(error.message).toMatch(/^SyntaxError: .*grader\.py, line 1/);
    }
  });

  it('errors items when there is no grade function, or importing the source raises', async () => {
    expect((await failure('def score(sample, item):\n    return 1')).code).toBe('python_no_grade_function');
    const error = await failure('import numpy_that_is_not_there\ndef grade(s, i):\n    return 1');
    expect(error).toMatchObject({ code: 'python_exception', message: expect.stringContaining("ModuleNotFoundError: No module named 'numpy_that_is_not_there'") });
  });

  it('reports an exception with its type, message and the grader\'s lines of the traceback', async () => {
    const source = 'def helper(x):\n    return 1 / x\n\ndef grade(sample, item):\n    return helper(item["x"])';
    const error = await failure(source, {}, { x: 0 });
    expect(error.code).toBe('python_exception');
    expect(error.message.split('\n')[0]).toBe('ZeroDivisionError: division by zero');
    expect(error.message).toContain('File "grader.py", line 5, in grade');
    expect(error.message).toContain('return 1 / x');
    expect(error.message).not.toContain('<string>');
  });

  it('treats sys.exit() in grade() as an error, not a dead worker', async () => {
    expect((await failure('import sys\ndef grade(s, i):\n    sys.exit(3)')).code).toBe('python_exception');
  });
});

describe('the protocol channel', () => {
  it('is not corrupted by print() or by writes to fd 1', async () => {
    const source = `
import os, sys
def grade(sample, item):
    print('{"id": 1, "score": 1}')
    print("x" * 1000000)
    sys.stdout.flush()
    os.write(1, b'{"id": 1, "score": 1}\\n')
    return 0.25`;
    for (let n = 0; n < 3; n += 1) expect(await python.grade(source, {}, { n }, signal)).toBe(0.25);
  });
});
