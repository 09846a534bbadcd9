import type { Logger } from 'pino';
import { ApiError } from '../api/errors.js';
import type { ChatCompletionListQuery, ChatCompletionMessagesQuery, InputItemsQuery, LogListQuery } from '../schemas/index.js';
import type { LogKind, LogRecord, Store } from '../storage/index.js';
import { chatLogToWire, chatMessagesOf, inputItemsOf, pageOf, responseLogToWire } from './log-wire.js';
import { listOf } from './wire.js';

const nowS = () => Math.floor(Date.now() / 1000);
const PURGE_EVERY_MS = 10 * 60_000;

/** The stored-logs API: stored chat completions and responses, read, updated and deleted as OpenAI's. */
export class LogsService {
  #purge: NodeJS.Timeout | null = null;

  /** `written` resolves once the gateway's queued logs are in the store: every read waits for it first. */
  constructor(private readonly store: Store, private readonly log: Logger, private readonly written: () => Promise<void> = () => Promise.resolve()) {}

  async #get(project: string, kind: LogKind, id: string, param: string): Promise<LogRecord> {
    await this.written();
    const log = await this.store.logs.get(project, kind, id, nowS());
    if (!log) throw ApiError.notFound(kind === 'response' ? 'response' : 'chat completion', id, param);
    return log;
  }

  async listChat(project: string, query: ChatCompletionListQuery, metadata: Record<string, string> | undefined) {
    await this.written();
    const page = await this.store.logs.list(project, { kind: 'chat.completion', model: query.model, metadata }, query, nowS());
    return listOf(page, page.rows.map(chatLogToWire) as Array<{ id: string }>);
  }

  /** evald's `GET /evald/logs`: either kind in its OpenAI shape, filtered as a run source would select it. */
  async listLogs(project: string, query: LogListQuery, metadata: Record<string, string> | undefined) {
    await this.written();
    const page = await this.store.logs.list(project, {
      kind: query.kind, model: query.model, metadata, createdAfter: query.created_after, createdBefore: query.created_before,
    }, query, nowS());
    // Each log also carries its request's prompt (`messages` of a chat completion, `input` of a response),
    // which OpenAI's objects leave to a second call, so a page of logs shows what was asked in one request.
    const toWire = (log: LogRecord) => {
      const req = JSON.parse(log.request) as { messages?: unknown; input?: unknown };
      return query.kind === 'response' ? { ...responseLogToWire(log), input: req.input ?? null } : { ...chatLogToWire(log), messages: req.messages ?? null };
    };
    return listOf(page, page.rows.map(toWire) as unknown as Array<{ id: string }>);
  }

  async getChat(project: string, id: string) {
    return chatLogToWire(await this.#get(project, 'chat.completion', id, 'completion_id'));
  }

  async updateChat(project: string, id: string, metadata: Record<string, string> | null) {
    await this.written();
    const log = await this.store.logs.updateMetadata(project, 'chat.completion', id, metadata, nowS());
    if (!log) throw ApiError.notFound('chat completion', id, 'completion_id');
    return chatLogToWire(log);
  }

  async deleteChat(project: string, id: string) {
    await this.written();
    if (!(await this.store.logs.delete(project, 'chat.completion', id))) throw ApiError.notFound('chat completion', id, 'completion_id');
    return { object: 'chat.completion.deleted', id, deleted: true };
  }

  async chatMessages(project: string, id: string, query: ChatCompletionMessagesQuery) {
    const log = await this.#get(project, 'chat.completion', id, 'completion_id');
    return pageOf(chatMessagesOf(log), query.after, query.limit, query.order);
  }

  async getResponse(project: string, id: string) {
    return responseLogToWire(await this.#get(project, 'response', id, 'response_id'));
  }

  async deleteResponse(project: string, id: string) {
    await this.written();
    if (!(await this.store.logs.delete(project, 'response', id))) throw ApiError.notFound('response', id, 'response_id');
    return { id, object: 'response', deleted: true };
  }

  async inputItems(project: string, id: string, query: InputItemsQuery) {
    const log = await this.#get(project, 'response', id, 'response_id');
    return pageOf(inputItemsOf(log), query.after, query.limit, query.order);
  }

  /** Deletes expired logs now and every 10 minutes until stop(). */
  startRetention(): void {
    const purge = () => this.store.logs.purgeExpired(nowS()).then(
      (n) => { if (n) this.log.info({ deleted: n }, 'expired logs deleted'); },
      (err: unknown) => this.log.error({ err }, 'expired logs could not be deleted'),
    );
    void purge();
    this.#purge = setInterval(purge, PURGE_EVERY_MS).unref();
  }

  stop(): void {
    if (this.#purge) clearInterval(this.#purge);
    this.#purge = null;
  }
}
