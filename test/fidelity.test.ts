import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../src/fake-upstream/index.js';
import { startTestServer, waitForRun, type TestServer } from './harness.js';

// Grading what OpenAI graded (issue 12), through the official SDK against the fake upstream.
let fake: FakeUpstream;
let server: TestServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream({ latencyMs: 1 });
  server = await startTestServer({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-upstream' });
  client = server.client;
});
afterAll(async () => { await server.close(); await fake.close(); });

const openSchema = { type: 'object', properties: { q: { type: 'string' } } };
const custom = (include_sample_schema = true, item_schema: Record<string, unknown> = openSchema) => ({ type: 'custom' as const, item_schema, include_sample_schema });
const check = (name: string, input: string, reference: string, operation: 'eq' | 'like' = 'eq') =>
  ({ type: 'string_check' as const, name, input, reference, operation });
const py = (name: string, source: string) => ({ type: 'python' as const, name, source });
const rows = (...items: Array<Record<string, unknown>>) => ({ type: 'file_content' as const, content: items.map((item) => ({ item })) });
const template = (...messages: Array<{ role: string; content: unknown }>) => ({ type: 'template' as const, template: messages as never });

async function runItems(evalId: string, runId: string) {
  const run = await waitForRun(client, evalId, runId, 60_000);
  const items = [];
  for await (const item of client.evals.runs.outputItems.list(runId, { eval_id: evalId, limit: 100 })) items.push(item);
  items.sort((a, b) => a.datasource_item_id - b.datasource_item_id);
  return { run, items };
}
const requestsTo = (path: string) => fake.stats.recent.filter((r) => r.path.endsWith(path)).map((r) => r.body as Record<string, any>);

