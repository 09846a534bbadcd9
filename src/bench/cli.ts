import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startEvald, watchRss } from './proc.js';

/** Runs the built `evald` command to its end; wall seconds, its own peak RSS and the server's during it. */
function timeCommand(args: string[], serverPid: number): Promise<{ seconds: number; peakMb: number; serverPeakMb: number; stdout: string }> {
  const main = join(import.meta.dirname, '..', 'cli', 'main.js');
  const started = performance.now();
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rss = watchRss(child.pid!, 20);
  const serverRss = watchRss(serverPid, 20);
  let stdout = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const peakMb = rss.stop(), serverPeakMb = serverRss.stop();
      if (code !== 0) reject(new Error(`evald ${args[0]} exited ${code}`));
      else resolve({ seconds: (performance.now() - started) / 1000, peakMb, serverPeakMb, stdout });
    });
  });
}

/**
 * Two 100,000-row jsonl runs of one eval (two string_check criteria; the candidate changes every 7th
 * answer), then `evald export` of one to a file and `evald compare` of the two, each a fresh process
 * talking to the server over HTTP.
 */
export async function benchExportCompare(dir: string, rows: number) {
  const server = await startEvald({ EVALD_DB: join(dir, 'cli.sqlite') });
  const c = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    const ev = await c.evals.create({
      name: 'bench-cli',
      data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [
        { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' },
        { type: 'string_check', name: 'nocase', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'ilike' },
      ],
    });
    const runOf = async (name: string, answer: (i: number) => string) => {
      const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ item: { id: i, answer: `answer ${i % 5}`, question: `question number ${i}` }, sample: { output_text: answer(i) } }));
      const file = await c.files.create({ file: await toFile(Buffer.from(lines.join('\n')), `${name}.jsonl`), purpose: 'evals' });
      const run = await c.evals.runs.create(ev.id, { name, data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
      for (;;) {
        const r = await c.evals.runs.retrieve(run.id, { eval_id: ev.id });
        if (r.status === 'completed') return run.id;
        if (r.status !== 'queued' && r.status !== 'in_progress') throw new Error(`bench run ${name} ended ${r.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const base = await runOf('base', (i) => (i % 3 === 0 ? 'wrong' : `answer ${i % 5}`));
    const candidate = await runOf('candidate', (i) => (i % 7 === 0 ? `ANSWER ${i % 5}` : i % 3 === 0 ? 'wrong' : `answer ${i % 5}`));
    const connection = ['--eval', ev.id, '--base-url', `${server.url}/v1`];
    const out = join(dir, 'export.jsonl');
    const exported = await timeCommand(['export', base, ...connection, '--output', out], server.child.pid!);
    const compared = await timeCommand(['compare', base, candidate, ...connection, '--json'], server.child.pid!);
    const counts = (JSON.parse(compared.stdout) as { counts: Record<string, number> }).counts;
    return {
      rows,
      export: { ...exported, itemsPerSecond: rows / exported.seconds, mb: statSync(out).size / 1e6 },
      compare: { ...compared, regressions: counts.regressions!, fixes: counts.fixes! },
    };
  } finally {
    await server.stop();
  }
}

/** Median wall time of `node bin/evald.js --help` (dist/ up to date) against a bare `node -e ""`, `times` each. */
export async function benchHelp(times: number) {
  const { execFileSync } = await import('node:child_process');
  const launcher = join(import.meta.dirname, '..', '..', 'bin', 'evald.js');
  const median = (args: string[]) => {
    const walls: number[] = [];
    for (let i = 0; i < times; i++) {
      const t = performance.now();
      execFileSync(process.execPath, args, { stdio: 'ignore' });
      walls.push(performance.now() - t);
    }
    return walls.sort((a, b) => a - b)[Math.floor(times / 2)]!;
  };
  return { helpMs: median([launcher, '--help']), bareMs: median(['-e', '']) };
}
