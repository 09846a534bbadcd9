import Database from 'better-sqlite3';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream } from '../fake-upstream/index.js';
import { openSqlite } from '../storage/index.js';
import { tagsOf } from '../storage/repos/logs.js';
import { cpuSeconds, load, startEvald } from './proc.js';

const body = (i: number, store: boolean) => JSON.stringify({ model: 'gpt-4o-mini', store, messages: [{ role: 'user', content: `question ${i}` }] });
const post = (url: string, text: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: text });

/**
 * Gateway overhead: `calls` chat completions at `concurrency`, straight to the fake upstream (answering in
 * `latencyMs`) and through evald, not stored and stored. Added p50 latency is through-evald minus direct;
 * added CPU is all of evald's CPU per call (everything evald does for a call is overhead).
 */
export async function benchGatewayOverhead(dir: string, calls: number, concurrency: number, latencyMs: number) {
  const fake = await startFakeUpstream({ latencyMs });
  const server = await startEvald({ EVALD_DB: join(dir, 'gateway.sqlite'), OPENAI_BASE_URL: fake.url, EVALD_CONCURRENCY: String(concurrency) });
  try {
    const direct = `${fake.url}/chat/completions`;
    const via = `${server.url}/v1/chat/completions`;
    await load(500, concurrency, (i) => post(via, body(i, false))); // warm-up: V8 compiles the path first
    await load(500, concurrency, (i) => post(direct, body(i, false)));
    const directRun = await load(calls, concurrency, (i) => post(direct, body(i, false)));
    const measure = async (store: boolean) => {
      const cpu0 = cpuSeconds(server.child.pid!);
      const r = await load(calls, concurrency, (i) => post(via, body(i, store)));
      return { ...r, cpuMsPerCall: ((cpuSeconds(server.child.pid!) - cpu0) * 1000) / calls };
    };
    return { direct: directRun, plain: await measure(false), stored: await measure(true) };
  } finally {
    await server.stop();
    await fake.close();
  }
}

/** Time to the first byte of a streamed answer (events 20 ms apart), direct and through evald: p50 of `n`. */
export async function benchStreamTtfb(dir: string, n: number) {
  const fake = await startFakeUpstream({ streamIntervalMs: 20 });
  const server = await startEvald({ EVALD_DB: join(dir, 'stream.sqlite'), OPENAI_BASE_URL: fake.url });
  try {
    const ttfb = async (url: string, i: number) => {
      const t = performance.now();
      const res = await post(url, JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `a streamed answer ${i}` }] }));
      const reader = res.body!.getReader();
      await reader.read();
      const first = performance.now() - t;
      while (!(await reader.read()).done) { /* drain */ }
      return first;
    };
    const p50 = async (url: string) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) times.push(await ttfb(url, i));
      return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
    };
    await p50(`${server.url}/v1/chat/completions`);
    return { direct: await p50(`${fake.url}/chat/completions`), via: await p50(`${server.url}/v1/chat/completions`) };
  } finally {
    await server.stop();
    await fake.close();
  }
}

/**
 * Fills a fresh SQLite file with `count` stored chat completions of project `default` (created over the
 * last `count / 100` seconds, metadata `shard` = i % 10, `expected` = the answer for 4 in 5), with prepared
 * statements in one transaction: the API would take hours to log 10^6 calls on this machine.
 */
export async function seedLogs(file: string, count: number): Promise<void> {
  const store = openSqlite(file);
  await store.migrate();
  await store.close();
  const db = new Database(file);
  const log = db.prepare(`insert into logs (project, id, kind, model, request_model, created_at, expires_at, metadata, user_id, instructions, temperature, top_p, reasoning_effort, tool_names, request, response)
    values ('default', ?, 'chat.completion', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini', ?, null, ?, null, null, null, null, null, null, ?, ?)`);
  const tag = db.prepare(`insert into log_tags (project, kind, tag, value, created_at, log_id) values ('default', 'chat.completion', ?, ?, ?, ?)`);
  const start = Math.floor(Date.now() / 1000) - Math.ceil(count / 100);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `chatcmpl-bench${String(i).padStart(10, '0')}`;
      const created = start + Math.floor(i / 100);
      const answer = `answer ${i % 7}`;
      const metadata = JSON.stringify({ shard: String(i % 10), expected: i % 5 === 0 ? 'other' : answer });
      const request = JSON.stringify({ model: 'gpt-4o-mini', store: true, metadata: JSON.parse(metadata), messages: [{ role: 'system', content: 'Answer.' }, { role: 'user', content: `question ${i}` }] });
      const response = JSON.stringify({ id, object: 'chat.completion', created, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } });
      log.run(id, created, metadata, request, response);
      for (const t of tagsOf({ metadata, model: 'gpt-4o-mini-2024-07-18', request_model: 'gpt-4o-mini' })) tag.run(t.tag, t.value, created, id);
    }
  })();
  db.close();
}

/** A list page (limit 20) unfiltered, by one metadata pair, and deep (after the middle log): mean ms of 200. */
export async function benchListPages(dir: string, count: number) {
  const file = join(dir, `logs-${count}.sqlite`);
  await seedLogs(file, count);
  const server = await startEvald({ EVALD_DB: file });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    const time = async (query: OpenAI.Chat.Completions.ChatCompletionListParams) => {
      for (let i = 0; i < 20; i++) await client.chat.completions.list(query);
      const t = performance.now();
      for (let i = 0; i < 200; i++) await client.chat.completions.list(query);
      return (performance.now() - t) / 200;
    };
    const middle = `chatcmpl-bench${String(Math.floor(count / 2)).padStart(10, '0')}`;
    return {
      first: await time({ limit: 20 }),
      metadata: await time({ limit: 20, metadata: { shard: '3' } }),
      deep: await time({ limit: 20, after: middle, metadata: { shard: '3' } }),
    };
  } finally {
    await server.stop();
  }
}

/** A completions run over `count` stored completions grading the stored answers (string_check): items/s. */
export async function benchLogRun(dir: string, count: number) {
  const file = join(dir, 'log-run.sqlite');
  await seedLogs(file, count);
  const server = await startEvald({ EVALD_DB: file });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  try {
    const ev = await client.evals.create({
      name: 'bench-logs', data_source_config: { type: 'logs' },
      testing_criteria: [{ type: 'string_check', name: 'expected', input: '{{ sample.output_text }}', reference: '{{ item.metadata.expected }}', operation: 'eq' }],
    });
    const cpu0 = cpuSeconds(server.child.pid!);
    const started = performance.now();
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'completions', source: { type: 'stored_completions' } } });
    for (;;) {
      const r = await client.evals.runs.retrieve(run.id, { eval_id: ev.id });
      if (r.status !== 'queued' && r.status !== 'in_progress') {
        if (r.result_counts.total !== count) throw new Error(`log run ended ${r.status} with ${r.result_counts.total} items`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, itemsPerSecond: count / seconds, cpuMsPerItem: ((cpuSeconds(server.child.pid!) - cpu0) * 1000) / count };
  } finally {
    await server.stop();
  }
}
