import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream } from '../fake-upstream/index.js';
import type { ClientRound } from './client-floor.js';
import { cpuSeconds, runScript, startEvald, watchRss } from './proc.js';

const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });

/** The poll interval far from a run's end: `defaultMs` unless EVALD_BENCH_POLL_MS sets it. */
export const pollInterval = (defaultMs: number) => Number(process.env.EVALD_BENCH_POLL_MS ?? defaultMs);

/**
 * Polls a run until it ends: every `pollMs` while it is far from done (EVALD_BENCH_POLL_MS overrides it),
 * often enough to follow it and rarely enough not to load the server measured. The run's counts lag its
 * items by up to a batch (250 ms), so once the rate seen so far says the run ends within ~0.4 s the poll
 * tightens to 20 ms (a slow poll never sleeps past that point), and the end is timed within ~20 ms: at the
 * short runs measured here, 50 ms of polling slack alone would be 3% of the floor. Returns the ended run
 * and how many polls it took.
 */
async function waitDone(c: OpenAI, evalId: string, runId: string, expected: number, options: { pollMs?: number; onProgress?: (total: number) => void } = {}) {
  const slowMs = pollInterval(options.pollMs ?? 100);
  const started = performance.now();
  for (let polls = 1; ; polls++) {
    const run = await c.evals.runs.retrieve(runId, { eval_id: evalId });
    options.onProgress?.(run.result_counts.total);
    if (['completed', 'failed', 'canceled'].includes(run.status)) return { run, polls };
    const elapsed = (performance.now() - started) / 1000;
    const done = run.result_counts.total;
    const secondsLeft = done > 0 ? ((expected - done) * elapsed) / done : Infinity;
    // Far from the end, the next poll is at most `slowMs` away and never later than the start of the
    // last 0.4 s; within them, every 20 ms.
    const waitMs = Math.min(slowMs, secondsLeft < 0.4 ? 20 : Math.max(20, (secondsLeft - 0.4) * 1000));
    await new Promise((r) => setTimeout(r, waitMs));
  }
}

/** A 100,000-row jsonl run with string_check + bleu + rouge_l + fuzzy_match: items/s, RSS, item-page cost. */
export async function benchJsonl(dir: string, rows: number) {
  const server = await startEvald({ EVALD_DB: join(dir, 'jsonl.sqlite') });
  const c = client(server.url);
  try {
    const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'a', 'cat', 'sat', 'on', 'mat', 'river', 'bank'];
    const sentence = (i: number, n: number) => Array.from({ length: n }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ item: { id: i, reference: sentence(i, 16) }, sample: { output_text: sentence(i + (i % 3), 15) } }));
    const file = await c.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'bench.jsonl'), purpose: 'evals' });
    const ev = await c.evals.create({
      name: 'bench-jsonl',
      data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { id: { type: 'integer' }, reference: { type: 'string' } } }, include_sample_schema: true },
      testing_criteria: [
        { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.reference}}', operation: 'eq' },
        { type: 'text_similarity', name: 'bleu', input: '{{sample.output_text}}', reference: '{{item.reference}}', evaluation_metric: 'bleu', pass_threshold: 0.5 },
        { type: 'text_similarity', name: 'rouge_l', input: '{{sample.output_text}}', reference: '{{item.reference}}', evaluation_metric: 'rouge_l', pass_threshold: 0.5 },
        { type: 'text_similarity', name: 'fuzzy', input: '{{sample.output_text}}', reference: '{{item.reference}}', evaluation_metric: 'fuzzy_match', pass_threshold: 0.5 },
      ],
    });
    const rss = watchRss(server.child.pid!);
    const baseline = rss.now();
    let rssAt10k = 0;
    const started = performance.now();
    const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    const { run: done } = await waitDone(c, ev.id, run.id, rows, { onProgress: (total) => { if (!rssAt10k && total >= rows / 10) rssAt10k = rss.peak; } });
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    if (done.result_counts.total !== rows) throw new Error(`jsonl run ended ${done.status} with ${done.result_counts.total} items`);

    // The first page and a page after the (rows-100)th item must cost the same: keyset pagination.
    const ids: string[] = [];
    let page = await c.evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 100 });
    ids.push(page.data[0]!.id);
    const last = await c.evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 100, order: 'desc' });
    const deep = last.data[99]!.id;
    const time = async (after?: string) => {
      const t = performance.now();
      for (let i = 0; i < 50; i++) page = await c.evals.runs.outputItems.list(run.id, { eval_id: ev.id, limit: 100, ...(after ? { after } : {}) });
      return (performance.now() - t) / 50;
    };
    return { rows, seconds, itemsPerSecond: rows / seconds, baselineMb: baseline, rssAt10kMb: rssAt10k, peakMb: peak, firstPageMs: await time(), deepPageMs: await time(deep) };
  } finally {
    await server.stop();
  }
}

