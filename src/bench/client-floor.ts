/**
 * The HTTP client alone: `node dist/bench/client-floor.js <base url> <calls> <concurrency>` makes the calls
 * a sampled run makes (one chat completion per item, through evald's HttpProvider) with nothing else of
 * evald in the process: no server, store, limiter, templates or graders. It does so twice, a first round on
 * the fresh process and a warm one, and prints the wall time and the process's CPU per call of each as JSON.
 * The bench runs it in a fresh process, so its first round pays V8's warm-up as a server's first run does.
 */
import { HttpProvider } from '../providers/http-provider.js';

/** One round of calls: its wall time and the process's CPU per call. */
export interface ClientRound {
  seconds: number;
  cpuMsPerCall: number;
}

async function round(provider: HttpProvider, calls: number, concurrency: number): Promise<ClientRound> {
  const signal = new AbortController().signal;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < calls) {
      const i = next++;
      await provider.post('/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], seed: 42 }, signal);
    }
  }));
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls };
}

async function main([baseUrl, calls, concurrency]: string[]): Promise<void> {
  const c = Number(concurrency);
  const provider = new HttpProvider({
    name: 'bench', baseUrl: baseUrl!, apiKey: 'sk-fake', models: [], maxConcurrency: c, timeoutMs: 60_000, embeddingModel: undefined,
  });
  try {
    const first = await round(provider, Number(calls), c);
    const warm = await round(provider, Number(calls), c);
    process.stdout.write(`${JSON.stringify({ first, warm })}\n`);
  } finally {
    await provider.close();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`client floor failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
