import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProviderConfig, ProviderConfigError } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'evald-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const SECRET = 'sk-proj-SUPERSECRET0123456789';

const failure = (env: Record<string, string>): Error => {
  try {
    loadProviderConfig(env);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected loadProviderConfig to throw');
};

describe('loadProviderConfig', () => {
  it('defaults to api.openai.com with OPENAI_API_KEY, 16 concurrent calls and a 120 s timeout', () => {
    const config = loadProviderConfig({ OPENAI_API_KEY: SECRET });
    expect(config.providers).toEqual([]);
    expect(config.defaultProvider).toMatchObject({ name: 'default', baseUrl: 'https://api.openai.com/v1', apiKey: SECRET, maxConcurrency: 16, timeoutMs: 120_000 });
  });

  it('reads OPENAI_BASE_URL, EVALD_CONCURRENCY and EVALD_TIMEOUT_MS', () => {
    const config = loadProviderConfig({ OPENAI_BASE_URL: 'http://localhost:8000/v1', EVALD_CONCURRENCY: '4', EVALD_TIMEOUT_MS: '5000' });
    expect(config.defaultProvider).toMatchObject({ baseUrl: 'http://localhost:8000/v1', apiKey: undefined, maxConcurrency: 4, timeoutMs: 5000 });
    expect(() => loadProviderConfig({ EVALD_CONCURRENCY: 'many' })).toThrow(/EVALD_CONCURRENCY must be a positive integer/);
  });

  it('adds providers from a JSON file, in order, with defaults from the environment', () => {
    const path = file('providers.json', JSON.stringify({
      embedding_model: 'nomic-embed-text',
      providers: [
        { name: 'local', base_url: 'http://127.0.0.1:8000/v1', models: ['llama*', 'qwen*'], max_concurrency: 2, timeout_ms: 9000, embedding_model: 'nomic' },
        { name: 'together', base_url: 'https://api.together.xyz/v1', api_key: SECRET, models: ['mistralai/*'] },
      ],
    }));
    const config = loadProviderConfig({ EVALD_CONFIG: path, EVALD_CONCURRENCY: '6' });
    expect(config.embeddingModel).toBe('nomic-embed-text');
    expect(config.providers.map((p) => p.name)).toEqual(['local', 'together']);
    expect(config.providers[0]).toMatchObject({ maxConcurrency: 2, timeoutMs: 9000, apiKey: undefined, embeddingModel: 'nomic' });
    expect(config.providers[1]).toMatchObject({ maxConcurrency: 6, timeoutMs: 120_000, apiKey: SECRET });
  });

  it('reads YAML (by extension or by content) and takes keys from api_key_env', () => {
    const yaml = `providers:\n  - name: vllm\n    base_url: http://gpu-box:8000/v1\n    api_key_env: VLLM_KEY\n    models: ["llama*"]\n`;
    for (const path of [file('providers.yaml', yaml), file('providers.conf', yaml)]) {
      const config = loadProviderConfig({ EVALD_CONFIG: path, VLLM_KEY: SECRET });
      expect(config.providers[0]).toMatchObject({ name: 'vllm', baseUrl: 'http://gpu-box:8000/v1', apiKey: SECRET, models: ['llama*'] });
    }
  });

  it('names the missing environment variable of api_key_env', () => {
    const path = file('env.yaml', 'providers:\n  - {name: a, base_url: "http://x/v1", api_key_env: A_KEY, models: ["a*"]}\n');
    expect(failure({ EVALD_CONFIG: path }).message).toMatch(/A_KEY, which is not set/);
  });

  it('rejects invalid files with the path of each offending field', () => {
    const path = file('bad.json', JSON.stringify({
      providers: [{ name: 'x', base_url: 'ftp://nope', api_key: SECRET, models: [], max_concurrency: 0, colour: 'red' }],
    }));
    const err = failure({ EVALD_CONFIG: path });
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect(err.message).toMatch(/providers\[0\]\.base_url: must be an http\(s\) URL/);
    expect(err.message).toMatch(/providers\[0\]\.models/);
    expect(err.message).toMatch(/providers\[0\]\.max_concurrency/);
    expect(err.message).toMatch(/unknown field "colour"/);
    expect(err.message).not.toContain(SECRET);
  });

  it('rejects both api_key and api_key_env, duplicate names, and a missing file', () => {
    const both = file('both.yaml', `providers:\n  - {name: a, base_url: "http://x/v1", api_key: ${SECRET}, api_key_env: K, models: ["a"]}\n`);
    expect(failure({ EVALD_CONFIG: both, K: 'k' }).message).toMatch(/not both/);
    const dup = file('dup.yaml', 'providers:\n  - {name: a, base_url: "http://x/v1", models: ["a"]}\n  - {name: a, base_url: "http://y/v1", models: ["b"]}\n');
    expect(failure({ EVALD_CONFIG: dup }).message).toMatch(/"a" is used twice/);
    expect(failure({ EVALD_CONFIG: join(dir, 'missing.yaml') }).message).toMatch(/cannot be read \(ENOENT\)/);
  });

  it('never quotes the file in a syntax error, so a key on the broken line stays secret', () => {
    const json = file('broken.json', `{"providers":[{"name":"a","api_key":"${SECRET}" "base_url":"http://x"}]}`);
    const yaml = file('broken.yaml', `providers:\n  - name: a\n    api_key: ${SECRET}: oops\n`);
    for (const path of [json, yaml]) {
      const err = failure({ EVALD_CONFIG: path });
      expect(err.message).toMatch(/is not valid (JSON|YAML)/);
      expect(err.message).not.toContain(SECRET);
    }
  });

  it('does not echo an unknown key that looks like a pasted secret', () => {
    const path = file('pasted.yaml', `providers:\n  - name: a\n    base_url: http://x/v1\n    models: [a]\n    ${SECRET}: true\n`);
    const err = failure({ EVALD_CONFIG: path });
    expect(err.message).toMatch(/a key not shown/);
    expect(err.message).not.toContain(SECRET);
  });
});
