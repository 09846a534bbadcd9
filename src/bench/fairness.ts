import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startEvald } from './proc.js';

const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });

/** The GETs a dashboard or a polling script makes while a run executes: the run, its items, the lists. */
function readerPaths(evalId: string, runId: string): string[] {
  return [
    `/v1/evals/${evalId}/runs/${runId}`,
    `/v1/evals/${evalId}/runs/${runId}/output_items?limit=20`,
    `/v1/evals?limit=20`,
    `/v1/evals/${evalId}`,
    `/v1/evals/${evalId}/runs?limit=20`,
  ];
}

/** `readers` connections each sending GETs back to back until stopped; how many were answered. */
function hammer(url: string, paths: string[], readers: number) {
  let stopped = false;
  let answered = 0;
  const loops = Array.from({ length: readers }, async (_, r) => {
    for (let i = r; !stopped; i++) {
      const res = await fetch(`${url}${paths[i % paths.length]}`, { headers: { authorization: 'Bearer sk-bench' } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`reader GET ${paths[i % paths.length]} answered ${res.status}`);
      answered += 1;
    }
  });
  return { stop: async () => { stopped = true; await Promise.all(loops); return answered; } };
}

/** A run still going after this long is measured by what it has done so far, then canceled. */
const MAX_SECONDS = 20;

/**
 * A python-graded jsonl run of `items` rows, timed alone and then under `readers` connections of
 * back-to-back GETs, on one server after a warm-up run (the sandbox's first start, V8's first compiles).
 * The readers start as soon as the loaded run is created and stop once it has ended. `engineThread`
 * false runs the engine in the API's thread (EVALD_ENGINE_THREAD=0), as before it had one of its own.
 */
export async function benchFairness(dir: string, items: number, readers: number, engineThread: boolean) {
  const server = await startEvald({ EVALD_DB: join(dir, `fairness-${engineThread}.sqlite`), EVALD_ENGINE_THREAD: engineThread ? '1' : '0' });
  const c = client(server.url);
  try {
    const ev = await c.evals.create({
      name: 'bench-fairness',
      data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'python', name: 'len', source: 'def grade(sample, item):\n    return 1.0 if len(sample["output_text"]) > 3 else 0.0\n' }],
    });
    // An uploaded file, not inline rows: a run's GET carries its inline rows, which would make every read
    // of the run cost in proportion to the run's size.
    const lines = Array.from({ length: items }, (_, i) => JSON.stringify({ item: { i }, sample: { output_text: `answer ${i}` } }));
    const file = await c.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'fairness.jsonl'), purpose: 'evals' });
    const once = async (withReaders: boolean) => {
      const started = performance.now();
      const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
      const load = withReaders ? hammer(server.url, readerPaths(ev.id, run.id), readers) : null;
      for (;;) {
        const r = await c.evals.runs.retrieve(run.id, { eval_id: ev.id });
        const seconds = (performance.now() - started) / 1000;
        const ended = r.status !== 'queued' && r.status !== 'in_progress';
        if (ended || seconds > MAX_SECONDS) {
          const reads = load ? await load.stop() : 0;
          if (!ended) await c.evals.runs.cancel(run.id, { eval_id: ev.id });
          else if (r.result_counts.passed !== items) throw new Error(`fairness run: ${r.status} ${JSON.stringify(r.result_counts)} ${JSON.stringify(r.error)}`);
          return { seconds, done: r.result_counts.total, itemsPerSecond: r.result_counts.total / seconds, readsPerSecond: reads / seconds };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await once(false);
    const alone = await once(false);
    const loaded = await once(true);
    return { items, readers, engineThread, alone, loaded, ratio: loaded.itemsPerSecond / alone.itemsPerSecond };
  } finally {
    await server.stop();
  }
}
