import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); never a browser downloaded by playwright. */
export const CHROMIUM = process.env.EVALD_CHROMIUM ?? '/usr/bin/chromium';

// As root, chromium needs --no-sandbox; the rest keeps it from reaching the network on its own.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** Where failing tests leave their screenshots (and EVALD_SCREENSHOTS=dir keeps every page's). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium headless with a fresh profile in a temporary --user-data-dir. */
export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'evald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot named `name` into `dir` (default the failure folder); returns its path. */
export async function screenshot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