/** The sampled runs are polled every 500 ms (every 20 ms near their end), as a patient client would. */
export const SAMPLED_POLL_MS = 500;
const POLL_PROBES = 50;

/**
 * Sampled items against a fake upstream answering in `latencyMs`, at `concurrency`: three runs of `items`
 * on one server. The first runs on the freshly started process and pays V8's JIT warm-up: TurboFan
 * compiles the hot path in background threads, which the process CPU time includes. The second still
 * recompiles about half as much, where the first run's optimised code assumed that run's objects (its
 * signal, its sockets, its parsed records); later runs recompile less and less. Then the same calls through
 * evald's HTTP client alone, in a fresh process.
 */
export async function benchSampled(dir: string, items: number, latencyMs: number, concurrency: number) {
  const fake = await startFakeUpstream({ latencyMs });
  const server = await startEvald({
    EVALD_DB: join(dir, `sampled-${concurrency}.sqlite`), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-fake',
    EVALD_CONCURRENCY: String(concurrency),
  });
  const c = client(server.url);
  const pid = server.child.pid!;
  try {
    const ev = await c.evals.create({
      name: 'bench-sampled',
      data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'string_check', name: 'echo', input: '{{sample.output_text}}', reference: '{{item.q}}', operation: 'like' }],
    });
    const rss = watchRss(pid);
    const measure = async () => {
      const content = Array.from({ length: items }, (_, i) => ({ item: { q: `question ${i}` } }));
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      const run = await c.evals.runs.create(ev.id, {
        data_source: {
          type: 'completions', model: 'gpt-4o-mini', source: { type: 'file_content', content },
          input_messages: { type: 'template', template: [{ role: 'user', content: '{{item.q}}' }] },
        },
      });
      const { run: done, polls } = await waitDone(c, ev.id, run.id, items, { pollMs: SAMPLED_POLL_MS });
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuSeconds(pid) - cpuBefore;
      if (done.result_counts.passed !== items) throw new Error(`sampled run: ${JSON.stringify(done.result_counts)}`);
      const floor = (items * latencyMs) / 1000 / concurrency;
      return { runId: run.id, seconds, floor, ratio: seconds / floor, cpuMsPerItem: (cpu * 1000) / items, polls };
    };
    const runs = [await measure(), await measure(), await measure()];
    const peakMb = rss.stop();
    // What one poll of such a run costs the server (its answer carries the 2,000 inline rows), spaced as
    // the polls near a run's end are: the CPU column includes `polls` of these.
    const pollCpuBefore = cpuSeconds(pid);
    for (let i = 0; i < POLL_PROBES; i++) {
      await c.evals.runs.retrieve(runs[2]!.runId, { eval_id: ev.id });
      await new Promise((r) => setTimeout(r, 20));
    }
    const cpuMsPerPoll = ((cpuSeconds(pid) - pollCpuBefore) * 1000) / POLL_PROBES;
    const maxInFlight = fake.stats.maxInFlight;
    await server.stop();
    // The same calls through evald's HTTP client alone, in a fresh process: how much of the server's
    // figures the client accounts for on this machine.
    const client = JSON.parse(await runScript('client-floor', [fake.url, String(items), String(concurrency)])) as { first: ClientRound; warm: ClientRound };
    return { items, concurrency, latencyMs, runs, peakMb, maxInFlight, cpuMsPerPoll, client };
  } finally {
    await server.stop();
    await fake.close();
  }
}

/** 1,000 items with a trivial python grader: items/s, and the first item's cost (sandbox start). */
export async function benchPython(dir: string, items: number) {
  const server = await startEvald({ EVALD_DB: join(dir, 'python.sqlite') });
  const c = client(server.url);
  try {
    const ev = await c.evals.create({
      name: 'bench-python',
      data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'python', name: 'len', source: 'def grade(sample, item):\n    return 1.0 if len(sample["output_text"]) > 3 else 0.0\n' }],
    });
    const one = async (n: number) => {
      const content = Array.from({ length: n }, (_, i) => ({ item: { i }, sample: { output_text: `answer ${i}` } }));
      const started = performance.now();
      const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content } } });
      const { run: done } = await waitDone(c, ev.id, run.id, n);
      if (done.result_counts.passed !== n) throw new Error(`python run: ${JSON.stringify(done.result_counts)} ${JSON.stringify(done.error)}`);
      return (performance.now() - started) / 1000;
    };
    const firstItemSeconds = await one(1);
    const seconds = await one(items);
    return { items, seconds, itemsPerSecond: items / seconds, firstItemSeconds };
  } finally {
    await server.stop();
  }
}
