import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file is src/dashboard/build.ts or dist/dashboard/build.js). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Modules of web/assets/ that pages import lazily (`import('…')`): each is a bundle of its own. */
const LAZY = ['markdown.js'];
/** Where the bundled dashboard goes, and where the server reads it from. */
export const dashboardDir = join(packageRoot, 'dist', 'web');

/**
 * Bundles web/ with esbuild into `outDir`: one minified script and one stylesheet named by their content
 * hash (so the server lets browsers keep them for good), and index.html pointing at them. A page is three
 * requests before the API's. A module the page imports lazily (`import('./markdown.js')`, markdown-it for an
 * opened item) is bundled on its own and fetched when first needed. esbuild is a build-time dependency only;
 * the server never loads it.
 */
export async function buildDashboard(outDir = dashboardDir): Promise<{ files: string[] }> {
  const { build } = await import('esbuild');
  const web = join(packageRoot, 'web');
  const common = {
    bundle: true, minify: true, format: 'esm', target: 'es2022', write: false,
    outdir: join(outDir, 'assets'), entryNames: '[name]-[hash]', legalComments: 'none', logLevel: 'silent',
  } as const;
  // A split build (splitting: true) would also move esbuild's helpers into a shared chunk that the main
  // script imports: one more request, and one that waits for the script. Separate bundles share nothing.
  const lazy = new Map<string, string>();
  const lazyFiles = [];
  for (const name of LAZY) {
    const out = await build({ ...common, entryPoints: [join(web, 'assets', name)] });
    lazy.set(name, basename(out.outputFiles[0]!.path));
    lazyFiles.push(...out.outputFiles);
  }
  const main = await build({
    ...common,
    entryPoints: [join(web, 'assets', 'app.js'), join(web, 'assets', 'style.css')],
    plugins: [{
      name: 'lazy-modules',
      setup: (b) => b.onResolve({ filter: /\.js$/ }, (args) => {
        const bundled = args.kind === 'dynamic-import' && lazy.get(basename(args.path));
        return bundled ? { path: `./${bundled}`, external: true } : undefined;
      }),
    }],
  });
  const outputFiles = [...main.outputFiles, ...lazyFiles];
  const files = outputFiles.map((f) => basename(f.path));
  const names: Record<string, string> = {};
  for (const file of main.outputFiles) names[file.path.endsWith('.css') ? 'css' : 'js'] = basename(file.path);
  const html = readFileSync(join(web, 'index.html'), 'utf8')
    .replace('/assets/style.css', `/assets/${names.css}`)
    .replace('/assets/app.js', `/assets/${names.js}`);
  // The same sources give the same names (content hashes): a build already there is left alone, so test
  // files that build at once never pull the folder from under each other's servers.
  if (files.every((n) => existsSync(join(outDir, 'assets', n))) && readOr(join(outDir, 'index.html')) === html) return { files };
  // Built beside, then swapped in: a server reading the folder never sees half a build.
  const tmp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  for (const file of outputFiles) writeFileSync(join(tmp, 'assets', basename(file.path)), file.contents);
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
  return { files };
}

/** The text of a file, or null if there is none. */
function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files } = await buildDashboard();
  console.log(`dashboard: ${files.join(', ')} in ${dashboardDir}`);
}
