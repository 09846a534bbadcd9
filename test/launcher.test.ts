import { execFile } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// bin/evald.js, the package's `evald` (what `npx evald` runs in a clone): it builds dist/ when a source is
// newer than the last build, and otherwise runs dist/ at once.
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const launcher = join(root, 'bin', 'evald.js');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

describe('bin/evald.js', () => {
  it('builds dist/ when a source changed, then runs without building', async () => {
    // Touch a source so the first call has to build, whatever state dist/ is in.
    const source = join(root, 'src', 'cli', 'table.ts');
    const now = new Date();
    utimesSync(source, now, now);
    const first = await run(process.execPath, [launcher, '--version'], { cwd: root, timeout: 280_000 });
    expect(first.stderr).toContain('evald: building dist/');
    expect(first.stdout.trim()).toBe(version);
    const second = await run(process.execPath, [launcher, '--help'], { cwd: root, timeout: 30_000 });
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/^evald \S+: a self-hosted OpenAI Evals API server/);
  }, 300_000);
});
