import type OpenAI from 'openai';
import { buildLog } from '../gateway/log-record.js';
import type { LogKind, LogRecord, Store } from '../storage/index.js';

type Json = Record<string, unknown>;

/** How far an import got: logs written, logs that were there already, the last id read (to resume after). */
export interface ImportProgress {
  imported: number;
  skipped: number;
  failed: number;
  lastId: string | null;
}

export interface ImportOptions {
  project: string;
  retentionDays: number | null;
  onProgress?: (p: ImportProgress) => void;
}

const BATCH = 100;
// Request fields a stored chat completion carries beside its answer (OpenAI's retrieve shape).
const REQUEST_FIELDS = ['metadata', 'tool_choice', 'seed', 'top_p', 'temperature', 'presence_penalty', 'frequency_penalty', 'tools', 'response_format'] as const;

/** A stored chat.completion object (and its messages) split back into the request and the answer. */
export function splitStoredCompletion(stored: Json, messages: unknown[]): { request: Json; answer: Json } {
  const answer: Json = { ...stored };
  const request: Json = { model: stored.model, messages, store: true };
  for (const field of REQUEST_FIELDS) {
    if (stored[field] !== undefined && stored[field] !== null) request[field] = stored[field];
    delete answer[field];
  }
  if (typeof stored.input_user === 'string') request.user = stored.input_user;
  delete answer.input_user;
  delete answer.messages;
  delete answer.request_id;
  return { request, answer };
}

/** A message of the stored-messages list as the request carried it. */
function requestMessage(m: Json): Json {
  const out: Json = { role: m.role, content: Array.isArray(m.content_parts) && m.content_parts.length ? m.content_parts : m.content ?? null };
  if (typeof m.name === 'string') out.name = m.name;
  if (m.tool_calls) out.tool_calls = m.tool_calls;
  if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
  return out;
}

/**
 * Imports logs into one project, idempotent by id: a log already stored is skipped (and, from an API, its
 * messages are not fetched again), so an interrupted import resumes by running it again, or from `after`.
 */
export class LogImporter {
  readonly progress: ImportProgress = { imported: 0, skipped: 0, failed: 0, lastId: null };
  #batch: LogRecord[] = [];

  constructor(private readonly store: Store, private readonly options: ImportOptions) {}

  /** Pulls stored chat completions from an OpenAI-compatible API (`GET /chat/completions` and `/messages`). */
  async fromApi(client: OpenAI, query: { metadata?: Record<string, string>; model?: string; after?: string }): Promise<ImportProgress> {
    const list = client.chat.completions.list({ limit: 100, order: 'asc', ...query });
    for await (const stored of list) {
      this.progress.lastId = stored.id;
      if (await this.store.logs.get(this.options.project, 'chat.completion', stored.id, 0)) {
        this.#count('skipped');
        continue;
      }
      const messages: Json[] = [];
      for await (const m of client.chat.completions.messages.list(stored.id, { limit: 100, order: 'asc' })) messages.push(requestMessage(m as unknown as Json));
      const { request, answer } = splitStoredCompletion(stored as unknown as Json, messages);
      await this.#add('chat.completion', request, answer);
    }
    return this.#finish();
  }

  /** Imports chat.completion objects, one JSON object a line (optionally with the request's `messages`). */
  async fromJsonl(lines: AsyncIterable<string>): Promise<ImportProgress> {
    let lineNo = 0;
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      let stored: Json;
      try {
        stored = JSON.parse(line) as Json;
      } catch {
        throw new Error(`line ${lineNo} is not valid JSON`);
      }
      if (!stored || typeof stored.id !== 'string' || !Array.isArray(stored.choices)) throw new Error(`line ${lineNo} is not a chat.completion object (it needs an id and choices)`);
      this.progress.lastId = stored.id;
      const { request, answer } = splitStoredCompletion(stored, Array.isArray(stored.messages) ? stored.messages : []);
      await this.#add('chat.completion', request, answer);
    }
    return this.#finish();
  }

  /** Imports responses by id (Responses have no list endpoint): `GET /responses/{id}` and its input items. */
  async responsesById(client: OpenAI, ids: string[]): Promise<ImportProgress> {
    for (const id of ids) {
      this.progress.lastId = id;
      if (await this.store.logs.get(this.options.project, 'response', id, 0)) {
        this.#count('skipped');
        continue;
      }
      const response = await client.responses.retrieve(id) as unknown as Json;
      const input: Json[] = [];
      for await (const item of client.responses.inputItems.list(id, { order: 'asc', limit: 100 })) input.push(item as unknown as Json);
      const request: Json = { model: response.model, input, store: true };
      for (const field of ['instructions', 'metadata', 'temperature', 'top_p', 'tools', 'user', 'reasoning'] as const) {
        if (response[field] !== undefined && response[field] !== null) request[field] = response[field];
      }
      await this.#add('response', request, response);
    }
    return this.#finish();
  }

  async #add(kind: LogKind, request: Json, answer: Json): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    this.#batch.push(buildLog(kind, this.options.project, JSON.stringify(request), request, answer, now, this.options.retentionDays, now));
    if (this.#batch.length >= BATCH) await this.#flush();
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    const added = await this.store.logs.insert(batch);
    this.progress.imported += added;
    this.progress.skipped += batch.length - added;
    this.options.onProgress?.(this.progress);
  }

  #count(what: 'skipped'): void {
    this.progress[what] += 1;
    this.options.onProgress?.(this.progress);
  }

  async #finish(): Promise<ImportProgress> {
    await this.#flush();
    return this.progress;
  }
}
