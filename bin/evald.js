#!/usr/bin/env node
// The `evald` command. From a clone, dist/ is built here when it is missing or older than the sources, so
// `npx evald …` works right after `npm ci`; when dist/ is up to date nothing is compiled and the check is a
// few dozen stat calls. An installed package (no src/) runs dist/ as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');

/** The newest modification time among the files the build reads (tests excluded: the build skips them). */
function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(path, newest);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.contract.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The newest modification time under web/ (the dashboard's sources, bundled by src/dashboard/build.ts). */
function newestWeb(dir, newest = 0) {
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = entry.isDirectory() ? newestWeb(path, newest) : Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!existsSync(stamp) || !existsSync(join(dist, 'cli', 'main.js'))) return true;
  const built = statSync(stamp).mtimeMs;
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => join(root, f)).filter(existsSync);
  if (!existsSync(join(dist, 'web', 'index.html'))) return true;
  return Math.max(newestSource(join(root, 'src')), newestWeb(join(root, 'web')), ...configs.map((f) => statSync(f).mtimeMs)) > built;
}

/** Builds under a lock folder, so two commands started at once do not write dist/ together. */
function build() {
  const lock = join(root, 'node_modules', '.evald-build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try { mkdirSync(lock); break; } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than two minutes belongs to a build that died.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000 || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!stale()) return;
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    if (!existsSync(tsc)) {
      if (existsSync(join(dist, 'cli', 'main.js'))) return;
      process.stderr.write('evald: dist/ is not built and TypeScript is not installed: run `npm ci` first\n');
      process.exit(1);
    }
    const started = Date.now();
    process.stderr.write('evald: building dist/ (the sources changed)…\n');
    // The compiler's own output goes to stderr: stdout is the command's (an export may be piped).
    const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 2, 2] });
    // Then the dashboard's bundle (esbuild, a dev dependency like TypeScript).
    const web = result.status === 0 && spawnSync(process.execPath, [join(dist, 'dashboard', 'build.js')], { cwd: root, stdio: ['ignore', 2, 2] });
    if (result.status !== 0 || web.status !== 0) {
      process.stderr.write('evald: the build failed (see above)\n');
      process.exit(1);
    }
    const now = new Date();
    writeFileSync(stamp, '');
    utimesSync(stamp, now, now);
    process.stderr.write(`evald: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (existsSync(join(root, 'src')) && stale()) build();
await import(pathToFileURL(join(dist, 'cli', 'main.js')).href);
