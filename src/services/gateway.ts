import { ApiError } from '../api/errors.js';
import { AnswerTap, type GatewayEndpoint } from '../gateway/answer-tap.js';
import { buildLog, shouldStore } from '../gateway/log-record.js';
import type { Provider, ProviderRouter } from '../providers/index.js';
import type { ForwardSink } from '../providers/forward.js';
import type { LogKind, Store } from '../storage/index.js';
import type { GatewayUsageCounter } from './gateway-usage.js';
import type { LogWriter } from './log-writer.js';

const PATHS: Record<GatewayEndpoint, string> = { chat: '/chat/completions', responses: '/responses', embeddings: '/embeddings' };
const KINDS: Partial<Record<GatewayEndpoint, LogKind>> = { chat: 'chat.completion', responses: 'response' };

export interface GatewayOptions {
  storeAll: boolean;
  logRetentionDays: number | null;
}

/**
 * The gateway: a model call is sent to the provider its `model` routes to, with the body as the client
 * sent it, and the answer is handed to the client's sink as it arrives. A copy is read on the side for
 * the usage count and, when the call is logged, for its log, which is queued once the answer has ended
 * and written with others a few milliseconds later (LogWriter).
 */
export class GatewayService {
  constructor(
    private readonly store: Store,
    private readonly router: ProviderRouter,
    private readonly usage: GatewayUsageCounter,
    private readonly logs: LogWriter,
    private readonly options: GatewayOptions,
  ) {}

  /**
   * Forwards one call. Throws (before anything is sent) only when the body cannot be routed: not JSON, or
   * no `model`. Everything after that, upstream errors included, reaches `sink`.
   */
  call(project: string, endpoint: GatewayEndpoint, body: Buffer, accept: string | undefined, sink: ForwardSink, signal: AbortSignal): void {
    const text = body.toString('utf8');
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw ApiError.invalid(null, `We could not parse the JSON body of your request: ${(e as Error).message}`, 'invalid_json');
    }
    if (!request || typeof request !== 'object' || Array.isArray(request)) throw ApiError.invalid(null, 'The request body must be a JSON object.', 'invalid_value');
    const model = request.model;
    if (typeof model !== 'string' || model === '') throw ApiError.invalid('model', "Missing required parameter: 'model'.", 'missing_required_parameter');

    const kind = KINDS[endpoint];
    const keep = kind !== undefined && shouldStore(kind, request, this.options.storeAll);
    const tap = new AnswerTap(endpoint, request.stream === true, keep);
    let ok = false;
    this.router.forward(model, { method: 'POST', path: PATHS[endpoint], body, accept }, {
      onHeaders: (status, headers, resume) => {
        ok = status >= 200 && status < 300;
        sink.onHeaders(status, headers, resume);
      },
      onData: (chunk) => {
        if (ok) tap.onData(chunk);
        return sink.onData(chunk);
      },
      onEnd: () => {
        sink.onEnd();
        if (!ok) return this.usage.count(project, model, null, true);
        const { answer, usage } = tap.finish();
        this.usage.count(project, model, usage, false);
        if (kind && answer) this.#store(kind, project, text, request, answer);
      },
      onError: (error) => {
        this.usage.count(project, model, null, true);
        sink.onError(error);
      },
    }, signal);
  }

  #store(kind: LogKind, project: string, text: string, request: Record<string, unknown>, answer: Record<string, unknown>): void {
    this.logs.add(buildLog(kind, project, text, request, answer, Math.floor(Date.now() / 1000), this.options.logRetentionDays));
  }

  /**
   * evald's usage view: the project's gateway calls and tokens per UTC day and model, from `startDay` (default
   * 30 days ago) to `endDay` (default today), both `YYYY-MM-DD`. Counts not yet written are written first.
   */
  async usageView(project: string, startDay: string | undefined, endDay: string | undefined) {
    await this.usage.flush();
    const today = Math.floor(Date.now() / 86_400_000);
    const toDay = (text: string) => Math.floor(Date.parse(`${text}T00:00:00Z`) / 86_400_000);
    const rows = await this.store.gatewayUsage.list(project, startDay ? toDay(startDay) : today - 30, endDay ? toDay(endDay) : today);
    return {
      object: 'list' as const,
      data: rows.map(({ project: _project, day, ...counts }) => ({
        object: 'evald.gateway.usage' as const, day: new Date(day * 86_400_000).toISOString().slice(0, 10), ...counts,
      })),
    };
  }

  /**
   * `GET /v1/models`: every provider's own `/models` list where it answers within 5 s, plus the model names
   * its configuration spells out without wildcards; duplicates are listed once.
   */
  async models(): Promise<{ object: 'list'; data: Array<Record<string, unknown>> }> {
    const seen = new Map<string, Record<string, unknown>>();
    const lists = await Promise.all(this.router.catalog.map(async ({ provider, globs }) => {
      const listed = await getJson(provider, '/models').catch(() => null) as { data?: unknown } | null;
      const data = Array.isArray(listed?.data) ? listed.data.filter((m): m is Record<string, unknown> => typeof m?.id === 'string') : [];
      const named = globs.filter((g) => !/[*?[\]{}!]/.test(g)).map((id) => ({ id, object: 'model', created: 0, owned_by: provider.name }));
      return [...data, ...named];
    }));
    for (const m of lists.flat()) if (!seen.has(m.id as string)) seen.set(m.id as string, m);
    return { object: 'list', data: [...seen.values()] };
  }
}

/** A GET to one provider, its JSON body or a rejection. */
function getJson(provider: Provider, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (!provider.forward) return reject(new Error('not an HTTP provider'));
    const chunks: Buffer[] = [];
    let status = 0;
    provider.forward({ method: 'GET', path, body: null }, {
      onHeaders: (s) => { status = s; },
      onData: (chunk) => { chunks.push(chunk); return true; },
      onEnd: () => {
        if (status < 200 || status >= 300) return reject(new Error(`HTTP ${status}`));
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (e) { reject(e); }
      },
      onError: reject,
    }, AbortSignal.timeout(5000));
  });
}
