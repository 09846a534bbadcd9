import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleEval, startTestServer, type TestServer } from '../../../test/harness.js';

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

const { version } = JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('openai')), 'package.json'), 'utf8')) as { version: string };

describe('dashboard', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server?.close(); });

  it.each(['/', '/evals/eval_x', '/evals/eval_x?run_id=evalrun_y'])('serves the page at %s', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
  });

  it('serves the page at a real run\'s report_url', async () => {
    const ev = await server.client.evals.create(simpleEval());
    const run = await server.client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' } }] } },
    });
    const res = await fetch(run.report_url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/assets/app.js');
  });

  it('serves its assets with their content types', async () => {
    for (const [path, type] of [
      ['/assets/app.js', /^text\/javascript/],
      ['/assets/views/run.js', /^text\/javascript/],
      ['/assets/style.css', /^text\/css/],
      ['/assets/openai/index.mjs', /^text\/javascript/],
      ['/assets/openai/internal/shims.mjs', /^text\/javascript/],
    ] as const) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await res.text()).length).toBeGreaterThan(0);
    }
  });

  it('revalidates assets with an etag', async () => {
    const first = await fetch(`${server.url}/assets/style.css`);
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await fetch(`${server.url}/assets/style.css`, { headers: { 'if-none-match': tag! } });
    expect(again.status).toBe(304);
  });

  it('redirects the SDK to a versioned, cacheable copy of its ESM build', async () => {
    const res = await fetch(`${server.url}/assets/openai/resources/evals/evals.mjs`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/assets/openai-${version}/resources/evals/evals.mjs`);
    const file = await fetch(`${server.url}/assets/openai-${version}/resources/evals/evals.mjs`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toContain('immutable');
    expect(await file.text()).toContain('class Evals');
    for (const path of ['/assets/openai/package.json', `/assets/openai-${version}/package.json`, `/assets/openai-${version}/index.js`,
      `/assets/openai-${version}/`, `/assets/openai-${version}/nope.mjs`, '/assets/openai-0.0.1/index.mjs']) {
      const miss = await fetch(server.url + path);
      expect(miss.status, path).toBe(404);
      expect(miss.headers.get('cache-control'), path).not.toContain('immutable');
    }
  });

  it('refuses path traversal', async () => {
    for (const path of [
      '/assets/../package.json',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/openai/../../../package.json',
      '/assets/openai/..%2f..%2f..%2fsrc%2fserver.mjs',
      '/assets/openai/%2e%2e/%2e%2e/vitest/dist/index.mjs',
      `/assets/openai-${version}/..%2f..%2fvitest%2fdist%2findex.mjs`,
      `/assets/openai-${version}/../../vitest/dist/index.mjs`,
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
