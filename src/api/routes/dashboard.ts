import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
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

// web/ bundled by `npm run build` (src/dashboard/build.ts, into dist/web): index.html and content-hashed assets.
const builtDir = join(packageRoot(), 'dist', 'web');

// Item contents are untrusted and the page renders them as text or as markdown-it's escaped HTML; the policy
// is the second line of defence: no inline script, nothing loaded or fetched from another origin, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const headers: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  // The page revalidates (an etag makes that a 304); assets are named by their content hash and kept for good.
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', c.req.path.startsWith('/assets/') && c.res.ok ? 'public, max-age=31536000, immutable' : 'no-cache');
};

const servePage = serveStatic({ path: join(builtDir, 'index.html') });
const page: MiddlewareHandler = (c, next) => (existsSync(join(builtDir, 'index.html'))
  ? servePage(c, next)
  : Promise.resolve(c.text('The dashboard is not built: run `npm run build` (it bundles web/ into dist/web).', 503)));

/**
 * The dashboard: `/`, `/evals/{eval_id}` (and `?run_id=`, a run's report_url), `/evals/{eval_id}/compare`
 * and `/logs` all serve the built index.html, which reads the API under /v1 like any client; `/assets/*`
 * is the bundle. serveStatic refuses `..`, `\` and encoded characters, so nothing outside it is reachable.
 */
export const dashboardRoutes = new Hono<AppEnv>()
  .use('/', headers, etag())
  .use('/logs', headers, etag())
  .use('/evals/:eval_id', headers, etag())
  .use('/evals/:eval_id/compare', headers, etag())
  .use('/assets/*', headers, etag())
  .get('/', page)
  .get('/logs', page)
  .get('/evals/:eval_id', page)
  .get('/evals/:eval_id/compare', page)
  .get('/assets/*', serveStatic({ root: builtDir }));
