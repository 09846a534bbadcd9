import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../fake-upstream/index.js';
import { ProviderRouter } from '../../providers/registry.js';
import { sampleItem, type CompletionsDataSource, type ResponsesDataSource } from './index.js';

let fake: FakeUpstream;
let router: ProviderRouter;
beforeAll(async () => {
  fake = await startFakeUpstream();
  router = ProviderRouter.fromEnv({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-sampling' }, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
});
afterAll(async () => {
  await router.close();
  await fake.close();
});
afterEach(() => fake.stats.reset());

const signal = () => new AbortController().signal;
const lastBody = () => fake.stats.recent.at(-1)!.body as Record<string, unknown>;

function completions(template: CompletionsDataSource['input_messages'], sampling_params: CompletionsDataSource['sampling_params'] = null): CompletionsDataSource {
  return { type: 'completions', model: 'gpt-4o-mini', input_messages: template, sampling_params, source: { type: 'file_content', content: [] } };
}
function responses(template: ResponsesDataSource['input_messages'], sampling_params: ResponsesDataSource['sampling_params'] = null): ResponsesDataSource {
  return { type: 'responses', model: 'gpt-4.1', input_messages: template, sampling_params };
}
const tpl = (...template: Array<{ role: string; content: unknown }>) =>
  ({ type: 'template', template: template.map((m) => ({ type: 'message', ...m })) }) as CompletionsDataSource['input_messages'];

describe('sampleItem — completions', () => {
  it('renders the template against the item and records the sample', async () => {
    const sample = await sampleItem(
      completions(tpl({ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: { type: 'input_text', text: 'Capital of {{ item.country }}?' } }), { temperature: 0.2, max_completion_tokens: 50, seed: 7 }),
      { country: 'France' },
      router,
      signal(),
    );
    expect(sample).toMatchObject({
      input: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Capital of France?' }],
      output: [{ role: 'assistant', content: 'Capital of France?' }],
      finish_reason: 'stop',
      model: 'gpt-4o-mini-2024-07-18',
      error: null,
      temperature: 0.2,
      top_p: 1,
      seed: 7,
      max_completion_tokens: 50,
      output_text: 'Capital of France?',
      output_tools: [],
      choices: [{ index: 0, message: { role: 'assistant', content: 'Capital of France?' }, finish_reason: 'stop' }],
    });
    expect(sample).not.toHaveProperty('output_json');
    expect(sample.usage.total_tokens).toBe(sample.usage.prompt_tokens + sample.usage.completion_tokens);
    expect(lastBody()).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_completion_tokens: 50, seed: 7 });
    expect(lastBody()).not.toHaveProperty('top_p');
  });

  it('sends content parts in chat form, rendering every text, and accepts max_completions_tokens', async () => {
    const sample = await sampleItem(
      completions(
        tpl(
          { role: 'user', content: [{ type: 'input_text', text: 'Describe {{item.name}}' }, { type: 'input_image', image_url: '{{item.url}}', detail: 'low' }, { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }] },
          { role: 'assistant', content: { type: 'output_text', text: 'It is {{item.name}}.' } },
          { role: 'user', content: 'More.' },
        ),
        { max_completions_tokens: 30 },
      ),
      { name: 'a cat', url: 'https://img/cat.png' },
      router,
      signal(),
    );
    expect(sample.error).toBeNull();
    expect(sample.max_completion_tokens).toBe(30);
    expect(lastBody().max_completion_tokens).toBe(30);
    expect(lastBody().messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe a cat' },
          { type: 'image_url', image_url: { url: 'https://img/cat.png', detail: 'low' } },
          { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
        ],
      },
      { role: 'assistant', content: 'It is a cat.' },
      { role: 'user', content: 'More.' },
    ]);
    expect(sample.input[0]!.content).toBe('Describe a cat\n<image>https://img/cat.png</image>\n<audio>');
    expect(sample.rendered_input![0]!.content).toEqual([
      { type: 'input_text', text: 'Describe a cat' },
      { type: 'input_image', image_url: 'https://img/cat.png', detail: 'low' },
      { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
    ]);
    expect(sample.input[1]).toEqual({ role: 'assistant', content: 'It is a cat.' });
    expect(sample.seed).toBeNull();
    expect(lastBody()).not.toHaveProperty('seed');
  });

  it('takes the messages from the item with item_reference, sent as data (not rendered)', async () => {
    const item = { convo: [{ role: 'user', content: 'Hi {{item.x}}' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Bye' }] };
    const sample = await sampleItem(completions({ type: 'item_reference', item_reference: 'item.convo' }), item, router, signal());
    expect(sample.error).toBeNull();
    expect(sample.input.map((m) => m.content)).toEqual(['Hi {{item.x}}', 'Hello', 'Bye']);
    expect(sample.output_text).toBe('Bye');
  });

  it('errors the item (without throwing) when item_reference is not a message list', async () => {
    for (const item of [{ convo: 'just text' }, { convo: [{ content: 'no role' }] }, {}]) {
      const sample = await sampleItem(completions({ type: 'item_reference', item_reference: 'item.convo' }), item, router, signal());
      expect(sample.error?.code).toBe('invalid_input_messages');
      expect(sample.error?.message).toMatch(/item\.convo/);
      expect(sample.output).toEqual([]);
    }
    expect(fake.stats.requests).toBe(0);
  });

  it('errors the item on an unknown template variable', async () => {
    const sample = await sampleItem(completions(tpl({ role: 'user', content: '{{item.missing}}' })), { other: 1 }, router, signal());
    expect(sample.error).toEqual({ code: 'invalid_variable', message: expect.stringMatching(/item\.missing/) });
  });

  it('records tool calls in chat-completions shape', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const sample = await sampleItem(completions(tpl({ role: 'user', content: 'Weather? [[fake:tool=get_weather({"city":"Paris"})]]' }), { tools }), {}, router, signal());
    expect(lastBody().tools).toEqual(tools);
    expect(sample.finish_reason).toBe('tool_calls');
    expect(sample.output_tools).toEqual([{ id: expect.any(String), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    expect(sample.choices[0]!.message.tool_calls).toEqual(sample.output_tools);
    expect(sample.output[0]!.tool_calls).toEqual(sample.output_tools);
    expect(sample.output_text).toBe('');
  });

  it('parses JSON output into output_json and passes response_format through', async () => {
    const response_format = { type: 'json_schema', json_schema: { name: 'r', strict: true, schema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] } } };
    const sample = await sampleItem(completions(tpl({ role: 'user', content: 'rate [[fake:score=0.25;cached=4]]' }), { response_format }), {}, router, signal());
    expect(lastBody().response_format).toEqual(response_format);
    expect(sample.output_json).toEqual({ score: 0.25 });
    expect(sample.usage.cached_tokens).toBe(4);
  });

  it('reports a truncated answer as finish_reason length', async () => {
    const sample = await sampleItem(completions(tpl({ role: 'user', content: 'a long long long long long long long answer please' }), { max_completion_tokens: 2 }), {}, router, signal());
    expect(sample.finish_reason).toBe('length');
  });

  it('rides out transient failures, and records a final failure as the item error', async () => {
    const ok = await sampleItem(completions(tpl({ role: 'user', content: 'retry me [[fake:429x1;500x1;dropx1]]' })), {}, router, signal());
    expect(ok.error).toBeNull();
    const failed = await sampleItem(completions(tpl({ role: 'user', content: 'hopeless [[fake:400]]' })), {}, router, signal());
    expect(failed).toMatchObject({ error: { code: 'invalid_request_error', message: expect.stringMatching(/HTTP 400/) }, output: [], model: 'gpt-4o-mini' });
  });

  it('errors the item when the data source has no model or no input_messages', async () => {
    expect((await sampleItem({ ...completions(tpl({ role: 'user', content: 'x' })), model: null }, {}, router, signal())).error?.code).toBe('invalid_data_source');
    expect((await sampleItem(completions(null), {}, router, signal())).error?.code).toBe('invalid_input_messages');
  });
});

describe('sampleItem — audio output and hosted tools', () => {
  it('passes modalities and audio upstream and records the audio answer, its transcript as output_text', async () => {
    const ds = { ...completions(tpl({ role: 'user', content: 'Say [[fake:reply=Bonjour.]]' })), modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } };
    const sample = await sampleItem(ds, {}, router, signal());
    expect(lastBody()).toMatchObject({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } });
    expect(sample.error).toBeNull();
    expect(sample.output_audio).toEqual({ data: expect.any(String), transcript: 'Bonjour.' });
    expect(sample.output_text).toBe('Bonjour.');
    expect(sample.output).toEqual([{ role: 'assistant', content: 'Bonjour.' }]);
    expect(sample.choices[0]!.message.audio).toMatchObject({ transcript: 'Bonjour.', data: sample.output_audio!.data });
  });
  it('puts hosted tool calls in output_tools and their items in output', async () => {
    const sample = await sampleItem(responses(tpl({ role: 'user', content: 'search [[fake:hosted=web_search_call(cats)]] [[fake:hosted=mcp_call:lookup({"q":"x"})]] [[fake:reply=done]]' })), {}, router, signal());
    expect(sample.output_tools).toEqual([
      { id: expect.stringMatching(/^ws_/), type: 'web_search_call', function: { name: 'web_search', arguments: expect.stringContaining('"query":"cats"') } },
      { id: expect.stringMatching(/^mcp_/), type: 'mcp_call', function: { name: 'lookup', arguments: '{"q":"x"}' } },
    ]);
    expect(sample.output.map((o) => (o as { type?: string; role?: string }).type ?? o.role)).toEqual(['assistant', 'web_search_call', 'mcp_call']);
    expect(sample.finish_reason).toBe('stop');
    expect(sample.output_text).toBe('done');
    expect(sample.choices[0]!.message).not.toHaveProperty('tool_calls');
  });
});

