import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createSender } from './send.js';

// A receiver on loopback whose path picks the answer: /ok 200, /redirect 302 to /ok, /slow never answers.
let server: Server;
let port: number;
let hits: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    req.resume();
    if (req.url === '/slow') return;
    if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
    res.writeHead(200).end('thanks');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const strict = createSender({ timeoutMs: 2000, allowPrivate: false, userAgent: 'evald-test' });
const open = createSender({ timeoutMs: 300, allowPrivate: true, userAgent: 'evald-test' });
afterAll(async () => { await strict.close(); await open.close(); });

describe('webhook sender', () => {
  it('refuses a name that resolves to loopback, checked where it connects, and a private literal', async () => {
    hits = [];
    expect(await strict.send(`http://localhost:${port}/ok`, {}, '{}')).toMatchObject({ error: expect.stringMatching(/localhost resolves to .*loopback or private/) });
    expect(await strict.send(`http://127.0.0.1:${port}/ok`, {}, '{}')).toMatchObject({ error: expect.stringMatching(/127\.0\.0\.1 is a loopback or private address/) });
    expect(await strict.send(`http://[::ffff:127.0.0.1]:${port}/ok`, {}, '{}')).toMatchObject({ error: expect.stringMatching(/loopback or private/) });
    expect(hits).toEqual([]);
  });

  it('posts when private destinations are allowed, and reports the status without following redirects', async () => {
    hits = [];
    expect(await open.send(`http://localhost:${port}/ok`, { 'webhook-id': 'wh_1' }, '{}')).toEqual({ statusCode: 200 });
    expect(await open.send(`http://127.0.0.1:${port}/redirect`, {}, '{}')).toEqual({ statusCode: 302 });
    expect(hits).toEqual(['/ok', '/redirect']);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const started = Date.now();
    expect(await open.send(`http://127.0.0.1:${port}/slow`, {}, '{}')).toEqual({ error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a refused connection', async () => {
    const result = await open.send('http://127.0.0.1:9/', {}, '{}');
    expect(result).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
