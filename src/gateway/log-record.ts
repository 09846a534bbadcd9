import { randomHex } from '../domain/ids.js';
import type { LogKind, LogRecord } from '../storage/index.js';

/** Responses are kept 30 days unless EVALD_LOG_RETENTION_DAYS says otherwise, as OpenAI keeps them. */
export const RESPONSES_RETENTION_DAYS = 30;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Metadata as OpenAI keeps it: string values only. */
function metadataOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** `,a,b,` of the request's tools: a function's name, else the tool's type; null when it offered none. */
function toolNames(tools: unknown): string | null {
  if (!Array.isArray(tools) || tools.length === 0) return null;
  const names = tools.map((t: { type?: unknown; name?: unknown; function?: { name?: unknown } }) =>
    String(t?.function?.name ?? (t?.type === 'function' ? t?.name : undefined) ?? t?.type ?? ''));
  return `,${names.join(',')},`;
}

/**
 * A log row from a request and its answer. `requestText` is kept as the client sent it; `request` is the
 * same body parsed, read only for the columns filters use. Retention counts from `keptFrom` (the answer's
 * creation for gateway calls; the import's time for imported logs, which may be older than the retention).
 */
export function buildLog(
  kind: LogKind, project: string, requestText: string, request: Record<string, unknown>,
  answer: Record<string, unknown>, nowS: number, retentionDays: number | null, keptFrom?: number,
): LogRecord {
  const created = numOrNull(kind === 'chat.completion' ? answer.created : answer.created_at) ?? nowS;
  const days = retentionDays ?? (kind === 'response' ? RESPONSES_RETENTION_DAYS : null);
  const from = keptFrom ?? created;
  const requestModel = str(request.model) ?? '';
  const reasoning = kind === 'response' ? (request.reasoning as { effort?: unknown } | undefined)?.effort : request.reasoning_effort;
  return {
    project,
    id: str(answer.id) ?? (kind === 'response' ? `resp_${randomHex(24)}` : `chatcmpl-${randomHex(16)}`),
    kind,
    model: str(answer.model) ?? requestModel,
    request_model: requestModel,
    created_at: created,
    expires_at: days === null ? null : from + days * 86_400,
    metadata: JSON.stringify(metadataOf(request.metadata ?? answer.metadata)),
    user_id: str(request.user),
    instructions: kind === 'response' ? str(request.instructions) : null,
    temperature: numOrNull(request.temperature),
    top_p: numOrNull(request.top_p),
    reasoning_effort: str(reasoning),
    tool_names: toolNames(request.tools),
    request: requestText,
    response: JSON.stringify(answer),
  };
}

/** Whether a call is logged: chat completions only with `store: true`, responses unless `store: false`. */
export function shouldStore(kind: LogKind, request: Record<string, unknown>, storeAll: boolean): boolean {
  if (storeAll) return true;
  return kind === 'chat.completion' ? request.store === true : request.store !== false;
}
