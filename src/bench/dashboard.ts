import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite } from '../storage/index.js';
import { startEvald } from './proc.js';

const CRITERION = 'exact-00000000-0000-4000-8000-000000000000';
const CRITERIA = JSON.stringify([{ type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq', id: CRITERION }]);
const EVAL_ID = 'eval_00000000000000000000000000000001';
const RUN_ID = 'evalrun_00000000000000000000000000000001';

/**
 * Seeds one completed run of `count` items straight into a fresh SQLite file with one INSERT … SELECT (the
 * item index's triggers run as for the engine's inserts). Item i asks about word `w{i % 1000}` and the
 * unique word `u{i}`; every item holds "capital"; a third of them fail.
 */
export async function seed(dbPath: string, count: number): Promise<number> {
  const store = openSqlite(dbPath);
  await store.migrate();
  const now = Math.floor(Date.now() / 1000);
  await store.db.insertInto('evals').values({ id: EVAL_ID, project: 'default', name: 'bench', data_source_config: '{"type":"custom","item_schema":{"type":"object"}}', testing_criteria: CRITERIA, metadata: '{}', created_at: now, updated_at: now }).execute();
  const passed = count - Math.floor((count + 2) / 3);
  await store.db.insertInto('runs').values({ id: RUN_ID, eval_id: EVAL_ID, project: 'default', name: 'bench', model: 'gpt-4o-mini', status: 'completed',
    data_source: '{"type":"jsonl","source":{"type":"file_id","id":"file-bench"}}', metadata: '{}', error: null,
    count_total: count, count_passed: passed, count_failed: count - passed, count_errored: 0,
    per_criteria: JSON.stringify({ [CRITERION]: { passed, failed: count - passed } }), per_model_usage: '{}',
    created_at: now, updated_at: now, source_rows: count, started_at: now }).execute();
  const started = performance.now();
  await sql`with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ${count})
    insert into output_items (id, run_id, eval_id, project, datasource_item_id, status, datasource_item, results, sample, created_at)
    select printf('outputitem_%032x', i), ${RUN_ID}, ${EVAL_ID}, 'default', i, case when i % 3 = 0 then 'fail' else 'pass' end,
      json_object('question', printf('What is the capital of w%d? (u%d)', i % 1000, i), 'answer', 'city'),
      json_array(json_object('name', ${CRITERION}, 'type', 'string-check-grader', 'score', case when i % 3 = 0 then 0 else 1 end, 'passed', json(case when i % 3 = 0 then 'false' else 'true' end))),
      json_object('input', json_array(json_object('role', 'user', 'content', printf('What is the capital of w%d?', i % 1000))),
        'output', json_array(json_object('role', 'assistant', 'content', case when i % 3 = 0 then 'town' else 'city' end)),
        'output_text', case when i % 3 = 0 then 'town' else 'city' end, 'model', 'gpt-4o-mini', 'error', json('null')),
      ${now}
    from n`.execute(store.db);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

/** Median of `n` timings of `fn` (ms), after one warm-up. */
async function median(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

/** Item pages, searches and histograms of a run of `count` items; the run page in chromium (first render, requests). */
/**
 * After a delete: asks `/health` one request at a time until the run's rows are purged (run_deletions,
 * read through a second connection, is empty); how long the purge took and the slowest `/health`.
 */
async function whilePurging(url: string, dbPath: string): Promise<{ seconds: number; healthP99: number; healthMax: number; probes: number }> {
  const reader = new Database(dbPath, { readonly: true });
  const pending = reader.prepare('select count(*) as n from run_deletions');
  const started = performance.now();
  const times: number[] = [];
  try {
    while ((pending.get() as { n: number }).n > 0) {
      if (performance.now() - started > 600_000) throw new Error('the deleted run was not purged within 10 minutes');
      const t = performance.now();
      await fetch(`${url}/health`).then((r) => r.arrayBuffer());
      times.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    reader.close();
  }
  times.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, healthP99: times[Math.floor(times.length * 0.99)] ?? 0, healthMax: times.at(-1) ?? 0, probes: times.length };
}

export async function benchDashboard(dir: string, count: number) {
  const dbPath = join(dir, `dashboard-${count}.sqlite`);
  const seedSeconds = await seed(dbPath, count);
  // With a worker: the run is completed, so its engine only polls, and it purges the run deleted at the end.
  const server = await startEvald({ EVALD_DB: dbPath });
  try {
    const base = `${server.url}/v1/evals/${EVAL_ID}/runs/${RUN_ID}`;
    const get = async (path: string) => {
      const res = await fetch(base + path);
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ data: unknown[] }>;
    };
    const deep = `outputitem_${(Math.floor(count * 0.9)).toString(16).padStart(32, '0')}`;
    const cases: Array<[string, string]> = [
      ['items page (row order)', '/item_search?limit=50'],
      ['items page at 90% (cursor)', `/item_search?limit=50&after=${deep}`],
      ['failed items page', '/item_search?limit=50&status=failed'],
      ['sorted by score, desc', `/item_search?limit=50&sort=score&score_criterion=${CRITERION}&order=desc`],
      ['criterion failed', `/item_search?limit=50&criterion=${CRITERION}&criterion_passed=false`],
      ['search: 1 match', `/item_search?limit=50&q=u${Math.floor(count * 0.7)}`],
      ['search: a word in 0.1% of items', '/item_search?limit=50&q=w123'],
      ['search: a word in 0.1% of items, failed only', '/item_search?limit=50&q=w123&status=failed'],
      ['search: a word in every item', '/item_search?limit=50&q=capital'],
      ['search: a word in every item, failed only', '/item_search?limit=50&q=capital&status=failed'],
      ['search: a word in every item, page at 90% (cursor)', `/item_search?limit=50&q=capital&after=${deep}`],
      ['search: a word in every item, sorted by score', `/item_search?limit=50&q=capital&sort=score&score_criterion=${CRITERION}&order=desc`],
      ['search: a word in a third of items, passed only (none match)', '/item_search?limit=50&q=town&status=passed'],
      ['score histograms', '/score_histograms?bins=20'],
      ['progress', '/progress'],
      ['output_items page (OpenAI route)', '/output_items?limit=50'],
    ];
    const rows: Array<{ what: string; first: number; ms: number; n: number }> = [];
    for (const [what, path] of cases) {
      const t = performance.now();
      const n = (await get(path)).data?.length ?? 0;
      const first = performance.now() - t;
      rows.push({ what, first, ms: await median(21, () => get(path)), n });
    }
    const page = await runPage(server.url, `/evals/${EVAL_ID}?run_id=${RUN_ID}`);
    const t = performance.now();
    const res = await fetch(base, { method: 'DELETE' });
    if (!res.ok) throw new Error(`delete: ${res.status} ${await res.text()}`);
    const deleteMs = performance.now() - t;
    const purge = await whilePurging(server.url, dbPath);
    return { seedSeconds, rows, page, deleteMs, purge };
  } finally {
    await server.stop();
  }
}

/**
 * Opens the run page in Debian's chromium: in each of `profiles` fresh profiles a cold visit, then three warm
 * ones. Milliseconds to the first complete view (the page's performance mark) and the requests it made; the
 * cold figure is the median (and range) over the profiles, the warm one over every warm visit.
 */
async function runPage(origin: string, path: string, profiles = 3) {
  const { chromium } = await import('playwright-core');
  type Visit = { ms: number; requests: number };
  const colds: Visit[] = [];
  const warms: Visit[] = [];
  for (let i = 0; i < profiles; i++) {
    const profile = mkdtempSync(join(tmpdir(), 'evald-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.EVALD_CHROMIUM ?? '/usr/bin/chromium', headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const visit = async (): Promise<Visit> => {
        const page = await context.newPage();
        let requests = 0;
        page.on('request', () => { requests += 1; });
        await page.goto(origin + path);
        await page.waitForFunction(() => performance.getEntriesByName('evald:rendered').length > 0, null, { timeout: 30_000 });
        const ms = await page.evaluate(() => performance.getEntriesByName('evald:rendered')[0]!.startTime);
        await page.waitForLoadState('networkidle');
        await page.close();
        return { ms, requests };
      };
      colds.push(await visit());
      for (let w = 0; w < 3; w++) warms.push(await visit());
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  const summary = (visits: Visit[]) => {
    const sorted = [...visits].sort((a, b) => a.ms - b.ms);
    return { ms: sorted[Math.floor(sorted.length / 2)]!.ms, min: sorted[0]!.ms, max: sorted.at(-1)!.ms, requests: Math.max(...visits.map((v) => v.requests)) };
  };
  return { cold: summary(colds), warm: summary(warms), profiles };
}
