import { join } from 'node:path';
import OpenAI from 'openai';
import { startEvald } from './proc.js';
import { wordText as text } from './word-text.js';


/**
 * `/health` latency (one request at a time, every 20 ms) while a run grades one item: fuzzy_match of two
 * 200,000-character strings, which takes seconds of CPU (in a worker thread).
 */
export async function benchHealthUnderFuzzy(dir: string, chars = 200_000) {
  const server = await startEvald({ EVALD_DB: join(dir, 'health.sqlite') });
  const c = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    const ev = await c.evals.create({
      name: 'bench-health',
      data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } },
      testing_criteria: [{ type: 'text_similarity', name: 'fuzzy', input: '{{ item.a }}', reference: '{{ item.b }}', evaluation_metric: 'fuzzy_match', pass_threshold: 0.5 }],
    });
    const started = performance.now();
    const run = await c.evals.runs.create(ev.id, {
      data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { a: text(chars, 1), b: text(chars, 2) } }] } },
    });
    const latencies: number[] = [];
    for (let polls = 0; ; polls++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/health`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      // The run's status every 25th probe (0.5 s): a GET of the run carries its 400,000 inline characters.
      if (polls % 25 === 24) {
        const r = await c.evals.runs.retrieve(run.id, { eval_id: ev.id });
        if (r.status !== 'queued' && r.status !== 'in_progress') {
          if (r.result_counts.total !== 1 || r.result_counts.errored !== 0) throw new Error(`the fuzzy_match item did not grade: ${JSON.stringify(r.result_counts)}`);
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return { probes: latencies.length, seconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1)! };
  } finally {
    await server.stop();
  }
}