describe('sampleItem — responses', () => {
  it('sends Responses input (no seed), folds the output into a chat-shaped sample', async () => {
    const sample = await sampleItem(
      responses(
        tpl(
          { role: 'developer', content: 'Be terse.' },
          { role: 'user', content: [{ type: 'input_text', text: 'Look at {{item.what}}' }, { type: 'input_image', image_url: 'https://img/{{item.what}}.png' }] },
          { role: 'assistant', content: { type: 'output_text', text: 'Looking.' } },
          { role: 'user', content: 'And?' },
        ),
        { temperature: 0.5, seed: 3, max_completion_tokens: 100, reasoning_effort: 'low' },
      ),
      { what: 'dog' },
      router,
      signal(),
    );
    expect(sample.error).toBeNull();
    expect(lastBody()).toMatchObject({
      model: 'gpt-4.1',
      temperature: 0.5,
      max_output_tokens: 100,
      reasoning: { effort: 'low' },
      input: [
        { type: 'message', role: 'developer', content: 'Be terse.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look at dog' }, { type: 'input_image', image_url: 'https://img/dog.png', detail: 'auto' }] },
        { type: 'message', role: 'assistant', content: 'Looking.' },
        { type: 'message', role: 'user', content: 'And?' },
      ],
    });
    expect(lastBody()).not.toHaveProperty('seed');
    expect(sample).toMatchObject({ output_text: 'And?', model: 'gpt-4.1-2024-07-18', finish_reason: 'stop', seed: 3, temperature: 0.5, max_completion_tokens: 100 });
    expect(sample.choices[0]!.message.content).toBe('And?');
    expect(sample.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('passes text.format through and parses the JSON answer', async () => {
    const format = { type: 'json_schema', name: 'verdict', schema: { type: 'object', properties: { verdict: { type: 'string', enum: ['yes', 'no'] } }, required: ['verdict'] } };
    const sample = await sampleItem(responses(tpl({ role: 'user', content: 'ok? [[fake:label=no]]' }), { text: { format } }), {}, router, signal());
    expect(lastBody().text).toEqual({ format });
    expect(sample.output_json).toEqual({ verdict: 'no' });
  });

  it('turns function_call outputs into chat-shaped output_tools', async () => {
    const tools = [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }];
    const sample = await sampleItem(responses(tpl({ role: 'user', content: 'find it [[fake:tool=lookup({"q":"x"})]]' }), { tools }), {}, router, signal());
    expect(sample.finish_reason).toBe('tool_calls');
    expect(sample.output_tools).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }]);
  });

  it('maps a tool-using trajectory from item_reference to function_call items', async () => {
    const convo = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'user', content: 'so?' },
    ];
    const sample = await sampleItem(responses({ type: 'item_reference', item_reference: 'item.convo' }), { convo }, router, signal());
    expect(sample.error).toBeNull();
    expect(lastBody().input).toEqual([
      { type: 'message', role: 'user', content: 'weather?' },
      { type: 'function_call', call_id: 'call_1', name: 'w', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { type: 'message', role: 'user', content: 'so?' },
    ]);
  });

  it('reports max_output_tokens truncation as finish_reason length', async () => {
    const sample = await sampleItem(responses(tpl({ role: 'user', content: 'word '.repeat(200) }), { max_completion_tokens: 16 }), {}, router, signal());
    expect(sample.finish_reason).toBe('length');
  });
});

describe('sampleItem — failures and cancellation', () => {
  it('gives a sample with an error, not a throw, when the provider is unreachable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dead = ProviderRouter.fromEnv({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` }, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    try {
      const sample = await sampleItem(completions(tpl({ role: 'user', content: 'anyone?' })), {}, dead, signal());
      expect(sample.error).toMatchObject({ code: 'provider_unreachable', message: expect.stringMatching(/unreachable.*gave up after 3 attempts/) });
      expect(sample.input).toEqual([{ role: 'user', content: 'anyone?' }]);
      expect(sample.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 });
    } finally {
      await dead.close();
    }
  });

  it('rejects with the abort reason when the run is canceled mid-call', async () => {
    const controller = new AbortController();
    const pending = sampleItem(completions(tpl({ role: 'user', content: 'slow [[fake:delay=10000]]' })), {}, router, controller.signal);
    setTimeout(() => controller.abort(new Error('run canceled')), 30);
    await expect(pending).rejects.toThrow('run canceled');
  });
});
