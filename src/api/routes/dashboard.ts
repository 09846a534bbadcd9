import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The installed `openai` package: its folder and version; null if it is not installed. */
function openaiPackage(): { dir: string; version: string } | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('openai'));
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return { dir, version };
  } catch {
    return null;
  }
}

const webDir = join(packageRoot(), 'web');
const openai = openaiPackage();

// Item contents are untrusted and the page only ever renders them as text; the policy is the second line of
// defence: no inline script, nothing loaded or fetched from another origin, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const headers: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  // Our files have unhashed names: the browser keeps copies but revalidates them (the etag makes that a 304).
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-cache');
};

const page = serveStatic({ path: join(webDir, 'index.html') });
const assets = serveStatic({ root: webDir });

/**
 * The dashboard: `/`, `/evals/{eval_id}` (and `?run_id=`, a run's report_url) all serve web/index.html, which
 * reads the API under /v1 like any client; `/assets/*` is web/assets, then the openai SDK's ESM build.
 * serveStatic refuses `..`, `\` and encoded characters, so nothing outside those two folders is reachable.
 */
export const dashboardRoutes = new Hono<AppEnv>()
  .use('/', headers, etag())
  .use('/evals/:eval_id', headers, etag())
  .use('/assets/*', headers, etag())
  .get('/', page)
  .get('/evals/:eval_id', page)
  .get('/assets/*', assets);

/**
 * The SDK is ~150 small modules. The page imports `/assets/openai/index.mjs`, which redirects to a folder
 * named after the installed version; a module's relative imports resolve against its final URL, so all the
 * others load from there and are cached for good (an upgrade changes the URL).
 */
// A path of plain segments (no `..`, no encoded characters) to an .mjs file.
const MODULE_PATH = /^(?:\/[\w-]+(?:\.[\w-]+)*)+\.mjs$/;

if (openai) {
  // Not `openai@x.y.z`: an `@` in a static path breaks Hono's RegExpRouter (hono 4.13: every match throws).
  const base = `/assets/openai-${openai.version}`;
  const files = serveStatic({
    root: openai.dir,
    rewriteRequestPath: (p) => p.slice(base.length),
    onFound: (_path, c) => { c.header('Cache-Control', 'public, max-age=31536000, immutable'); },
  });
  dashboardRoutes
    .get('/assets/openai/*', (c, next) => {
      const rest = c.req.path.slice('/assets/openai'.length);
      return MODULE_PATH.test(rest) ? c.redirect(base + rest, 302) : next();
    })
    // Only the ESM build: not package.json, the CommonJS .js files or the .d.ts.
    .get(`${base}/*`, (c, next) => (c.req.path.endsWith('.mjs') ? files(c, next) : next()));
}
