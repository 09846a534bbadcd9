import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream } from '../fake-upstream/index.js';
import { startEvald } from './proc.js';

/**
 * A judged completions run (a sampling call and a score_model call per item) against a fake upstream that
 * enforces `rpm` and `tpm` as OpenAI does (a minute's bucket per resource, refilled continuously), with
 * evald told the limits. The floor is what the limits allow: each resource's bucket starts full, then
 * refills at its rate, so N requests need (N - rpm) / rpm minutes, and likewise for the tokens the fake
 * charged; the run cannot beat the larger of the two.
 */
export async function benchLimits(dir: string, items: number, rpm: number, tpm: number) {
  const fake = await startFakeUpstream({ latencyMs: 50, rpm, tpm });
  const server = await startEvald({
    EVALD_DB: join(dir, 'limits.sqlite'), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-fake',
    EVALD_RPM: String(rpm), ...(process.env.NO_TPM ? {} : { EVALD_TPM: String(tpm) }), EVALD_CONCURRENCY: '64',
  });
  const c = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    const ev = await c.evals.create({
      name: 'bench-limits',
      data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{
        type: 'score_model', name: 'judge', model: 'gpt-4o-mini',
        input: [{ role: 'user', content: 'Rate this answer from 0 to 1: {{sample.output_text}}' }],
      }],
    });
    const content = Array.from({ length: items }, (_, i) => ({ item: { q: `question ${i}` } }));
    const started = performance.now();
    const run = await c.evals.runs.create(ev.id, {
      data_source: {
        type: 'completions', model: 'gpt-4o-mini', source: { type: 'file_content', content },
        input_messages: { type: 'template', template: [{ role: 'user', content: 'Answer briefly: {{item.q}}' }] },
        sampling_params: { max_completion_tokens: 16 },
      },
    });
    let done;
    for (;;) {
      done = await c.evals.runs.retrieve(run.id, { eval_id: ev.id });
      if (['completed', 'failed', 'canceled'].includes(done.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    if (done.status !== 'completed' || done.result_counts.errored > 0) throw new Error(`limits run: ${done.status} ${JSON.stringify(done.result_counts)}`);
    const refused = fake.stats.byStatus['429'] ?? 0;
    const admitted = fake.stats.requests - refused;
    const floor = Math.max(((admitted - rpm) * 60) / rpm, ((fake.stats.chargedTokens - tpm) * 60) / tpm, 0);
    return { items, calls: fake.stats.requests, refused, tokens: fake.stats.chargedTokens, seconds, floor, ratio: seconds / floor };
  } finally {
    await server.stop();
    await fake.close();
  }
}
