import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.js';
import type { ProviderConfig } from './config.js';
import { ProviderError } from './provider.js';
import { ProviderRouter } from './registry.js';

const SECRET = 'sk-proj-DO-NOT-LEAK-0123456789';
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };
let openai: FakeUpstream;
let local: FakeUpstream;

beforeAll(async () => {
  [openai, local] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), local.close()]);
});

function config(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    defaultProvider: { name: 'default', baseUrl: openai.url, apiKey: SECRET, models: ['**'], maxConcurrency: 4, timeoutMs: 5000, embeddingModel: undefined },
    providers: [
      { name: 'local', baseUrl: local.url, apiKey: 'local-key-123', models: ['llama*', 'qwen*', 'meta-llama/*'], maxConcurrency: 2, timeoutMs: 5000, embeddingModel: undefined },
    ],
    embeddingModel: undefined,
    ...overrides,
  };
}

const ask = (router: ProviderRouter, model: string, prompt = 'hi') =>
  router.chat({ model, messages: [{ role: 'user', content: prompt }] }, new AbortController().signal);

/** A port that was free a moment ago and has nobody listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ProviderRouter routing', () => {
  it('sends a model to the first provider whose globs match, else to the default', async () => {
    const router = new ProviderRouter(config(), fast);
    try {
      expect(router.route('llama-3.1-8b').name).toBe('local');
      expect(router.route('qwen2.5').name).toBe('local');
      expect(router.route('meta-llama/Llama-3-8B').name).toBe('local');
      expect(router.route('gpt-4o-mini').name).toBe('default');
      expect(router.route('mistral').name).toBe('default');

      const before = { openai: openai.stats.requests, local: local.stats.requests };
      await ask(router, 'llama-3.1-8b');
      await ask(router, 'gpt-4o-mini');
      await ask(router, 'gpt-4o-mini');
      expect(local.stats.requests - before.local).toBe(1);
      expect(openai.stats.requests - before.openai).toBe(2);
    } finally {
      await router.close();
    }
  });

  it('lets `*` cross a slash in model names, and the first matching provider wins', () => {
    const router = new ProviderRouter(
      config({
        providers: [
          { ...config().providers[0]!, name: 'first', models: ['*llama*'] },
          { ...config().providers[0]!, name: 'second', models: ['*'] },
        ],
      }),
      fast,
    );
    expect(router.route('org/llama-70b').name).toBe('first');
    expect(router.route('org/anything').name).toBe('second');
    return router.close();
  });

  it('sends each provider its own key as a bearer token', async () => {
    const router = new ProviderRouter(config(), fast);
    try {
      await ask(router, 'qwen-7b');
      await ask(router, 'gpt-4o');
      expect(local.stats.authorizations).toContain('Bearer local-key-123');
      expect(openai.stats.authorizations).toContain(`Bearer ${SECRET}`);
      expect(local.stats.authorizations).not.toContain(`Bearer ${SECRET}`);
    } finally {
      await router.close();
    }
  });

  it('sends no Authorization header when a provider has no key', async () => {
    const router = new ProviderRouter(config({ providers: [{ ...config().providers[0]!, apiKey: undefined }] }), fast);
    local.stats.reset();
    try {
      await ask(router, 'llama3');
      expect(local.stats.authorizations).toEqual(['']);
    } finally {
      await router.close();
    }
  });

  it('builds from the environment, including a YAML file through EVALD_CONFIG with api_key_env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evald-router-'));
    const path = join(dir, 'providers.yml');
    writeFileSync(path, `providers:\n  - name: gpu\n    base_url: ${local.url}\n    api_key_env: GPU_KEY\n    models: ["qwen*"]\n`);
    const router = ProviderRouter.fromEnv({ OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: SECRET, EVALD_CONFIG: path, GPU_KEY: 'gpu-key-456' }, fast);
    local.stats.reset();
    try {
      expect(router.route('gpt-4o').baseUrl).toBe(openai.url);
      expect(router.route('qwen3').name).toBe('gpu');
      expect((await ask(router, 'qwen3', 'ping')).choices[0]?.message.content).toBe('ping');
      expect(local.stats.authorizations).toEqual(['Bearer gpu-key-456']);
    } finally {
      await router.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('API keys never leak', () => {
  it('redacts a key the upstream echoes in its error, and keeps it out of inspect()', async () => {
    const strict = await startFakeUpstream({ apiKey: 'the-right-key' });
    const router = new ProviderRouter(config({ defaultProvider: { ...config().defaultProvider, baseUrl: strict.url } }), fast);
    try {
      const err = await ask(router, 'gpt-4o').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ kind: 'fatal', status: 401, code: 'invalid_api_key' });
      const text = `${(err as Error).message} ${(err as Error).stack} ${inspect(err, { depth: 5 })} ${JSON.stringify(err)}`;
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(SECRET);
      expect(inspect(router, { depth: 10, showHidden: true })).not.toContain(SECRET);
      expect(inspect(router.providers, { depth: 10 })).not.toContain(SECRET);
      expect(JSON.stringify(router.providers)).not.toContain(SECRET);
    } finally {
      await router.close();
      await strict.close();
    }
  });

  it('keeps keys out of network error messages too', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}/v1`;
    const router = new ProviderRouter(config({ defaultProvider: { ...config().defaultProvider, baseUrl: base } }), fast);
    try {
      const err = (await ask(router, 'gpt-4o').catch((e: unknown) => e)) as Error;
      expect(`${err.message} ${inspect(err)}`).not.toContain(SECRET);
    } finally {
      await router.close();
    }
  });
});

describe('unreachable providers', () => {
  it('classifies a refused connection as unreachable and gives up after a few tries', async () => {
    const port = await closedPort();
    const router = new ProviderRouter(config({ defaultProvider: { ...config().defaultProvider, baseUrl: `http://127.0.0.1:${port}/v1` } }), fast);
    try {
      const err = await ask(router, 'gpt-4o').catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'unreachable', code: 'provider_unreachable', attempts: 3 });
      expect((err as Error).message).toMatch(/provider default is unreachable \(ECONNREFUSED\)/);
    } finally {
      await router.close();
    }
  });
});
