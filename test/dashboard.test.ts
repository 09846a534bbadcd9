import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../src/dashboard/build.js';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitFor, waitForRun, type TestServer } from './harness.js';
import { launch, screenshot, type Browser } from './browser/chromium.js';

// The dashboard in Debian's chromium through playwright-core: every page and state, a compare of two runs,
// a 390 px viewport. A failing test leaves a screenshot in test-results/screenshots/.
let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;
let browser: Browser;
let page: Page;
const keep = process.env.EVALD_SCREENSHOTS;
const ids: Record<string, string> = {};

const ROWS = [
  { q: 'France', a: 'Paris', extra: 'Answer in **bold** please.' },
  { q: 'Spain', a: 'Madrid', extra: '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">' },
  { q: 'Italy', a: 'Rome', extra: '[[fake:reply=Milan]]' },
  { q: 'Peru', a: 'Lima', extra: '[[fake:400]]' },
  { q: 'Chile', a: 'Santiago', extra: '' },
  { q: 'Kenya', a: 'Nairobi', extra: '[[fake:reply=Mombasa]]' },
];

beforeAll(async () => {
  await buildDashboard();
  fake = await startFakeUpstream({ latencyMs: 2 });
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, EVALD_PYTHON_TIMEOUT_S: '10' });
  client = server.client;
  const ev = await client.evals.create({
    name: 'capitals',
    data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { q: { type: 'string' }, a: { type: 'string' }, extra: { type: 'string' } } }, include_sample_schema: true },
    testing_criteria: [
      { type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.a }}', operation: 'ilike' },
      { type: 'score_model', name: 'judge', model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Is {{ sample.output_text }} the capital of {{ item.q }}? [[fake:score=0.8]]' }], range: [0, 1], pass_threshold: 0.5 },
    ],
  });
  ids.eval = ev.id;
  const template = [{ role: 'system' as const, content: 'Answer with one word.' }, { role: 'user' as const, content: 'Capital of {{ item.q }}? {{ item.a }} {{ item.extra }}' }];
  const sampled = await client.evals.runs.create(ev.id, { name: 'baseline', data_source: {
    type: 'completions', model: 'gpt-4o-mini', input_messages: { type: 'template', template },
    source: { type: 'file_content', content: ROWS.map((item) => ({ item })) },
  } });
  ids.run = sampled.id;
  // The candidate: stored answers, two of them changed (a fix at row 2, a regression at row 0).
  const answers = ['Lyon', 'Madrid', 'Rome', 'Lima', 'Santiago', 'Mombasa'];
  const candidate = await client.evals.runs.create(ev.id, { name: 'candidate', data_source: {
    type: 'jsonl', source: { type: 'file_content', content: ROWS.map((item, i) => ({ item, sample: { output_text: answers[i] } })) },
  } });
  ids.candidate = candidate.id;
  // A run whose file is not JSON from line 2: it fails with a message naming the line.
  const file = await client.files.create({ file: await toFile(Buffer.from('{"item":{"q":"x","a":"x"}}\nnot json\n'), 'broken.jsonl'), purpose: 'evals' });
  const broken = await client.evals.runs.create(ev.id, { name: 'broken', data_source: { type: 'jsonl', source: { type: 'file_id', id: file.id } } });
  ids.broken = broken.id;
  // A python grader that raises on one row: its traceback is the item's error.
  const py = await client.evals.create({
    name: 'python',
    data_source_config: { type: 'custom', item_schema: { type: 'object', properties: { n: { type: 'number' } } }, include_sample_schema: true },
    testing_criteria: [{ type: 'python', name: 'checker', source: 'def helper(n):\n    if n == 2:\n        raise ValueError("two is not allowed")\n    return 1.0\n\ndef grade(sample, item):\n    return helper(item["n"])\n' }],
  });
  ids.pyEval = py.id;
  const pyRun = await client.evals.runs.create(py.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [1, 2, 3].map((n) => ({ item: { n }, sample: { output_text: 'x' } })) } } });
  ids.pyRun = pyRun.id;
  for (const [e, r] of [[ev.id, sampled.id], [ev.id, candidate.id], [ev.id, broken.id], [py.id, pyRun.id]] as const) await waitForRun(client, e, r, 60_000);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

