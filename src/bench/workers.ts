import { randomBytes } from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import pg from 'pg';
import { startEvald } from './proc.js';

const PYTHON = 'def grade(sample, item):\n    return 1.0 if len(sample["output_text"]) > 3 else 0.0\n';

/**
 * One python-graded jsonl run of `rows` rows executed by one worker process, then by two, on one fresh
 * PostgreSQL database (EVALD_BENCH_DATABASE_URL, an admin URL; default the machine's server). With
 * `pinned`, each worker process is bound to a core of its own (taskset), as if each were a machine of
 * one core; unpinned, the workers share the machine's cores. Each configuration warms up with a run of
 * 2,000 rows first (sandbox start, V8's first compiles).
 */
export async function benchWorkers(rows: number, pinned: boolean) {
  const adminUrl = process.env.EVALD_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const name = `evald_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const results = [];
    for (const workers of [1, 2]) {
      const servers = [];
      for (let w = 0; w < workers; w++) {
        servers.push(await startEvald({ DATABASE_URL: url.toString() }, pinned ? ['taskset', '-c', String(w)] : []));
      }
      try {
        const c = new OpenAI({ baseURL: `${servers[0]!.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
        const ev = await c.evals.create({
          name: `bench-workers-${workers}`,
          data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
          testing_criteria: [{ type: 'python', name: 'len', source: PYTHON }],
        });
        const upload = async (n: number) => {
          const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ item: { i }, sample: { output_text: `answer ${i}` } }));
          return c.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'workers.jsonl'), purpose: 'evals' });
        };
        const once = async (fileId: string, n: number) => {
          const started = performance.now();
          const run = await c.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: fileId } } });
          for (;;) {
            const r = await c.evals.runs.retrieve(run.id, { eval_id: ev.id });
            if (r.status !== 'queued' && r.status !== 'in_progress') {
              if (r.status !== 'completed' || r.result_counts.total !== n) throw new Error(`workers run: ${r.status} ${JSON.stringify(r.result_counts)}`);
              const seconds = (performance.now() - started) / 1000;
              const split = await db.query<{ n: string }>('select count(*) as n from output_items where run_id = $1 group by worker order by n desc', [run.id]);
              return { seconds, itemsPerSecond: n / seconds, split: split.rows.map((x) => Number(x.n)) };
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        };
        await once((await upload(2000)).id, 2000);
        results.push({ workers, ...(await once((await upload(rows)).id, rows)) });
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
    return { rows, pinned, one: results[0]!, two: results[1]!, speedup: results[1]!.itemsPerSecond / results[0]!.itemsPerSecond };
  } finally {
    await db.end();
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}
