import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { ProviderSettings } from './provider.js';

/** Where each model goes: the configured providers in order, then the default (OPENAI_* env) upstream. */
export interface ProviderConfig {
  providers: ProviderSettings[];
  defaultProvider: ProviderSettings;
  /** Embedding model to use instead of the one a grader names (e.g. a local model for `cosine`). */
  embeddingModel: string | undefined;
}

/** A configuration mistake, reported at startup; its message never contains a key or file excerpt. */
export class ProviderConfigError extends Error {
  override name = 'ProviderConfigError';
}

/** The default upstream when OPENAI_BASE_URL is unset. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Concurrent calls per provider when EVALD_CONCURRENCY / max_concurrency is unset. */
export const DEFAULT_CONCURRENCY = 16;
/** Long enough for a slow reasoning model's non-streamed answer; short enough that a hung call is noticed. */
export const DEFAULT_TIMEOUT_MS = 120_000;

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const ProviderEntry = z
  .strictObject({
    name: z.string().min(1),
    base_url: httpUrl,
    api_key: z.string().min(1).optional(),
    api_key_env: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).min(1),
    max_concurrency: z.number().int().min(1).max(4096).optional(),
    timeout_ms: z.number().int().min(1).optional(),
    embedding_model: z.string().min(1).optional(),
    rpm: z.number().int().min(1).optional(),
    tpm: z.number().int().min(1).optional(),
  })
  .refine((p) => !(p.api_key !== undefined && p.api_key_env !== undefined), 'give api_key or api_key_env, not both');

const ConfigFile = z.strictObject({
  providers: z.array(ProviderEntry).default([]),
  embedding_model: z.string().min(1).optional(),
});

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number;
function positiveInt(env: Env, name: string, fallback: undefined): number | undefined;
function positiveInt(env: Env, name: string, fallback: number | undefined): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ProviderConfigError(`${name} must be a positive integer`);
  return value;
}

const formatPath = (path: PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';

// An unknown key is named only when it looks like a field name: a pasted key could sit in the key position.
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const shown = issue.keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(k) ? `"${k}"` : '(a key not shown)'));
  return `unknown field ${shown.join(', ')}`;
}

// Parser messages may quote the offending line, which may be the one holding a key: keep only positions.
function parseFile(file: string, text: string): unknown {
  const ext = extname(file).toLowerCase();
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text));
  try {
    return json ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    const where = json
      ? /position (\d+)/.exec(String((err as Error).message))?.[1]
      : (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const at = typeof where === 'string' ? ` at position ${where}` : where ? ` at line ${where.line}, column ${where.col}` : '';
    throw new ProviderConfigError(`EVALD_CONFIG ${file} is not valid ${json ? 'JSON' : 'YAML'}${at}`);
  }
}

/**
 * Reads the provider setup from the environment: OPENAI_BASE_URL / OPENAI_API_KEY / EVALD_CONCURRENCY /
 * EVALD_TIMEOUT_MS / EVALD_RPM / EVALD_TPM for the default upstream, plus the JSON or YAML file named by EVALD_CONFIG. Throws a
 * ProviderConfigError naming the offending field.
 */
export function loadProviderConfig(env: Env = process.env): ProviderConfig {
  const concurrency = positiveInt(env, 'EVALD_CONCURRENCY', DEFAULT_CONCURRENCY);
  const timeoutMs = positiveInt(env, 'EVALD_TIMEOUT_MS', DEFAULT_TIMEOUT_MS);
  const baseUrl = env.OPENAI_BASE_URL?.trim() || DEFAULT_BASE_URL;
  if (!httpUrl.safeParse(baseUrl).success) throw new ProviderConfigError('OPENAI_BASE_URL must be an http(s) URL');
  const defaultProvider: ProviderSettings = {
    name: 'default',
    baseUrl,
    apiKey: env.OPENAI_API_KEY?.trim() || undefined,
    models: ['**'],
    maxConcurrency: concurrency,
    timeoutMs,
    embeddingModel: undefined,
    rpm: positiveInt(env, 'EVALD_RPM', undefined),
    tpm: positiveInt(env, 'EVALD_TPM', undefined),
    keyVariable: 'OPENAI_API_KEY',
  };
  const file = env.EVALD_CONFIG?.trim();
  if (!file) return { providers: [], defaultProvider, embeddingModel: undefined };

  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProviderConfigError(`EVALD_CONFIG ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const parsed = ConfigFile.safeParse(parseFile(path, text) ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
    throw new ProviderConfigError(`EVALD_CONFIG ${path} is invalid: ${issues.join('; ')}`);
  }
  const names = new Set(['default']);
  const providers = parsed.data.providers.map((entry, index): ProviderSettings => {
    if (names.has(entry.name)) throw new ProviderConfigError(`EVALD_CONFIG ${path}: providers[${index}].name "${entry.name}" is used twice (or is the reserved "default")`);
    names.add(entry.name);
    let apiKey = entry.api_key;
    if (entry.api_key_env !== undefined) {
      apiKey = env[entry.api_key_env]?.trim() || undefined;
      if (apiKey === undefined) throw new ProviderConfigError(`EVALD_CONFIG ${path}: providers[${index}] (${entry.name}) reads its key from ${entry.api_key_env}, which is not set`);
    }
    return {
      name: entry.name,
      baseUrl: entry.base_url,
      apiKey,
      models: entry.models,
      maxConcurrency: entry.max_concurrency ?? concurrency,
      timeoutMs: entry.timeout_ms ?? timeoutMs,
      embeddingModel: entry.embedding_model,
      rpm: entry.rpm,
      tpm: entry.tpm,
      keyVariable: entry.api_key_env,
    };
  });
  return { providers, defaultProvider, embeddingModel: parsed.data.embedding_model };
}
