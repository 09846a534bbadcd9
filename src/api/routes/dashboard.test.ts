import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleEval, startTestServer, type TestServer } from '../../../test/harness.js';
import { buildDashboard, dashboardDir } from '../../dashboard/build.js';

/** A GET sent byte for byte: fetch and URL would normalise `..` away before it reaches the server. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let built: { js: string; css: string };

describe('dashboard', () => {
  let server: TestServer;
  beforeAll(async () => {
    await buildDashboard();
    built = JSON.parse(readFileSync(join(dashboardDir, 'build.json'), 'utf8'));
    server = await startTestServer();
  });
  afterAll(async () => { await server?.close(); });

  it.each(['/', '/logs', '/evals/eval_x', '/evals/eval_x?run_id=evalrun_y', '/evals/eval_x/compare?base=a&candidate=b'])('serves the page at %s', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script type="module" src="/assets/${built.js}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/assets/${built.css}">`);
  });

  it('serves the page at a real run\'s report_url', async () => {
    const ev = await server.client.evals.create(simpleEval());
    const run = await server.client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' } }] } },
    });
    const res = await fetch(run.report_url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`/assets/${built.js}`);
  });

  it('serves the bundle and the module it imports lazily, with content types, named by content hash and kept for good', async () => {
    expect(built.js).toMatch(/^app-[A-Z0-9]+\.js$/);
    const script = await (await fetch(`${server.url}/assets/${built.js}`)).text();
    // markdown-it is not in the page's script: an opened item imports it.
    const lazy = /import\("\.\/(markdown-[A-Z0-9]+\.js)"\)/.exec(script)?.[1];
    expect(lazy).toBeDefined();
    expect(script).not.toContain('markdown-it');
    for (const [path, type] of [[`/assets/${built.js}`, /^text\/javascript/], [`/assets/${built.css}`, /^text\/css/], [`/assets/${lazy}`, /^text\/javascript/]] as const) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toContain('immutable');
      const body = await res.text();
      if (path === `/assets/${lazy}`) expect(body).toContain('noopener noreferrer nofollow');
    }
    const page = await fetch(server.url + '/');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(server.url + '/', { headers: { 'if-none-match': page.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('refuses path traversal', async () => {
    for (const path of [
      '/assets/../package.json',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets//etc/passwd',
      '/assets/index.html/../../src/server.ts',
    ]) {
      const res = await rawGet(server.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('"name": "evald"');
    }
  });

  it('answers unknown paths with the API 404 envelope', async () => {
    const res = await fetch(`${server.url}/assets/nope.js`);
    expect(res.status).toBe(404);
    expect((await res.json() as { error: { code: string } }).error.code).toBe('unknown_url');
    expect((await fetch(`${server.url}/evals/eval_x/more`)).status).toBe(404);
  });

  it('leaves /v1 and /health as they were', async () => {
    const list = await server.client.evals.list();
    expect(list.data.length).toBeGreaterThanOrEqual(0);
    const res = await fetch(`${server.url}/v1/evals/eval_missing`, { headers: { authorization: 'Bearer sk-x' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
