import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelLayer } from './models.js';

const dir = mkdtempSync(join(tmpdir(), 'evald-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createModelLayer samplers', () => {
  it("carry the concurrency of the provider their model routes to, so the engine can size a run's items", () => {
    const config = join(dir, 'providers.json');
    writeFileSync(config, JSON.stringify({ providers: [{ name: 'local', base_url: 'http://127.0.0.1:9/v1', models: ['llama*'], max_concurrency: 8 }] }));
    const layer = createModelLayer(pino({ level: 'silent' }), { OPENAI_API_KEY: 'sk-x', EVALD_CONCURRENCY: '24', EVALD_CONFIG: config });
    expect(layer.createSampler({ type: 'completions', model: 'gpt-4o-mini' }).concurrency).toBe(24);
    expect(layer.createSampler({ type: 'completions', model: 'llama-3.1-8b' }).concurrency).toBe(8);
  });
});