afterEach(async (t) => {
  if (t.task.result?.state === 'fail' && page) await screenshot(page, t.task.name).catch(() => {});
});

async function open(path: string, viewport = { width: 1280, height: 900 }, before?: (p: Page) => Promise<unknown>) {
  page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  await before?.(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  await page.goto(server.url + path);
  return { errors };
}
const shot = async (name: string) => { if (keep) await screenshot(page, name, keep); };
const runUrl = (runId = ids.run!, evalId = ids.eval!) => `/evals/${evalId}?run_id=${runId}`;
const rowNumbers = () => page.locator('tr.item-row td.num').allTextContents();

describe('dashboard in chromium', () => {
  it('lists evals and says which project the key belongs to', async () => {
    await open('/');
    await page.getByRole('link', { name: 'capitals' }).waitFor();
    expect(await page.locator('#project').textContent()).toContain('default');
    await shot('home');
    await page.close();
  });

  it('shows a run: progress against its rows, errored apart, criteria, histograms, items in row order', async () => {
    const { errors } = await open(runUrl());
    await page.locator('tr.item-row').first().waitFor();
    expect(await rowNumbers()).toEqual(['0', '1', '2', '3', '4', '5']);
    const counts = await page.locator('.card.results').first().textContent();
    expect(counts).toContain('of 6 rows done');
    expect(counts).toMatch(/1\s*errored/);
    expect(counts).toContain('leaves out the 1 errored item');
    expect(await page.locator('tr.item-row.state-errored td.num').allTextContents()).toEqual(['3']);
    expect(await page.locator('svg.histogram').count()).toBe(2);
    expect(await page.locator('.histogram-card').first().textContent()).toContain('mean');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
    await shot('run');
    await page.close();
  });

  it('filters, searches and sorts on the server, keeps it all in the URL, and restores it from a link', async () => {
    await open(runUrl());
    await page.locator('tr.item-row').first().waitFor();
    await page.locator('button[data-status="failed"]').click();
    await waitFor(async () => ((await rowNumbers()).join() === '2,5' ? true : undefined), 10_000, 'failed rows');
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
    await page.locator('button[data-status="errored"]').click();
    await waitFor(async () => ((await rowNumbers()).join() === '3' ? true : undefined), 10_000, 'errored rows');
    await page.locator('button[data-status="all"]').click();
    await page.getByLabel('Search items').fill('mombasa');
    await waitFor(async () => ((await rowNumbers()).join() === '5' ? true : undefined), 10_000, 'search results');
    expect(new URL(page.url()).searchParams.get('q')).toBe('mombasa');
    await page.getByLabel('Search items').fill('');
    await page.getByLabel('Sort').selectOption({ label: 'exact score ↑' });
    await waitFor(async () => ((await rowNumbers()).slice(0, 2).sort().join() === '2,5' ? true : undefined), 10_000, 'sorted rows');
    await page.getByLabel('Criterion filter').selectOption({ label: 'exact passed' });
    await waitFor(async () => ((await rowNumbers()).sort().join() === '0,1,4' ? true : undefined), 10_000, 'criterion filter');
    const link = page.url();
    await shot('run-filtered');
    await page.close();
    await open(link.slice(server.url.length));
    await waitFor(async () => ((await rowNumbers()).sort().join() === '0,1,4' ? true : undefined), 10_000, 'restored filter');
    expect(await page.getByLabel('Criterion filter').inputValue()).toMatch(/:true$/);
    await page.close();
  });

  it('moves with j/k, opens an item with Enter: messages by role with safe markdown, the verdict before the raw call', async () => {
    await open(runUrl());
    await page.locator('tr.item-row').first().waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.locator('.item-detail').waitFor();
    expect(new URL(page.url()).searchParams.get('item')).toMatch(/^outputitem_/);
    expect(await page.locator('.item-detail h3').textContent()).toBe('Row 0');
    expect(await page.locator('.message .role').allTextContents()).toEqual(['system', 'user', 'assistant']);
    expect(await page.locator('.message.role-user strong').textContent()).toBe('bold');
    const judge = page.locator('.result', { hasText: 'judge' });
    expect(await judge.locator('.verdict').textContent()).toContain('passes at ≥ 0.5');
    expect(await judge.locator('.steps li').count()).toBeGreaterThan(0);
    const html = await judge.innerHTML();
    expect(html.indexOf('steps')).toBeLessThan(html.indexOf('Raw grader call'));
    await shot('item');
    // Row 1's prompt holds a script and an img onerror: shown as text, never run.
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await waitFor(async () => ((await page.locator('.item-detail h3').textContent()) === 'Row 1' ? true : undefined), 10_000, 'row 1');
    expect(await page.locator('.message.role-user').textContent()).toContain('<script>');
    expect(await page.locator('.message script, .message img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.close();
  });

  it('shows a python error as a multi-line traceback', async () => {
    await open(runUrl(ids.pyRun, ids.pyEval));
    await page.locator('tr.item-row.state-errored').click();
    const tb = await page.locator('.item-detail pre.traceback').first().textContent();
    expect(tb).toContain('two is not allowed');
    expect(tb!.split('\n').length).toBeGreaterThan(2);
    await shot('python-traceback');
    await page.close();
  });

  it('shows a failed run’s error and an eval page with the pass rate over time, live', { timeout: 60_000 }, async () => {
    await open(runUrl(ids.broken));
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('line 2');
    await shot('run-failed');
    await page.close();
    await open(`/evals/${ids.eval}`);
    await page.locator('svg.trend circle').first().waitFor();
    expect(await page.locator(`tr[data-run="${ids.broken}"]`).textContent()).toContain('failed');
    await shot('eval');
    // A run started elsewhere appears, then finishes, on the open page: no reload (the marker survives).
    await page.evaluate(() => { (window as unknown as { __same?: number }).__same = 1; });
    const extra = await client.evals.runs.create(ids.eval!, { name: 'live-one', data_source: {
      type: 'completions', model: 'gpt-4o-mini', input_messages: { type: 'template', template: [{ role: 'user', content: '{{ item.a }} [[fake:delay=4000]]' }] },
      source: { type: 'file_content', content: [{ item: ROWS[0]! }] },
    } });
    const row = page.locator(`tr[data-run="${extra.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    // The answer takes 4 s and the page refreshes every 3 s: it first shows the run before it ends.
    expect(await row.textContent()).toMatch(/queued|in progress|in_progress/);
    await waitFor(async () => ((await row.textContent())?.includes('completed') ? true : undefined), 20_000, 'the run to finish on screen');
    expect(await row.textContent()).toContain('1 / 1 graded passed');
    expect(await page.evaluate(() => (window as unknown as { __same?: number }).__same)).toBe(1);
    // One point per completed run, each at its own place even when runs were made in the same second.
    const runs = (await client.evals.runs.list(ids.eval!, { limit: 100 })).data;
    const done = runs.filter((r) => r.status === 'completed' && r.result_counts.total > r.result_counts.errored);
    const xs = await page.locator('svg.trend circle').evaluateAll((cs) => cs.map((c) => c.getAttribute('cx')));
    expect(xs).toHaveLength(done.length);
    expect(new Set(xs).size).toBe(done.length);
    await page.close();
  });

  it('compares two runs: regressions by default, deltas with intervals, a word diff side by side', async () => {
    await open(`/evals/${ids.eval}`);
    await page.getByLabel('Baseline run').selectOption(ids.run!);
    await page.getByLabel('Candidate run').selectOption(ids.candidate!);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('.pair').first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/evals/${ids.eval}/compare`);
    expect(await page.locator('.pair header strong').allTextContents()).toEqual(['Row 0']);
    expect(await page.locator('.pair mark.ins').first().textContent()).toContain('Lyon');
    expect(await page.locator('.compare-summary').textContent()).toMatch(/1\s*regressions/);
    expect(await page.locator('table.criteria-table').textContent()).toContain('[');
    await page.locator('button[data-kind="fix"]').click();
    await waitFor(async () => ((await page.locator('.pair header strong').allTextContents()).join() === 'Row 2' ? true : undefined), 10_000, 'fixes');
    await shot('compare');
    const url = page.url();
    await page.close();
    await open(url.slice(server.url.length), { width: 390, height: 844 });
    await page.locator('.pair').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('compare-390');
    await page.close();
  });

  it('fits a run page with an open item in 390 px', async () => {
    await open(runUrl(), { width: 390, height: 844 });
    await page.locator('tr.item-row').first().click();
    await page.locator('.item-detail').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The breadcrumbs are readable, not squeezed into ellipses beside the project.
    const cut = await page.locator('#crumbs .crumb').evaluateAll((cs) => cs.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent));
    expect(cut).toEqual([]);
    await shot('run-390');
    await page.close();
  });

  it('exports, re-runs with another model, cancels and deletes with confirmation', async () => {
    // The histograms are held back until a model has been typed into the re-run form, as on a slow server:
    // the page renders again when they arrive, and what the user typed must survive it.
    let releaseHistograms!: () => void;
    const histogramsHeld = new Promise<void>((resolve) => { releaseHistograms = resolve; });
    await open(runUrl(), undefined, (p) => p.route('**/score_histograms*', async (route) => { await histogramsHeld; await route.continue(); }));
    await page.locator('tr.item-row').first().waitFor();
    const download = page.waitForEvent('download');
    await page.locator('button[data-export="csv"]').click();
    const file = await (await download).path();
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toContain('datasource_item_id');
    // Re-run: the new run samples another model over the same rows, with slow answers so it can be canceled.
    await page.getByLabel('Model for the new run').fill('gpt-4.1-mini');
    releaseHistograms();
    await page.locator('.histogram-card').first().waitFor();
    expect(await page.getByLabel('Model for the new run').inputValue()).toBe('gpt-4.1-mini');
    await page.getByRole('button', { name: 'Run again with this model' }).click();
    await page.waitForURL((u) => u.searchParams.get('run_id') !== ids.run);
    const rerunId = new URL(page.url()).searchParams.get('run_id')!;
    const rerun = await client.evals.runs.retrieve(rerunId, { eval_id: ids.eval! });
    expect(rerun.model).toBe('gpt-4.1-mini');
    expect(rerun.data_source).toMatchObject({ type: 'completions', source: { type: 'file_content' } });
    await waitForRun(client, ids.eval!, rerunId);
    await page.close();

    // A run slow enough to cancel from the page.
    const slow = await client.evals.runs.create(ids.eval!, { name: 'slow', data_source: {
      type: 'completions', model: 'gpt-4o-mini', input_messages: { type: 'template', template: [{ role: 'user', content: '{{ item.q }} [[fake:delay=1500]]' }] },
      source: { type: 'file_content', content: Array.from({ length: 200 }, (_, i) => ({ item: { q: `q${i}`, a: 'x' } })) },
    } });
    await waitFor(async () => ((await client.evals.runs.retrieve(slow.id, { eval_id: ids.eval! })).status === 'in_progress' ? true : undefined));
    await open(runUrl(slow.id));
    await page.getByText('of 200 rows done').waitFor();
    await shot('run-in-progress');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByText('never ran').first().waitFor();
    expect(await page.locator('.card.results').first().textContent()).toMatch(/Canceled: \d+ of 200 rows ran/);
    await shot('run-canceled');
    await page.getByRole('button', { name: 'Delete run' }).click();
    await page.waitForURL((u) => !u.searchParams.has('run_id'));
    await expect(client.evals.runs.retrieve(slow.id, { eval_id: ids.eval! })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await page.close();
  });

  it('lists completions stored through the gateway, filters them by metadata, model and date, and evaluates them', { timeout: 90_000 }, async () => {
    // Stored through evald's own gateway (store: true) against the fake upstream.
    const ask = (model: string, app: string, reply: string) => client.chat.completions.create({
      model, store: true, metadata: { app, tier: 'gold' }, messages: [{ role: 'user', content: `Name a city [[fake:reply=${reply}]]` }],
    });
    await ask('gpt-4o-mini', 'support', 'Paris');
    await ask('gpt-4o-mini', 'support', 'Lyon');
    await ask('gpt-4.1-mini', 'billing', 'Paris');
    await client.responses.create({ model: 'gpt-4.1-mini', input: 'Name a river [[fake:reply=Seine]]', metadata: { app: 'support' } });
    await waitFor(async () => ((await client.chat.completions.list({ limit: 10 })).data.length === 3 ? true : undefined), 10_000, 'stored completions');
    const logsEval = await client.evals.create({
      name: 'stored answers', data_source_config: { type: 'logs' } as never,
      testing_criteria: [{ type: 'string_check', name: 'is paris', input: '{{ sample.output_text }}', reference: 'Paris', operation: 'eq' }],
    });
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const logRows = () => page.locator('table.logs tbody tr');

    const { errors } = await open('/logs');
    await waitFor(async () => ((await logRows().count()) === 3 ? true : undefined), 10_000, 'three stored completions');
    expect(await logRows().first().textContent()).toContain('Name a city');
    expect(await logRows().first().textContent()).toContain('app=billing');
    await page.getByLabel('Metadata').fill('app=support');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor(async () => ((await logRows().count()) === 2 ? true : undefined), 10_000, 'metadata filter');
    expect(new URL(page.url()).searchParams.get('metadata')).toBe('app=support');
    await page.getByLabel('Model').fill('gpt-4.1-mini');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No stored completions match.').waitFor();
    await page.getByLabel('Model').fill('');
    await page.getByLabel('To', { exact: true }).fill(yesterday);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No stored completions match.').waitFor();
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor(async () => ((await logRows().count()) === 2 ? true : undefined), 10_000, 'date filter');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ metadata: 'app=support', from: today });
    await shot('logs');

    // "Evaluate these": a run over exactly this filter, grading the stored answers.
    await page.getByLabel('Eval to run').selectOption(logsEval.id);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL((u) => u.pathname === `/evals/${logsEval.id}` && u.searchParams.has('run_id'));
    const runId = new URL(page.url()).searchParams.get('run_id')!;
    const run = await waitForRun(client, logsEval.id, runId);
    expect(run.status).toBe('completed');
    expect(run.data_source).toMatchObject({ type: 'completions', source: { type: 'stored_completions', metadata: { app: 'support' }, created_after: Math.floor(Date.parse(`${today}T00:00:00Z`) / 1000) } });
    expect(run.result_counts).toMatchObject({ total: 2, passed: 1, failed: 1, errored: 0 });
    await page.getByText('of 2 rows done').waitFor();
    await waitFor(async () => ((await rowNumbers()).length === 2 ? true : undefined), 10_000, 'the run’s items');
    expect(await page.locator('.items-table').textContent()).toContain('Lyon');
    await shot('logs-run');
    // Run again with a model: the logged prompts are sampled again instead of grading the stored answers.
    await page.getByLabel('Model for the new run').fill('gpt-4.1-mini');
    await page.getByRole('button', { name: 'Run again with this model' }).click();
    await page.waitForURL((u) => u.searchParams.get('run_id') !== runId);
    const resampled = await waitForRun(client, logsEval.id, new URL(page.url()).searchParams.get('run_id')!);
    expect(resampled.data_source).toMatchObject({ model: 'gpt-4.1-mini', input_messages: { type: 'item_reference', item_reference: 'item.input' }, source: run.data_source.source });
    expect(resampled.result_counts).toMatchObject({ total: 2, errored: 0 });
    await page.close();

    // Stored responses are listed apart.
    await open('/logs?metadata=app%3Dsupport');
    await page.locator('button[data-kind="response"]').click();
    await waitFor(async () => ((await logRows().count()) === 1 ? true : undefined), 10_000, 'the stored response');
    expect(await logRows().first().textContent()).toContain('Seine');
    expect(new URL(page.url()).searchParams.get('kind')).toBe('response');
    expect(errors).toEqual([]);
    await page.close();
  });
});
