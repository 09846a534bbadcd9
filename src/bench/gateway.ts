import Database from 'better-sqlite3';
import { join } from 'node:path';
import OpenAI from 'openai';
import { spawn } from 'node:child_process';
import { Pool } from 'undici';
import { openSqlite } from '../storage/index.js';
import { tagsOf } from '../storage/repos/logs.js';
import { cpuSeconds, loadCalls, startEvald } from './proc.js';

const body = (i: number, store: boolean) => JSON.stringify({ model: 'gpt-4o-mini', store, messages: [{ role: 'user', content: `question ${i}` }] });
const post = (url: string, text: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: text });

/** A child node process running `args` that prints `listening on <url>`: its URL, pid and a stop. */
async function startListening(args: string[]): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening`)));
  });
  child.stdout!.resume();
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return { url, pid: child.pid!, stop };
}

/** The fake upstream as its own process (`evald fake-upstream`), so that its CPU is not the load generator's. */
const startFakeProcess = (args: string[]) => startListening([join(import.meta.dirname, '..', 'cli', 'main.js'), 'fake-upstream', ...args]);

/**
 * A load generator lighter than fetch (undici's request on one pool per origin): its CPU shares the two
 * cores with evald and the fake, so the less it takes, the less the latency figures measure it.
 */
function loadClient(base: string, concurrency: number) {
  const url = new URL(base);
  const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  return {
    async send(path: string, text: string): Promise<void> {
      const res = await pool.request({ method: 'POST', path: `${url.pathname}${path}`, headers, body: text });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
    },
    close: () => pool.close(),
  };
}

type Round = { rps: number; p50: number; p99: number; cpuMsPerCall: number; fakeCpuMsPerCall: number; loaderCpuMsPerCall: number };
type Paths = { direct: Round[]; bare: Round[]; plain: Round[]; stored: Round[] };

/**
 * Gateway overhead: chat completions at `concurrency`, straight to the fake upstream (answering in
 * `latencyMs`, in its own process), through a bare Node proxy (bare-proxy.ts: the floor of any Node gateway
 * here), and through evald, not stored and stored. The paths are measured in `rounds` interleaved rounds of
 * `calls` each and each figure is the median round's, so that a burst of load from other sessions on the
 * machine lands in one round, not on one path. Before that, a warm-up of `warmup` calls on each proxied path
 * (V8 compiles and re-optimises the hot code over the first few thousand calls). Added p50 latency is the
 * path's minus direct; a proxy's CPU is all its CPU per call (everything it does for a call is overhead).
 * The fake's and the load generator's CPU per call are reported too: all of them share the machine's cores.
 */
export async function benchGatewayOverhead(dir: string, calls: number, concurrency: number, latencyMs: number, rounds = 3, warmup = 4000) {
  const fake = await startFakeProcess(['--latency-ms', String(latencyMs)]);
  const bareProxy = await startListening([join(import.meta.dirname, 'bare-proxy.js'), fake.url]);
  const server = await startEvald({ EVALD_DB: join(dir, 'gateway.sqlite'), OPENAI_BASE_URL: fake.url, EVALD_CONCURRENCY: String(concurrency) });
  const direct = loadClient(fake.url, concurrency);
  const bare = loadClient(bareProxy.url, concurrency);
  const via = loadClient(`${server.url}/v1`, concurrency);
  try {
    const measure = async (client: typeof direct, proxyPid: number | null, store: boolean): Promise<Round> => {
      const cpu0 = proxyPid === null ? 0 : cpuSeconds(proxyPid);
      const fake0 = cpuSeconds(fake.pid);
      const loader0 = process.cpuUsage();
      const r = await loadCalls(calls, concurrency, (i) => client.send('/chat/completions', body(i, store)));
      const loader = process.cpuUsage(loader0);
      return {
        ...r,
        cpuMsPerCall: proxyPid === null ? 0 : ((cpuSeconds(proxyPid) - cpu0) * 1000) / calls,
        fakeCpuMsPerCall: ((cpuSeconds(fake.pid) - fake0) * 1000) / calls,
        loaderCpuMsPerCall: (loader.user + loader.system) / 1000 / calls,
      };
    };
    await loadCalls(warmup, concurrency, (i) => via.send('/chat/completions', body(i, false)));
    await loadCalls(warmup, concurrency, (i) => via.send('/chat/completions', body(i, true)));
    await loadCalls(warmup, concurrency, (i) => bare.send('/chat/completions', body(i, false)));
    await loadCalls(1000, concurrency, (i) => direct.send('/chat/completions', body(i, false)));
    const results: Paths = { direct: [], bare: [], plain: [], stored: [] };
    for (let round = 0; round < rounds; round++) {
      results.direct.push(await measure(direct, null, false));
      results.bare.push(await measure(bare, bareProxy.pid, false));
      results.plain.push(await measure(via, server.child.pid!, false));
      results.stored.push(await measure(via, server.child.pid!, true));
    }
    const median = (rs: Round[]) => [...rs].sort((a, b) => a.p50 - b.p50)[Math.floor(rs.length / 2)]!;
    return { direct: median(results.direct), bare: median(results.bare), plain: median(results.plain), stored: median(results.stored), rounds: results };
  } finally {
    await direct.close();
    await bare.close();
    await via.close();
    await server.stop();
    await bareProxy.stop();
    await fake.stop();
  }
}

/** Time to the first byte of a streamed answer (events 20 ms apart), direct and through evald: p50 of `n`. */
export async function benchStreamTtfb(dir: string, n: number) {
  const fake = await startFakeProcess(['--stream-interval-ms', '20']);
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
    await fake.stop();
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
