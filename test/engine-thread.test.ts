import { afterAll, describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { captureLog, simpleEval, startTestServer, waitFor, waitForRun, type TestServer } from './harness.js';

// The engine runs in a thread of its own (src/engine-thread/), so the API's work never holds up a run's
// items, nor a run the API. Shown without timing: the run goes on while this (the API's) thread is
// blocked outright, which in one event loop would stop it dead.
const servers: TestServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

const busyWait = (ms: number) => { const until = Date.now() + ms; while (Date.now() < until) { /* the API thread does nothing else */ } };

describe('the engine thread', () => {
  it('executes a run while the API thread is blocked', async () => {
    const { log, lines } = captureLog();
    const server = await startTestServer({ EVALD_ENGINE_THREAD: '1' }, log);
    servers.push(server);
    expect(lines.find((l) => l.msg === 'evald listening')).toMatchObject({ engine_thread: true });
    const client = server.client;
    // Built before any request: a long synchronous stretch here, with a kept-alive socket idle meanwhile,
    // would let the server's keep-alive timer close that socket under the client's next request.
    const rows = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ item: { expected: `a${i}` }, sample: { output_text: `a${i}` } }));
    const ev = await client.evals.create(simpleEval('thread'));
    const file = await client.files.create({ file: await toFile(Buffer.from(rows.join('\n')), 'rows.jsonl'), purpose: 'evals' });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
    // From source the thread first compiles the engine through tsx: slow on a loaded machine.
    await waitFor(async () => ((await server.store.runs.byId(run.id))!.counts.total > 0 ? true : undefined), 100_000, 'the first batch');

    const before = (await server.store.runs.byId(run.id))!.counts.total;
    busyWait(2000);
    // Read at once: better-sqlite3 answers synchronously, before any timer of this thread could run.
    const after = (await server.store.runs.byId(run.id))!;
    expect(after.counts.total).toBeGreaterThan(before);

    await client.evals.runs.cancel(run.id, { eval_id: ev.id });
    const ended = await waitForRun(client, ev.id, run.id);
    expect(ended.status === 'canceled' || ended.status === 'completed').toBe(true);
  }, 150_000);

  it('stays in the API thread for a store only this connection sees (PGlite), and runs complete there too', async () => {
    const { log, lines } = captureLog();
    const server = await startTestServer({ DATABASE_URL: 'pglite://' }, log);
    servers.push(server);
    expect(lines.find((l) => l.msg === 'evald listening')).toMatchObject({ engine_thread: false });
    const ev = await server.client.evals.create(simpleEval('inline'));
    const run = await server.client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { expected: 'x' }, sample: { output_text: 'x' } }] } } });
    const done = await waitForRun(server.client, ev.id, run.id);
    expect([done.status, done.result_counts.passed]).toEqual(['completed', 1]);
    // Its log lines come straight from this thread's logger.
    const ended = await waitFor(async () => lines.find((l) => l.run_id === run.id && l.status === 'completed'), 10_000, 'the run\'s last log line');
    expect(ended).toMatchObject({ result_counts: { total: 1, passed: 1 } });
  }, 90_000);
});
