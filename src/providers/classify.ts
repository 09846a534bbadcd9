import { ProviderError } from './provider.js';

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The server's wait hint in ms: `retry-after-ms` (OpenAI's, fractional ms) first, then `retry-after` as
 * seconds or an HTTP date. Undefined when absent or unparseable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = header(headers, 'retry-after');
  if (after === undefined || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Returns a function that replaces every occurrence of the given secrets with `[redacted]`. */
export function redactor(secrets: Array<string | undefined>): (text: string) => string {
  // Very short "keys" (e.g. "x" for a local server) would shred ordinary words and protect nothing.
  const present = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (present.length === 0) return (text) => text;
  return (text) => present.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Pulls `error.message` / `error.code` out of an OpenAI-style error body, or a short raw excerpt. */
function upstreamDetail(bodyText: string): { message: string; code?: string } {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; code?: unknown; type?: unknown } | string };
    const error = parsed?.error;
    if (typeof error === 'string') return { message: error };
    if (error && typeof error === 'object') {
      const code = typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : undefined;
      return { message: typeof error.message === 'string' ? error.message : '', ...(code ? { code } : {}) };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: bodyText.slice(0, 300).trim() };
}

/**
 * Classifies a non-2xx response: 429 → rate_limited (with the wait hint), 408/409/5xx → transient,
 * any other 4xx → fatal. The message is redacted by the caller's `redact`.
 */
export function classifyStatus(
  provider: string,
  status: number,
  headers: Headers,
  bodyText: string,
  redact: (text: string) => string,
): ProviderError {
  const detail = upstreamDetail(bodyText);
  const message = redact(`provider ${provider}: HTTP ${status}${detail.message ? `: ${detail.message}` : ''}`).slice(0, 1000);
  if (status === 429) return new ProviderError('rate_limited', 'rate_limit_exceeded', message, status, parseRetryAfter(headers));
  if (status === 408 || status === 409 || status >= 500) {
    return new ProviderError('transient', status >= 500 ? 'upstream_server_error' : `upstream_${status}`, message, status, parseRetryAfter(headers));
  }
  return new ProviderError('fatal', detail.code ?? `upstream_${status}`, message, status);
}

// EVALD_DEADLINE: HttpProvider's deadline for the whole answer.
const TIMEOUT_CODES = new Set(['EVALD_DEADLINE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const DROPPED_CODES = new Set([
  'UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'ECONNABORTED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
]);

/** The first `code` along an error's cause chain (undici and AggregateError nest the system error). */
function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    const nested = (e as { errors?: unknown[] }).errors;
    e = (e as { cause?: unknown }).cause ?? (Array.isArray(nested) ? nested[0] : undefined);
  }
  return undefined;
}

/**
 * Classifies a failure before any response: a timeout, a refused or unresolvable host (unreachable: the
 * provider is down or misconfigured, so few retries), or a dropped connection (transient).
 */
export function classifyNetworkError(provider: string, timeoutMs: number, err: unknown, redact: (text: string) => string): ProviderError {
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) {
    return new ProviderError('timeout', 'timeout', `provider ${provider}: no complete response within ${timeoutMs} ms`);
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    return new ProviderError('unreachable', 'provider_unreachable', redact(`provider ${provider} is unreachable (${code})`));
  }
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') {
    // The router was closed (server shutting down): nothing will ever answer on this pool again.
    return new ProviderError('fatal', 'provider_closed', `provider ${provider}: the connection pool is closed`);
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_URL') {
    // Our own malformed request: retrying cannot help.
    return new ProviderError('fatal', 'request_error', redact(`provider ${provider}: invalid request (${reason})`));
  }
  if (code && DROPPED_CODES.has(code)) {
    return new ProviderError('transient', 'connection_error', redact(`provider ${provider}: connection dropped (${code}: ${reason})`));
  }
  return new ProviderError('transient', 'connection_error', redact(`provider ${provider}: request failed (${code ?? 'error'}: ${reason})`));
}
