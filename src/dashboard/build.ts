import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file is src/dashboard/build.ts or dist/dashboard/build.js). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Modules of web/assets/ that pages import lazily (`import('…')`): each is a bundle of its own. */
const LAZY = ['markdown.js'];
/** Where the bundled dashboard goes, and where the server reads it from. */
export const dashboardDir = join(packageRoot, 'dist', 'web');

/**
 * Bundles web/ with esbuild into `outDir`: index.html with the minified script and stylesheet inside it, so a
 * page is one request before the API's (with files beside it, the page waited for two more round trips
 * before it could ask the API anything). The page's CSP allows the two by their hashes (api/routes/
 * dashboard.ts). A module the page imports lazily (`import('./markdown.js')`, markdown-it for an opened item)
 * is bundled on its own into assets/, named by its content hash. esbuild is a build-time dependency only;
 * the server never loads it.
 */
export async function buildDashboard(outDir = dashboardDir): Promise<{ files: string[] }> {
  const { build } = await import('esbuild');
  const web = join(packageRoot, 'web');
  const common = {
    bundle: true, minify: true, format: 'esm', target: 'es2022', write: false,
    outdir: join(outDir, 'assets'), entryNames: '[name]-[hash]', legalComments: 'none', logLevel: 'silent',
  } as const;
  // A split build (splitting: true) would also move esbuild's helpers into a shared chunk that the page's
  // script imports: one more request, made only once the script is in. Separate bundles share nothing.
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
      // Absolute: the script runs inside the page, whose URL is /evals/…, not /assets/.
      setup: (b) => b.onResolve({ filter: /\.js$/ }, (args) => {
        const bundled = args.kind === 'dynamic-import' && lazy.get(basename(args.path));
        return bundled ? { path: `/assets/${bundled}`, external: true } : undefined;
      }),
    }],
  });
  const text = (ext: string) => main.outputFiles.find((f) => f.path.endsWith(ext))!.text;
  const html = inline(readFileSync(join(web, 'index.html'), 'utf8'), text('.js'), text('.css'));
  const files = lazyFiles.map((f) => basename(f.path));
  // The same sources give the same page and names (content hashes): a build already there is left alone,
  // so test files that build at once never pull the folder from under each other's servers.
  if (files.every((n) => existsSync(join(outDir, 'assets', n))) && readOr(join(outDir, 'index.html')) === html) return { files: ['index.html', ...files] };
  // Built beside, then swapped in: a server reading the folder never sees half a build.
  const tmp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  for (const file of lazyFiles) writeFileSync(join(tmp, 'assets', basename(file.path)), file.contents);
  writeFileSync(join(tmp, 'index.html'), html);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  try {
    renameSync(tmp, outDir);
  } catch (e) {
    // Another build (a parallel test file) won the race; its output is the same.
    rmSync(tmp, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return { files: ['index.html', ...files] };
}

/**
 * index.html with the script and the stylesheet in place of the tags that load them. Neither may hold its
 * closing tag, nor the script `<!--` (which changes how HTML reads a script's end); esbuild escapes
 * `</script` in strings, and a stylesheet has no reason to hold `</style`.
 */
function inline(template: string, js: string, css: string): string {
  if (/<\/script|<!--/i.test(js) || /<\/style/i.test(css)) throw new Error('dashboard: the bundle holds </script>, <!-- or </style> and cannot be inlined');
  const script = '<script type="module" src="/assets/app.js"></script>';
  const style = '<link rel="stylesheet" href="/assets/style.css">';
  if (!template.includes(script) || !template.includes(style)) throw new Error(`dashboard: web/index.html must hold ${style} and ${script}`);
  // A function as the replacement: the bundle's own `$&` or `$1` are text, not patterns.
  return template.replace(style, () => `<style>${css.trimEnd()}</style>`).replace(script, () => `<script type="module">${js.trimEnd()}</script>`);
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
