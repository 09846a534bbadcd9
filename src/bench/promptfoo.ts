import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '../fake-upstream/index.js';
import { cpuSecondsOfTree } from './proc.js';

/**
 * The limits scenario run by promptfoo instead of evald, for the side-by-side table: the same `items`
 * questions, each answered (gpt-4o-mini, max 16 tokens) and judged by an llm-rubric call, against the same
 * fake upstream enforcing `rpm` and `tpm`, at promptfoo's concurrency `concurrency` (evald's is 64). promptfoo
 * is not a dependency of evald: `bin` is its command, installed apart (EVALD_BENCH_PROMPTFOO).
 */
export async function benchPromptfooLimits(bin: string, items: number, rpm: number, tpm: number, concurrency: number) {
  const fake = await startFakeUpstream({ latencyMs: 50, rpm, tpm });
  const dir = mkdtempSync(join(tmpdir(), 'evald-bench-promptfoo-'));
  try {
    const provider = { id: 'openai:chat:gpt-4o-mini', config: { apiBaseUrl: fake.url, apiKey: 'sk-fake', max_tokens: 16 } };
    const tests = ['q', ...Array.from({ length: items }, (_, i) => `question ${i}`)].join('\n');
    writeFileSync(join(dir, 'tests.csv'), `${tests}\n`);
    writeFileSync(join(dir, 'promptfooconfig.json'), JSON.stringify({
      description: 'bench-limits',
      prompts: ['Answer briefly: {{q}}'],
      providers: [provider],
      defaultTest: { options: { provider }, assert: [{ type: 'llm-rubric', value: 'Rate this answer from 0 to 1' }] },
      tests: 'file://tests.csv',
    }));
    const started = performance.now();
    const child = spawn(bin, ['eval', '-c', join(dir, 'promptfooconfig.json'), '-j', String(concurrency), '--no-cache', '--no-write', '--no-table', '--no-progress-bar', '-o', join(dir, 'out.json')], {
      cwd: dir,
      env: { ...process.env, PROMPTFOO_DISABLE_TELEMETRY: '1', PROMPTFOO_DISABLE_UPDATE: '1', PROMPTFOO_CONFIG_DIR: join(dir, '.promptfoo'), OPENAI_API_KEY: 'sk-fake' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr = (stderr + String(d)).slice(-4000); });
    let cpu = 0;
    const sampler = setInterval(() => { cpu = Math.max(cpu, cpuSecondsOfTree(child.pid!)); }, 200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    // promptfoo exits 100 when some tests fail (the judge's answer is the fake's, not a verdict).
    if (code !== 0 && code !== 100) throw new Error(`promptfoo exited ${code}: ${stderr}`);
    const refused = fake.stats.byStatus['429'] ?? 0;
    const admitted = fake.stats.requests - refused;
    const floor = Math.max(((admitted - rpm) * 60) / rpm, ((fake.stats.chargedTokens - tpm) * 60) / tpm, 0);
    return { items, calls: fake.stats.requests, refused, tokens: fake.stats.chargedTokens, seconds, floor, ratio: seconds / floor, cpuSeconds: cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
  }
}
