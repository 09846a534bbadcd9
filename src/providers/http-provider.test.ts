import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.js';
import { HttpProvider } from './http-provider.js';
import { ProviderError } from './provider.js';

let fake: FakeUpstream;
let odd: Server;
let oddUrl: string;

beforeAll(async () => {
  fake = await startFakeUpstream();
  // An upstream that misbehaves in ways the fake does not: a 200 that is not JSON, a chunked body.
  odd = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/v1/not-json')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>gateway</html>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"parts":[');
        setTimeout(() => res.end('1,2,3]}'), 20);
      }
    });
  });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  oddUrl = `http://127.0.0.1:${(odd.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => odd.close(() => resolve()));
});

const provider = (baseUrl: string, timeoutMs = 5000) =>
  new HttpProvider({ name: 'p', baseUrl, apiKey: 'sk-secret-abcdef', models: ['**'], maxConcurrency: 4, timeoutMs, embeddingModel: undefined });

const chat = (prompt: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('HttpProvider', () => {
  it('posts JSON with the key and resolves with the parsed answer', async () => {
    const p = provider(fake.url);
    try {
      const answer = await p.post<{ choices: Array<{ message: { content: string } }> }>('/chat/completions', chat('hello there'), new AbortController().signal);
      expect(answer.choices[0]!.message.content).toBe('hello there');
      expect(fake.stats.authorizations.at(-1)).toBe('Bearer sk-secret-abcdef');
    } finally {
      await p.close();
    }
  });

  it('gathers a body that arrives in several chunks', async () => {
    const p = provider(oddUrl);
    try {
      expect(await p.post('/chunked', {}, new AbortController().signal)).toEqual({ parts: [1, 2, 3] });
    } finally {
      await p.close();
    }
  });

  it('classifies statuses: 429 with its wait hint, 5xx transient, 4xx fatal, a 200 that is not JSON', async () => {
    const p = provider(fake.url);
    const signal = new AbortController().signal;
    try {
      const limited = await rejection(p.post('/chat/completions', chat('[[fake:429;retry-after-ms=250]] a'), signal));
      expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 250 });
      expect(await rejection(p.post('/chat/completions', chat('[[fake:503]] b'), signal))).toMatchObject({ kind: 'transient', status: 503 });
      expect(await rejection(p.post('/chat/completions', chat('[[fake:400]] c'), signal))).toMatchObject({ kind: 'fatal', status: 400 });
      expect(await rejection(p.post('/chat/completions', chat('[[fake:dropx1]] d'), signal))).toMatchObject({ kind: 'transient', code: 'connection_error' });
    } finally {
      await p.close();
    }
    const q = provider(oddUrl);
    try {
      expect(await rejection(q.post('/not-json', {}, signal))).toMatchObject({ kind: 'fatal', code: 'invalid_response' });
    } finally {
      await q.close();
    }
  });

  it('times a slow call out', async () => {
    const p = provider(fake.url, 150);
    try {
      const err = await rejection(p.post('/chat/completions', chat('[[fake:delay=2000]] slow'), new AbortController().signal));
      expect(err).toMatchObject({ kind: 'timeout', code: 'timeout' });
      expect(err.message).not.toContain('sk-secret');
    } finally {
      await p.close();
    }
  });

  it('times out an answer that drips in a byte at a time: the timeout is a deadline for the whole answer', async () => {
    // Every byte comes well within the timeout, so only a deadline over the whole body ends the call.
    const p = provider(fake.url, 600);
    try {
      const started = performance.now();
      const err = await rejection(p.post('/chat/completions', chat('[[fake:drip=100]] dripping'), new AbortController().signal));
      expect(err).toMatchObject({ kind: 'timeout', code: 'timeout' });
      // The answer would take a minute or more to drip in; generous bound for a loaded machine.
      expect(performance.now() - started).toBeLessThan(15_000);
      await expect.poll(() => fake.stats.inFlight, { timeout: 5000 }).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('aborts every call in flight on one signal, and rejects at once on an aborted signal', async () => {
    const p = provider(fake.url);
    try {
      const controller = new AbortController();
      const calls = [1, 2, 3].map((i) => p.post('/chat/completions', chat(`[[fake:delay=5000]] call ${i}`), controller.signal).then(() => 'answered', (e: unknown) => e));
      await expect.poll(() => fake.stats.inFlight, { timeout: 2000 }).toBe(3);
      controller.abort(new Error('run canceled'));
      for (const outcome of await Promise.all(calls)) expect((outcome as Error).message).toBe('run canceled');
      await expect.poll(() => fake.stats.inFlight, { timeout: 2000 }).toBe(0);
      await expect(p.post('/chat/completions', chat('late'), controller.signal)).rejects.toThrow('run canceled');
      // Another signal's calls are unaffected.
      const other = await p.post<{ object: string }>('/chat/completions', chat('still fine'), new AbortController().signal);
      expect(other.object).toBe('chat.completion');
    } finally {
      await p.close();
    }
  });
});
