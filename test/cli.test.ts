import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { runEvald, startTestServer, tempDir, type TestServer } from './harness.js';

// The `evald` command end to end: a child process (through tsx) against a real server whose default
// upstream is the fake one, or against a server it runs itself on a local store.
let fake: FakeUpstream;
let server: TestServer;
const tmp = tempDir('evald-cli-');
const at = (name: string) => join(tmp.dir, name);
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeUpstream({ latencyMs: 1 });
  server = await startTestServer({ OPENAI_BASE_URL: fake.url });
  env = { EVALD_BASE_URL: `${server.url}/v1`, EVALD_DB: at('unused.sqlite') };
  // Rows whose prompt tells the fake what to answer: rows 0–2 right, row 3 wrong.
  const rows = [['France', 'Paris', 'Paris'], ['Japan', 'Tokyo', 'Tokyo'], ['Italy', 'Rome', 'Rome'], ['Spain', 'Madrid', 'Lisbon']];
  writeFileSync(at('capitals.jsonl'), rows.map(([country, answer, says]) => JSON.stringify({ country, answer, says })).join('\n') + '\n');
  writeFileSync(at('capitals.csv'), 'country,answer,says\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  writeFileSync(at('capitals.yaml'), `
name: cli-capitals
data_source_config:
  type: custom
  item_schema: {type: object, properties: {country: {type: string}, answer: {type: string}, says: {type: string}}, required: [country, answer]}
  include_sample_schema: true
testing_criteria:
  - {type: string_check, name: exact, input: "{{ sample.output_text }}", reference: "{{ item.answer }}", operation: eq}
data: capitals.jsonl
runs:
  - name: mini
    data_source:
      type: completions
      model: gpt-4o-mini
      input_messages: {type: template, template: [{role: user, content: "Capital of {{ item.country }}? [[fake:reply={{ item.says }}]]"}]}
  - name: from-csv
    data_source:
      type: completions
      model: gpt-4.1
      input_messages: {type: template, template: [{role: user, content: "Capital of {{ item.country }}? [[fake:reply={{ item.says }}]]"}]}
      source: {type: file, path: capitals.csv}
gates:
  min_pass_rate: 0.7
  criteria: {exact: {min_mean_score: 0.7}}
`);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await fake?.close();
  tmp.remove();
});

const evald = (args: string[], extra: Record<string, string> = {}) => runEvald(args, { ...env, ...extra });

describe('evald run', () => {
  let first: Awaited<ReturnType<typeof evald>>;
  beforeAll(async () => {
    first = await evald(['run', at('capitals.yaml'), '--output', at('r.jsonl'), '--output', at('r.csv'), '--output', at('r.json'), '--output', at('junit.xml'), '--output', at('r.md')]);
  }, 120_000);

  it('creates the eval and one run per entry, uploads the local files, prints a summary and exits 0 on met gates', () => {
    expect(first.stderr).toMatch(/created eval 'cli-capitals' \(eval_\w+\)/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^mini +gpt-4o-mini +completed +4 +3 +1 +0 +75\.0% +\d+ +[\d.]+s$/m);
    expect(first.stdout).toMatch(/^from-csv +gpt-4\.1 +completed +4 +3 +1 +0 +75\.0%/m);
    expect(first.stdout).toContain('gate pass rate 75.0%, needs ≥ 70.0%: ok');
    expect(first.stdout).toContain('gate exact mean score 0.750, needs ≥ 0.7: ok');
    // Not a terminal: plain progress lines that end with each run's final state.
    expect(first.stderr).toMatch(/mini +4\/4 +pass 75\.0% +errored 0 +tokens \d+ +completed in/);
  });

  it('writes the results in every format the names ask for', () => {
    const jsonl = readFileSync(at('r.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(jsonl).toHaveLength(8);
    expect(jsonl[3]).toMatchObject({ run_name: 'mini', datasource_item_id: 3, status: 'fail', output_text: 'Lisbon', scores: { exact: 0 }, item: { country: 'Spain' } });
    const csv = readFileSync(at('r.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('run_id,run_name,datasource_item_id,output_item_id,status,error_code,error_message,item,output_text,model,total_tokens,exact score,exact passed');
    expect(csv.filter((l) => l.includes(',from-csv,'))).toHaveLength(4);
    const json = JSON.parse(readFileSync(at('r.json'), 'utf8'));
    expect(json.runs.map((r: { run_name: string; items: unknown[] }) => [r.run_name, r.items.length])).toEqual([['mini', 4], ['from-csv', 4]]);
    expect(json.runs[0].summary.gates.every((g: { ok: boolean }) => g.ok)).toBe(true);
    const junit = readFileSync(at('junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="mini" id="evalrun_\w+" tests="4" failures="1" errors="0"/);
    expect(junit).toContain('<failure type="fail" message="failed: exact">Lisbon</failure>');
    expect(junit.match(/<testcase /g)).toHaveLength(8 + 4);
    const md = readFileSync(at('r.md'), 'utf8');
    expect(md).toContain('| mini | gpt-4o-mini | completed | 4 | 3 | 1 | 0 | 75.0% | ✅ pass |');
    expect(md).toContain('| 3 | failed exact | Lisbon |');
  });

  it('reuses the eval of the same name and definition, and exits 1 when a gate fails', async () => {
    const again = await evald(['run', at('capitals.yaml'), '--min-pass-rate', '80%']);
    expect(again.stderr).toMatch(/reusing eval 'cli-capitals'/);
    expect(again.stdout).toContain('gate pass rate 75.0%, needs ≥ 80.0%: FAILED');
    expect(again.code).toBe(1);
    const evals = await server.client.evals.list({ limit: 100 });
    expect(evals.data.filter((e) => e.name === 'cli-capitals')).toHaveLength(1);
  }, 120_000);

  it('exits 2 on usage errors: no file, an unknown field, a bad flag, a refused eval', async () => {
    writeFileSync(at('typo.yaml'), 'name: x\ndata_source_config: {type: custom, item_schema: {}}\ntesting_criteria: [{type: string_check, name: a}]\nrun: []\n');
    writeFileSync(at('refused.json'), JSON.stringify({ name: 'x', data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'no_such_grader', name: 'a' }], runs: [{ data_source: { type: 'jsonl', source: 'capitals.jsonl' } }] }));
    const results = await Promise.all([
      evald(['run', at('missing.yaml')]),
      evald(['run', at('typo.yaml')]),
      evald(['run', at('capitals.yaml'), '--min-pass-rate', '2']),
      evald(['run', at('refused.json')]),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results[0]!.stderr).toContain('cannot read');
    expect(results[1]!.stderr).toContain("unknown field(s) 'run'");
    expect(results[2]!.stderr).toContain('--min-pass-rate must be a share in [0, 1]');
    expect(results[3]!.stderr).toMatch(/the eval was refused: 400 .*\(param: testing_criteria\[0\]/);
  }, 120_000);

  it('exits 3 when a run fails', async () => {
    const bad = await server.client.files.create({ file: await toFile(Buffer.from('{"item": {"country": "x", "answer": "y"}}\nnot json\n'), 'bad.jsonl'), purpose: 'evals' });
    writeFileSync(at('failing.json'), JSON.stringify({
      name: 'cli-failing', data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'string_check', name: 'exact', input: '{{ item.answer }}', reference: '{{ item.answer }}', operation: 'eq' }],
      runs: [{ data_source: { type: 'jsonl', source: { type: 'file_id', id: bad.id } } }],
    }));
    const failed = await evald(['run', at('failing.json'), '--output', at('failed.md')]);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/run failed: invalid_jsonl: .*line 2/);
    expect(readFileSync(at('failed.md'), 'utf8')).toContain('Run failed: `invalid_jsonl`');
  }, 120_000);
});

describe('evald export and compare', () => {
  let evalId: string, base: string, candidate: string;
  beforeAll(async () => {
    const ev = await server.client.evals.create({
      name: 'cli-compare', data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.expected }}', operation: 'eq' }],
    });
    const content = (outputs: string[]) => outputs.map((o, i) => ({ item: { expected: `a${i}`, note: 'has, a comma' }, sample: { output_text: o } }));
    const runOf = async (outputs: string[]) => {
      const r = await server.client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: content(outputs) } } });
      const { waitForRun } = await import('./harness.js');
      await waitForRun(server.client, ev.id, r.id);
      return r.id;
    };
    evalId = ev.id;
    base = await runOf(['a0', 'a1', 'x', 'a3']);
    candidate = await runOf(['a0', 'x', 'a2', 'a3']);
  }, 60_000);

  it('exports a run as JSONL to stdout (finding its eval) and as CSV to a file', async () => {
    const [jsonl, csv] = await Promise.all([
      evald(['export', base]),
      evald(['export', base, '--eval', evalId, '--output', at('base.csv')]),
    ]);
    expect(jsonl.code).toBe(0);
    const rows = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.datasource_item_id, r.status, r.output_text])).toEqual([[0, 'pass', 'a0'], [1, 'pass', 'a1'], [2, 'fail', 'x'], [3, 'pass', 'a3']]);
    expect(csv.code).toBe(0);
    const lines = readFileSync(at('base.csv'), 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^datasource_item_id,output_item_id,status,/);
    expect(lines[1]).toContain('"{""expected"":""a0"",""note"":""has, a comma""}"');
    const missing = await evald(['export', 'evalrun_nope', '--eval', evalId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No eval run found with id 'evalrun_nope'");
  }, 120_000);

  it('compares two runs: counts, per-criterion differences, the regressions, and --fail-on-regression', async () => {
    const [plain, gated, json] = await Promise.all([
      evald(['compare', base, candidate]),
      evald(['compare', base, candidate, '--eval', evalId, '--fail-on-regression']),
      evald(['compare', base, candidate, '--eval', evalId, '--json']),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('4 pairs: 1 regressions, 1 fixes, 2 unchanged, 0 errored');
    expect(plain.stdout).toMatch(/^exact +4 +75\.0% +75\.0% +\+0\.0 pp \[[-+]\d+\.\d, [-+]\d+\.\d\] +\+0\.000 \[/m);
    expect(plain.stdout).toContain('row 1: "a1" → "x"');
    expect(plain.stdout).toContain('row 2: "x" → "a2"');
    expect(gated.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ object: 'eval.run.comparison', counts: { regressions: 1, fixes: 1 }, overall: { mcnemar: { p_value: 1 } } });
    const wrong = await evald(['compare', base]);
    expect(wrong.code).toBe(2);
  }, 120_000);
});

describe('evald without a server', () => {
  it('runs a server in its own process on the local store, which a later export reads', async () => {
    const local = { EVALD_BASE_URL: '', EVALD_DB: at('local.sqlite') };
    writeFileSync(at('local.json'), JSON.stringify({
      name: 'local', data_source_config: { type: 'custom', item_schema: { type: 'object' }, include_sample_schema: true },
      testing_criteria: [{ type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.answer }}', operation: 'eq' }],
      runs: [{ name: 'rows', data_source: { type: 'jsonl', source: 'rows.jsonl' } }],
    }));
    writeFileSync(at('rows.jsonl'), '{"item": {"answer": "a"}, "sample": {"output_text": "a"}}\n{"item": {"answer": "b"}, "sample": {"output_text": "c"}}\n');
    const result = await evald(['run', at('local.json')], local);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("created eval 'local'");
    expect(result.stderr).toContain('on the local store');
    const runId = /^rows \((evalrun_\w+)\)$/m.exec(result.stdout)![1]!;
    expect(existsSync(at('local.sqlite'))).toBe(true);
    const exported = await evald(['export', runId], local);
    expect(exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).status)).toEqual(['pass', 'fail']);
  }, 120_000);
});

describe('evald --help and --version', () => {
  it('prints help for the command and every subcommand, the version, and exits 2 on an unknown command', async () => {
    const names = ['run', 'export', 'compare', 'serve', 'keys', 'fake-upstream'];
    const results = await Promise.all([evald(['--help']), evald(['--version']), evald(['nope']), ...names.map((n) => evald([n, '--help']))]);
    const [help, version, unknown, ...each] = results;
    expect(help!.code).toBe(0);
    for (const n of names) expect(help!.stdout).toMatch(new RegExp(`^  evald ${n} `, 'm'));
    expect(version!.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(unknown!.code).toBe(2);
    each.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage:\\s+evald ${names[i]}`));
    });
  }, 120_000);
});
