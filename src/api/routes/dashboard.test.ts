import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
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

let page: string; // the built index.html

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('dashboard', () => {
  let server: TestServer;
  beforeAll(async () => {
    await buildDashboard();
    page = readFileSync(join(dashboardDir, 'index.html'), 'utf8');
    server = await startTestServer();
  });
  afterAll(async () => { await server?.close(); });

  it.each(['/', '/logs', '/evals/eval_x', '/evals/eval_x?run_id=evalrun_y', '/evals/eval_x/compare?base=a&candidate=b'])('serves the page at %s', async (path) => {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(page);
  });

  it('allows the page\'s own script and stylesheet by their hashes, and no other inline code', async () => {
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(page)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1];
    expect(script).toContain('evald:rendered');
    expect(style).toContain('.card');
    expect(page.match(/<script/g)).toHaveLength(1);
    const policy = (await fetch(server.url + '/')).headers.get('content-security-policy')!;
    expect(policy).toContain(`script-src 'self' ${sha256(script!)};`);
    expect(policy).toContain(`style-src 'self' ${sha256(style!)};`);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('serves the page at a real run\'s report_url', async () => {
    const ev = await server.client.evals.create(simpleEval());
    const run = await server.client.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'a' } }] } },
    });
    const res = await fetch(run.report_url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(page);
  });

  it('serves the module the page imports lazily, named by content hash and kept for good', async () => {
    // markdown-it is not in the page's script: an opened item imports it.
    const lazy = /import\("(\/assets\/markdown-[A-Z0-9]+\.js)"\)/.exec(page)?.[1];
    expect(lazy).toBeDefined();
    expect(page).not.toContain('noopener noreferrer nofollow');
    const res = await fetch(server.url + lazy);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toContain('noopener noreferrer nofollow');
    const first = await fetch(server.url + '/');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(server.url + '/', { headers: { 'if-none-match': first.headers.get('etag')! } });
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
