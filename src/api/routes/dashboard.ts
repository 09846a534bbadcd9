import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type Next } from 'hono';
import type { AppEnv } from '../env.js';

/** The package root: the nearest folder above this file holding a package.json (works from src/ and dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('dashboard: no package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

// web/ bundled by `npm run build` (src/dashboard/build.ts, into dist/web): index.html holding the script and
// the stylesheet, and assets/ with the modules it imports lazily, named by content hash.
const builtDir = join(packageRoot(), 'dist', 'web');

// Item contents are untrusted and the page renders them as text or as markdown-it's escaped HTML; the policy
// is the second line of defence: no inline script but the page's own (allowed by its hash), nothing loaded or
// fetched from another origin, no framing.
const policy = (script = '', style = '') => [
  "default-src 'self'", `script-src 'self'${script}`, `style-src 'self'${style}`, "img-src 'self' data:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');
const CSP = policy();

/** The page's CSP: its inline script and stylesheet (src/dashboard/build.ts puts them there) allowed by their hashes. */
function pagePolicy(html: string): string {
  const hash = (block: RegExp) => {
    const text = block.exec(html)?.[1];
    return text === undefined ? '' : ` 'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  };
  return policy(hash(/<script type="module">([\s\S]*?)<\/script>/), hash(/<style>([\s\S]*?)<\/style>/));
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
// What the build writes into assets/: a name and its content hash, nothing else (so no path can leave the folder).
const ASSET = /^[\w-]+\.(js|css)$/;

/** A built file held in memory, with its validator and the CSP it is served with. */
interface Built { body: Uint8Array; etag: string; policy: string }

const built = (body: Uint8Array, policy = CSP): Built => ({ body, policy, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });

// The built files are read once and kept: a page costs no disk read and no hashing of its body (serveStatic
// with hono's etag streamed every file through SHA-1 on each request, 5–30 ms apiece on a fresh server, on
// the first render's path). A rebuild swaps the folder, which shows as a new index.html: then everything is
// read again. An asset's name is its content hash, so an asset once read never changes.
let page: { mtimeMs: number; ino: number; file: Built } | null = null;
const assets = new Map<string, Built>();

function currentPage(): Built | null {
  const path = join(builtDir, 'index.html');
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return null;
  if (page?.mtimeMs !== stat.mtimeMs || page.ino !== stat.ino) {
    assets.clear();
    const body = readFileSync(path);
    page = { mtimeMs: stat.mtimeMs, ino: stat.ino, file: built(body, pagePolicy(body.toString('utf8'))) };
  }
  return page.file;
}

function asset(name: string): Built | null {
  if (!ASSET.test(name)) return null;
  let file = assets.get(name);
  if (!file) {
    const path = join(builtDir, 'assets', name);
    if (!existsSync(path)) return null;
    file = built(readFileSync(path));
    assets.set(name, file);
  }
  return file;
}

/** Answers with a built file: 304 when the browser has it, the same headers either way. */
function send(c: Context<AppEnv>, file: Built, type: string, cacheControl: string) {
  // Headers are set before the response is made: set on a finished one, Hono rebuilds it (app.ts).
  c.header('Content-Security-Policy', file.policy);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cache-Control', cacheControl);
  c.header('ETag', file.etag);
  if (c.req.header('if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) return c.body(null, 304);
  c.header('Content-Type', type);
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200);
}

// The page revalidates (an etag makes that a 304); assets are named by their content hash and kept for good.
const servePage = (c: Context<AppEnv>) => {
  const file = currentPage();
  if (!file) return c.text('The dashboard is not built: run `npm run build` (it bundles web/ into dist/web).', 503);
  return send(c, file, 'text/html; charset=utf-8', 'no-cache');
};

const serveAsset = (c: Context<AppEnv>, next: Next) => {
  currentPage(); // a rebuild since the last request drops the assets read before it
  const name = c.req.param('name') ?? '';
  const file = asset(name);
  if (!file) return next();
  return send(c, file, TYPES[name.slice(name.lastIndexOf('.') + 1)]!, 'public, max-age=31536000, immutable');
};

/**
 * The dashboard: `/`, `/evals/{eval_id}` (and `?run_id=`, a run's report_url), `/evals/{eval_id}/compare`
 * and `/logs` all serve the built index.html (the script and stylesheet inside it), which reads the API under
 * /v1 like any client; `/assets/{name}` are the modules it imports lazily. Only a plain file name of assets/
 * is served, so nothing outside it is reachable.
 */
export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', servePage)
  .get('/logs', servePage)
  .get('/evals/:eval_id', servePage)
  .get('/evals/:eval_id/compare', servePage)
  .get('/assets/:name', serveAsset);
