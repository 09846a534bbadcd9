import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { pino } from 'pino';
import { startServer } from '../src/server.js';
/** A throwaway folder, removed by the returned cleanup. */
export function tempDir(prefix = 'evald-test-') {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
/** Starts a real evald (HTTP on a free port, a real SQLite file unless DATABASE_URL is given) in this process. */
export async function startTestServer(env = {}) {
    const { dir } = tempDir();
    const fullEnv = {
        PORT: '0', EVALD_DB: join(dir, 'evald.sqlite'), EVALD_LOG_LEVEL: 'silent', OPENAI_API_KEY: 'sk-test-upstream',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', EVALD_LEASE_MS: '3000', ...env,
    };
    const server = await startServer(fullEnv, pino({ level: 'silent' }));
    const clientWith = (apiKey) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
    return { ...server, env: fullEnv, client: clientWith('sk-anything'), clientWith };
}
/** Polls `check` until it returns a value that is not undefined, or fails after `ms`. */
export async function waitFor(check, ms = 20_000, what = 'condition') {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await check();
        if (value !== undefined)
            return value;
        if (Date.now() > deadline)
            throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
/** Runs `evald` as a child process (through tsx), for restarts, kill -9 and the CLI. */
export function spawnEvald(args, env) {
    return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, EVALD_LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
}
/** Runs `evald ARGS` to completion; resolves with its exit code and output. */
export function runEvald(args, env) {
    return new Promise((resolve) => {
        const child = spawnEvald(args, env);
        let stdout = '', stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}
/** Starts `evald serve` as a child on a free port and resolves once /health answers. */
export async function spawnServer(env) {
    const port = String(await freePort());
    const child = spawnEvald(['serve'], { ...env, PORT: port });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
        if (child.exitCode !== null)
            throw new Error(`evald exited with ${child.exitCode}`);
        return fetch(`${url}/health`).then((r) => (r.ok ? true : undefined), () => undefined);
    }, 30_000, 'evald to start');
    return { child, url };
}
async function freePort() {
    const { createServer } = await import('node:net');
    return new Promise((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}
/** A minimal valid eval body, with string_check over item.expected and sample.output_text. */
export const simpleEval = (name = 'qa') => ({
    name,
    data_source_config: {
        type: 'custom',
        item_schema: { type: 'object', properties: { question: { type: 'string' }, expected: { type: 'string' } }, required: ['expected'] },
        include_sample_schema: true,
    },
    testing_criteria: [{
            type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'eq',
        }],
});
//# sourceMappingURL=harness.js.map