describe('issue 12: grade what OpenAI graded', () => {
  it('1. follows a template path into a tool call\'s JSON arguments; python still gets the string', async () => {
    const ev = await client.evals.create({
      name: 'json-args', data_source_config: custom(),
      testing_criteria: [
        check('symbol', '{{ sample.output_tools[0].function.arguments.symbols[1] }}', 'MSFT'),
        check('all', '{{sample.output_tools[0].function.arguments.symbols}}', '["AAPL","MSFT"]'),
        py('raw', 'def grade(sample, item):\n    return 1.0 if isinstance(sample["output_tools"][0]["function"]["arguments"], str) else 0.0\n'),
      ],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: {
      type: 'completions', model: 'gpt-4o-mini', source: rows({ q: 'quotes' }),
      input_messages: template({ role: 'user', content: '{{ item.q }} [[fake:tool=get_quotes({"symbols":["AAPL","MSFT"]})]]' }),
      sampling_params: { tools: [{ type: 'function', function: { name: 'get_quotes', parameters: { type: 'object', properties: { symbols: { type: 'array' } } } } }] },
    } });
    const { run: done, items } = await runItems(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 1, passed: 1, failed: 0, errored: 0 });
    expect(items[0]!.results.map((r) => r.passed)).toEqual([true, true, true]);
  });

  it('2. renders sample.* as empty for rows without a sample; a missing item.* still errors', async () => {
    const ev = await client.evals.create({
      name: 'no-sample', data_source_config: custom(false),
      testing_criteria: [
        check('empty', '[{{ sample.output_text }}]', '[]'),
        { type: 'score_model', name: 'judge', model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Rate "{{ sample.output_text }}" for {{ item.q }} [[fake:score=0.8]]' }] },
      ],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: rows({ q: 'one' }, { other: 'no q' }) } });
    const { run: done, items } = await runItems(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 2, passed: 1, failed: 0, errored: 1 });
    expect(items[0]!.results.map((r) => [r.passed, r.score])).toEqual([[true, 1], [true, 0.8]]);
    expect((items[0]!.results[1]!.sample as any).input[0].content).toBe('Rate "" for one [[fake:score=0.8]]');
    expect(items[1]!.sample.error).toEqual({ code: 'invalid_variable', message: expect.stringMatching(/judge: .*\{\{ item\.q \}\}/) });
  });

  it('3. exposes every hosted tool call kind in sample.output_tools and keeps the items in sample.output', async () => {
    const kinds = ['mcp_call', 'web_search_call', 'file_search_call', 'code_interpreter_call', 'image_generation_call', 'computer_call', 'custom_tool_call', 'local_shell_call'];
    const ev = await client.evals.create({
      name: 'hosted', data_source_config: custom(),
      testing_criteria: [
        py('any tool', 'def grade(sample, item):\n    return 1.0 if len(sample["output_tools"]) == 8 else 0.0\n'),
        check('mcp name', '{{ sample.output_tools[0].type }}:{{ sample.output_tools[0].function.name }}', 'mcp_call:get_weather'),
        check('mcp args', '{{ sample.output_tools[0].function.arguments.city }}', 'Paris'),
        check('search', '{{ sample.output_tools[1].function.arguments.query }}', 'evald'),
      ],
    });
    const directives = ['[[fake:hosted=mcp_call:get_weather({"city":"Paris"})]]', '[[fake:hosted=web_search_call(evald)]]',
      ...kinds.slice(2).map((k) => `[[fake:hosted=${k}]]`)].join(' ');
    const run = await client.evals.runs.create(ev.id, { data_source: {
      type: 'responses', model: 'gpt-4.1', source: rows({ q: 'weather' }),
      input_messages: template({ role: 'user', content: `{{ item.q }} ${directives}` }),
      sampling_params: { tools: [{ type: 'web_search_preview' }, { type: 'mcp', server_label: 'fake', server_url: 'https://mcp.example' }] as never },
    } });
    const { run: done, items } = await runItems(ev.id, run.id);
    expect(done.result_counts).toEqual({ total: 1, passed: 1, failed: 0, errored: 0 });
    const sample = items[0]!.sample as any;
    expect(sample.output_tools.map((t: any) => t.type)).toEqual(kinds);
    for (const tool of sample.output_tools) expect(tool).toEqual({ id: expect.any(String), type: expect.any(String), function: { name: expect.any(String), arguments: expect.any(String) } });
    expect(sample.output.slice(1).map((o: any) => o.type)).toEqual(kinds);
    expect(sample.output[1]).toMatchObject({ type: 'mcp_call', server_label: 'fake', output: 'fake mcp output' });
    expect(requestsTo('/responses').at(-1)!.tools).toHaveLength(2);
  });

  it('4. takes modalities and audio on a completions run: echoed, sent upstream, the answer in sample.output_audio', async () => {
    const ev = await client.evals.create({
      name: 'audio', data_source_config: custom(),
      testing_criteria: [check('transcript', '{{ sample.output_audio.transcript }}', 'Oui.'), check('text', '{{ sample.output_text }}', 'Oui.'),
        py('wav', 'import base64\ndef grade(sample, item):\n    return 1.0 if base64.b64decode(sample["output_audio"]["data"])[:4] == b"RIFF" else 0.0\n')],
    });
    const dataSource = {
      type: 'completions', model: 'gpt-4o-audio-preview', modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' },
      source: rows({ q: 'oui?' }), input_messages: template({ role: 'user', content: '{{ item.q }} [[fake:reply=Oui.]]' }),
    };
    const run = await client.evals.runs.create(ev.id, { data_source: dataSource as never });
    expect(run.data_source).toMatchObject({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } });
    const { run: done, items } = await runItems(ev.id, run.id);
    expect((await client.evals.runs.retrieve(run.id, { eval_id: ev.id })).data_source).toMatchObject({ modalities: ['text', 'audio'] });
    expect(done.result_counts).toEqual({ total: 1, passed: 1, failed: 0, errored: 0 });
    expect(requestsTo('/chat/completions').at(-1)).toMatchObject({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } });
    expect((items[0]!.sample as any).output_audio).toEqual({ data: expect.any(String), transcript: 'Oui.' });
    const missing = await client.evals.runs.create(ev.id, { data_source: { ...dataSource, audio: undefined } as never }).catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing.param).toBe('data_source.audio');
  });

  it('5. records sample.input[].content as a string, keeping the parts in rendered_input', async () => {
    const ev = await client.evals.create({
      name: 'image-input', data_source_config: custom(),
      testing_criteria: [py('parts', 'def grade(sample, item):\n    return 1.0 if sample["rendered_input"][0]["content"][1]["type"] == "input_image" else 0.0\n')],
    });
    const run = await client.evals.runs.create(ev.id, { data_source: {
      type: 'completions', model: 'gpt-4o-mini', source: rows({ q: 'cat' }),
      input_messages: template({ role: 'user', content: [{ type: 'input_text', text: 'Describe the {{ item.q }}' }, { type: 'input_image', image_url: 'https://img.example/{{ item.q }}.png' }] }),
    } });
    const { run: done, items } = await runItems(ev.id, run.id);
    expect(done.result_counts.passed).toBe(1);
    expect(items[0]!.sample.input).toEqual([{ role: 'user', content: 'Describe the cat\n<image>https://img.example/cat.png</image>' }]);
  });

  it('6. gives a model grader\'s results[].sample the keys OpenAI\'s carry, image parts flattened', async () => {
    const ev = await client.evals.create({
      name: 'judge-sample', data_source_config: custom(),
      testing_criteria: [{
        type: 'score_model', name: 'judge', model: 'gpt-4o-mini', sampling_params: { temperature: 0.5, seed: 3, max_completions_tokens: 200 },
        input: [{ role: 'system', content: 'Judge.' }, { role: 'user', content: [{ type: 'input_text', text: 'Answer: {{ sample.output_text }} [[fake:score=0.9]]' }, { type: 'input_image', image_url: 'https://img.example/x.png' }] }],
      }] as never,
    });
    const run = await client.evals.runs.create(ev.id, { data_source: { type: 'jsonl', source: { type: 'file_content', content: [{ item: { q: 'x' }, sample: { output_text: 'yes' } }] } } });
    const { items } = await runItems(ev.id, run.id);
    const sample = items[0]!.results[0]!.sample as Record<string, unknown>;
    expect(Object.keys(sample).sort()).toEqual(['error', 'finish_reason', 'input', 'max_completions_tokens', 'model', 'output', 'reasoning_effort', 'seed', 'steps', 'temperature', 'top_p', 'usage']);
    expect(sample).toMatchObject({
      input: [{ role: 'system', content: 'Judge.' }, { role: 'user', content: 'Answer: yes [[fake:score=0.9]]\n<image>https://img.example/x.png</image>' }],
      output: [{ role: 'assistant', content: expect.stringContaining('"result":0.9') }], finish_reason: 'stop', model: expect.stringMatching(/^gpt-4o-mini/),
      error: null, seed: 3, temperature: 0.5, top_p: null, reasoning_effort: null, max_completions_tokens: 200, steps: expect.any(Array),
    });
  });

  it('7. sends no seed and records seed: null when the run sets none; sends and records one it sets', async () => {
    const ev = await client.evals.create({ name: 'seed', data_source_config: custom(), testing_criteria: [check('any', '{{ sample.output_text }}', 'x', 'like')] });
    const ds = (sampling_params: Record<string, unknown> | undefined) => ({
      type: 'completions' as const, model: 'gpt-4o-mini', source: rows({ q: 'x' }), input_messages: template({ role: 'user', content: 'say {{ item.q }}' }), sampling_params,
    });
    const unset = await runItems(ev.id, (await client.evals.runs.create(ev.id, { data_source: ds(undefined) })).id);
    expect(unset.items[0]!.sample.seed).toBeNull();
    expect(requestsTo('/chat/completions').at(-1)).not.toHaveProperty('seed');
    const set = await runItems(ev.id, (await client.evals.runs.create(ev.id, { data_source: ds({ seed: 5 }) })).id);
    expect(set.items[0]!.sample.seed).toBe(5);
    expect(requestsTo('/chat/completions').at(-1)!.seed).toBe(5);
  });

  it('8. refuses python that does not compile or defines no grade, at evals.create and graders/validate', async () => {
    const broken = await client.evals.create({
      name: 'py-broken', data_source_config: custom(),
      testing_criteria: [check('ok', 'a', 'a'), py('bad', 'import math\ndef grade(sample, item)\n    return 1\n')],
    }).catch((e) => e);
    expect(broken).toBeInstanceOf(OpenAI.BadRequestError);
    expect(broken.param).toBe('testing_criteria[1].source');
    expect(broken.message).toMatch(/line 2: SyntaxError: .*\n\s+def grade\(sample, item\)/);
    const nameless = await client.evals.create({ name: 'py-nameless', data_source_config: custom(), testing_criteria: [py('none', 'def score(s, i):\n    return 1\n')] }).catch((e) => e);
    expect(nameless.param).toBe('testing_criteria[0].source');
    expect(nameless.message).toMatch(/defines no grade function/);
    const validate = await client.fineTuning.alpha.graders.validate({ grader: py('v', 'def grade(s, i):\n  return (1\n') }).catch((e) => e);
    expect(validate).toBeInstanceOf(OpenAI.BadRequestError);
    expect(validate.param).toBe('grader.source');
    expect(validate.message).toMatch(/line \d+/);
    const multi = await client.fineTuning.alpha.graders.validate({ grader: { type: 'multi', name: 'm', calculate_output: 'a', graders: { a: py('a', 'x = 1\n') } } as never }).catch((e) => e);
    expect(multi.param).toBe('grader.graders.a.source');
    expect((await client.fineTuning.alpha.graders.validate({ grader: py('fine', 'def grade(s, i):\n    return 1\n') })).grader).toMatchObject({ type: 'python' });
  });
});

