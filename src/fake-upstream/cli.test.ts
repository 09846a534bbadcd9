import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const command = fileURLToPath(new URL('../cli/commands/fake-upstream.ts', import.meta.url));

describe('evald fake-upstream', () => {
  it('prints its URL, serves requests and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(command)}).then((m) => m.run(['--port', '0', '--latency-ms', '1', '--rate-429', '0']))`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+\/v1)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const res = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('hi');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped after 1 requests/);
  });

  it('rejects a malformed option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(command)}).then((m) => m.run(['--rate-500', '2'])).catch((e) => { console.error(e.message); process.exit(3); })`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(3);
    expect(err).toMatch(/--rate-500 must be a number in \[0, 1\]/);
  });
});
