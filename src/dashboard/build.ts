import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file is src/dashboard/build.ts or dist/dashboard/build.js). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the bundled dashboard goes, and where the server reads it from. */
export const dashboardDir = join(packageRoot, 'dist', 'web');

/**
 * Bundles web/ with esbuild into `outDir`: one minified script and one stylesheet named by their content
 * hash (so the server lets browsers keep them for good), and index.html pointing at them. A page is three
 * requests before the API's. esbuild is a build-time dependency only; the server never loads it.
 */
export async function buildDashboard(outDir = dashboardDir): Promise<{ files: string[] }> {
  const { build } = await import('esbuild');
  const web = join(packageRoot, 'web');
  const result = await build({
    entryPoints: [join(web, 'assets', 'app.js'), join(web, 'assets', 'style.css')],
    bundle: true, minify: true, format: 'esm', target: 'es2022', write: false,
    outdir: join(outDir, 'assets'), entryNames: '[name]-[hash]', legalComments: 'none', logLevel: 'silent',
  });
  const names0 = result.outputFiles.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
  // The same sources give the same names (content hashes): a build already there is left alone, so test
  // files that build at once never pull the folder from under each other's servers.
  if (names0.every((n) => existsSync(join(outDir, 'assets', n))) && existsSync(join(outDir, 'index.html'))) return { files: names0 };
  // Built beside, then swapped in: a server reading the folder never sees half a build.
  const tmp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  const names: Record<string, string> = {};
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    writeFileSync(join(tmp, 'assets', name), file.contents);
    names[name.endsWith('.css') ? 'css' : 'js'] = name;
  }
  const html = readFileSync(join(web, 'index.html'), 'utf8')
    .replace('/assets/style.css', `/assets/${names.css}`)
    .replace('/assets/app.js', `/assets/${names.js}`);
  writeFileSync(join(tmp, 'index.html'), html);
  writeFileSync(join(tmp, 'build.json'), JSON.stringify({ ...names, hash: createHash('sha256').update(html).digest('hex').slice(0, 12) }));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  try {
    renameSync(tmp, outDir);
  } catch (e) {
    // Another build (a parallel test file) won the race; its output is the same.
    rmSync(tmp, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return { files: Object.values(names) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files } = await buildDashboard();
  console.log(`dashboard: ${files.join(', ')} in ${dashboardDir}`);
}
