import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.js';
import { GradeError } from '../graders/grader.js';
import type { ProviderConfig } from './config.js';
import { createModelAccess } from './model-access.js';
import { ProviderRouter } from './registry.js';

let fake: FakeUpstream;
let local: FakeUpstream;
beforeAll(async () => {
  [fake, local] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
});
afterAll(async () => {
  await Promise.all([fake.close(), local.close()]);
});

const signal = () => new AbortController().signal;
const settings = (url: string) => ({ baseUrl: url, apiKey: 'sk-ma', models: ['**'], maxConcurrency: 4, timeoutMs: 5000, embeddingModel: undefined });
function router(overrides: Partial<ProviderConfig> = {}) {
  return new ProviderRouter(
    { defaultProvider: { name: 'default', ...settings(fake.url) }, providers: [], embeddingModel: undefined, ...overrides },
    { retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 1 } },
  );
}

const LABEL_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'label_result',
    strict: true,
    schema: {
      type: 'object',
      properties: {
        steps: { type: 'array', items: { type: 'object', properties: { description: { type: 'string' }, conclusion: { type: 'string' } }, required: ['description', 'conclusion'] } },
        result: { type: 'string', enum: ['bad', 'good', 'meh'] },
      },
      required: ['steps', 'result'],
      additionalProperties: false,
    },
  },
};

describe('createModelAccess', () => {
  it('chat returns structured output that follows the schema, with model and usage', async () => {
    const r = router();
    try {
      const access = createModelAccess(r);
      const answer = await access.chat(
        { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Label it.' }, { role: 'user', content: 'great work [[fake:label=good]]' }], response_format: LABEL_FORMAT, temperature: 0, seed: null },
        signal(),
      );
      expect(JSON.parse(answer.text!)).toEqual({ steps: [{ description: 'fake description', conclusion: 'fake conclusion' }], result: 'good' });
      expect(answer.refusal).toBeNull();
      expect(answer.model).toBe('gpt-4o-mini-2024-07-18');
      expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
      expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens + answer.usage.completion_tokens);
      const sent = fake.stats.recent.at(-1)!.body as Record<string, unknown>;
      expect(sent.response_format).toEqual(LABEL_FORMAT);
      expect(sent.temperature).toBe(0);
      expect(sent).not.toHaveProperty('seed');
    } finally {
      await r.close();
    }
  });

  it('accepts EvalItem and chat-completions content parts', async () => {
    const r = router();
    try {
      const access = createModelAccess(r);
      const answer = await access.chat(
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: [{ type: 'input_text', text: 'what is' }, { type: 'input_image', image_url: 'https://x/cat.png' }] },
            { role: 'assistant', content: { type: 'output_text', text: 'a cat' } },
            { role: 'user', content: [{ type: 'text', text: 'sure?' }] },
          ],
        },
        signal(),
      );
      expect(answer.text).toBe('sure?');
      const sent = fake.stats.recent.at(-1)!.body as { messages: unknown[] };
      expect(sent.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'what is' }, { type: 'image_url', image_url: { url: 'https://x/cat.png' } }] },
        { role: 'assistant', content: 'a cat' },
        { role: 'user', content: 'sure?' },
      ]);
    } finally {
      await r.close();
    }
  });

  it('reports a refusal separately from the text', async () => {
    const r = router();
    try {
      const answer = await createModelAccess(r).chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'nope [[fake:refuse]]' }], response_format: LABEL_FORMAT }, signal());
      expect(answer.text).toBeNull();
      expect(answer.refusal).toMatch(/can't help/);
    } finally {
      await r.close();
    }
  });

  it('turns a final upstream failure into a GradeError carrying the provider code', async () => {
    const r = router();
    try {
      const err = await createModelAccess(r).chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x [[fake:503]]' }] }, signal()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GradeError);
      expect(err).toMatchObject({ code: 'upstream_server_error' });
    } finally {
      await r.close();
    }
  });

  it('embeds in order, and related texts are closer than unrelated ones', async () => {
    const r = router();
    try {
      const { vectors, model, usage } = await createModelAccess(r).embed(
        { model: 'text-embedding-3-large', input: ['the cat sat on the mat', 'the cat sat on a mat', 'quarterly revenue grew'] },
        signal(),
      );
      const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
      expect(vectors).toHaveLength(3);
      expect(vectors[0]).toHaveLength(3072);
      expect(cos(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 6);
      expect(cos(vectors[0]!, vectors[1]!)).toBeGreaterThan(cos(vectors[0]!, vectors[2]!));
      expect(model).toBe('text-embedding-3-large');
      expect(usage.prompt_tokens).toBeGreaterThan(0);
    } finally {
      await r.close();
    }
  });

  it('uses the configured embedding model, routed like any model, and a provider may rename it', async () => {
    const r = router({
      embeddingModel: 'nomic-embed-text',
      providers: [{ name: 'local', ...settings(local.url), models: ['nomic*'], embeddingModel: 'nomic-embed-text:v1.5' }],
    });
    try {
      const { model } = await createModelAccess(r).embed({ model: 'text-embedding-3-large', input: ['a'] }, signal());
      expect(model).toBe('nomic-embed-text:v1.5');
      expect((local.stats.recent.at(-1)!.body as { model: string }).model).toBe('nomic-embed-text:v1.5');
    } finally {
      await r.close();
    }
  });
});