describe('issue 14.2: templates that cannot render are refused at create', () => {
  const closed = { type: 'object', properties: { q: { type: 'string' }, a: { type: 'string' } }, required: ['q'], additionalProperties: false };
  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a 400'); }, (e) => e as InstanceType<typeof OpenAI.BadRequestError>);

  it('refuses unknown namespaces, malformed braces and item keys a closed schema forbids; sample.* always passes', async () => {
    const evalWith = (input: string, schema: Record<string, unknown> = closed) =>
      client.evals.create({ name: 't', data_source_config: custom(false, schema), testing_criteria: [check('c', '{{ item.q }}', 'x'), check('t', input, 'x')] });
    for (const [input, message] of [['{{ itme.q }}', /namespace 'itme'/], ['{{ item.q', /never closed/], ['{{ }}', /not a variable/], ['{{ item.nope }}', /no property 'nope'/]] as const) {
      const e = await refusal(evalWith(input));
      expect(e).toBeInstanceOf(OpenAI.BadRequestError);
      expect({ input, param: e.param }).toEqual({ input, param: 'testing_criteria[1].input' });
      expect(e.message).toMatch(message);
    }
    expect((await evalWith('{{ item.nope }}', openSchema)).id).toMatch(/^eval_/);
    const ok = await evalWith('{{ sample.output_text }} {{ sample.anything[0].at.all }}');
    const judge = await refusal(client.evals.create({ name: 'j', data_source_config: custom(false, closed),
      testing_criteria: [{ type: 'label_model', name: 'l', model: 'm', labels: ['a'], passing_labels: ['a'], input: [{ role: 'user', content: 'x' }, { role: 'user', content: 'Is {{ item.answer }} right?' }] }] }));
    expect(judge.param).toBe('testing_criteria[0].input[1].content.text');

    const runWith = (input_messages: unknown) => refusal(client.evals.runs.create(ok.id, { data_source: { type: 'completions', model: 'gpt-4o-mini', source: rows({ q: 'x' }), input_messages } as never }));
    const run1 = await runWith(template({ role: 'system', content: 'hi' }, { role: 'user', content: 'Q: {{ item.question }}' }));
    expect(run1.param).toBe('data_source.input_messages.template[1].content.text');
    expect(run1.message).toMatch(/no property 'question'/);
    expect((await runWith(template({ role: 'user', content: '{{ sample.output_text }}' }))).message).toMatch(/before there is a sample/);
    expect((await runWith({ type: 'item_reference', item_reference: 'item.messages' })).param).toBe('data_source.input_messages.item_reference');
  });
});
