// The page's client for this server's /v1: plain fetch, shaped like the official SDK's `client.evals…`
// for the few calls the views make. The SDK itself was 394 KB of the 591 KB bundle, and parsing and
// evaluating it was most of a cold first render (BENCHMARKS.md, Dashboard); the SDK's compatibility is
// exercised by test/ and the CLI instead. evald's own extensions (docs/extensions.md) go through `ext`.

const KEY = 'evald.apiKey';

/** The API key saved in this browser, or null. */
export function savedKey() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: open local mode still works
  }
}

/** Saves (or, with null, forgets) the API key. */
export function saveKey(key) {
  try {
    if (key) localStorage.setItem(KEY, key);
    else localStorage.removeItem(KEY);
  } catch { /* storage disabled */ }
}

// Open local mode accepts any bearer, so without a saved key send a placeholder. The key is the user's
// own, typed into this page and sent only to this origin.
const bearer = () => savedKey() || 'evald-dashboard';

/** An error answer of an OpenAI route, as the SDK makes it: `status`, the envelope's `error`, "401 message". */
export class ApiError extends Error {
  constructor(status, error, text) {
    const msg = typeof error?.message === 'string' ? error.message : error ? JSON.stringify(error) : text;
    super(status && msg ? `${status} ${msg}` : status ? `${status} status code (no body)` : msg || 'Connection error.');
    this.status = status;
    this.error = error;
    this.code = error?.code;
    this.param = error?.param;
    this.type = error?.type;
  }
}

const enc = encodeURIComponent;
const query = (q = {}) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
};

// As the SDK with maxRetries 1: one retry of a timeout, a lock, a rate limit, a 5xx or a lost connection,
// after Retry-After (up to a minute) or half a second, unless the server says x-should-retry: false.
const retryable = (res) => {
  const says = res.headers.get('x-should-retry');
  return says === 'true' || (says !== 'false' && (res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500));
};
const retryDelay = (res) => {
  const ms = Number.parseFloat(res?.headers.get('retry-after-ms') ?? '');
  const s = Number.parseFloat(res?.headers.get('retry-after') ?? '');
  const wait = Number.isFinite(ms) ? ms : Number.isFinite(s) ? s * 1000 : NaN;
  return wait >= 0 && wait <= 60_000 ? wait : 500;
};
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

/** One call of an OpenAI route: the JSON answer, or an ApiError. */
async function call(method, path, { body, signal } = {}, retries = 1) {
  let res;
  try {
    res = await fetch(`/v1${path}`, {
      method, signal, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { accept: 'application/json', authorization: `Bearer ${bearer()}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    });
  } catch (e) {
    if (signal?.aborted || e?.name === 'AbortError') throw e;
    if (retries > 0) return sleep(500, signal).then(() => call(method, path, { body, signal }, retries - 1));
    throw Object.assign(new ApiError(undefined, undefined, 'Connection error.'), { cause: e });
  }
  if (res.ok) return res.json();
  if (retries > 0 && retryable(res)) return sleep(retryDelay(res), signal).then(() => call(method, path, { body, signal }, retries - 1));
  const text = await res.text().catch(() => '');
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { /* not JSON: the text is the message */ }
  throw new ApiError(res.status, parsed?.error, parsed ? undefined : text);
}

/**
 * A client for this server's /v1 with the SDK's method names and arguments (`options` is `{ signal }`);
 * a list answers with the page as sent ({data, has_more, first_id, last_id}).
 */
export function createClient() {
  return {
    evals: {
      list: (q, options) => call('GET', `/evals${query(q)}`, options),
      retrieve: (evalId, options) => call('GET', `/evals/${enc(evalId)}`, options),
      runs: {
        list: (evalId, q, options) => call('GET', `/evals/${enc(evalId)}/runs${query(q)}`, options),
        retrieve: (runId, { eval_id }, options) => call('GET', `/evals/${enc(eval_id)}/runs/${enc(runId)}`, options),
        create: (evalId, body, options) => call('POST', `/evals/${enc(evalId)}/runs`, { ...options, body }),
        cancel: (runId, { eval_id }, options) => call('POST', `/evals/${enc(eval_id)}/runs/${enc(runId)}/cancel`, options),
        delete: (runId, { eval_id }, options) => call('DELETE', `/evals/${enc(eval_id)}/runs/${enc(runId)}`, options),
        outputItems: {
          retrieve: (itemId, { eval_id, run_id }, options) =>
            call('GET', `/evals/${enc(eval_id)}/runs/${enc(run_id)}/output_items/${enc(itemId)}`, options),
        },
      },
    },
  };
}

/** An error of an extension route (status, error envelope); its message is the envelope's. */
class ExtError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = body?.error;
  }
}

/** GET an evald extension under /v1; `query` values that are null, undefined or '' are left out. */
export async function ext(path, q = {}, signal) {
  const res = await extFetch(path, q, signal);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ExtError(res.status, body);
  return body;
}

/** The raw response of an extension (exports are files, not JSON). */
export async function extFetch(path, q = {}, signal) {
  const res = await fetch(`/v1${path}${query(q)}`, { headers: { authorization: `Bearer ${bearer()}` }, signal });
  if (!res.ok && res.status === 401) throw new ExtError(401, await res.json().catch(() => null));
  return res;
}

/** Whether the server refused the key (the page then asks for one). */
export const isAuthError = (e) => e?.status === 401;

/** Whether a request was aborted because the page moved on. */
export const isAbort = (e) => e?.name === 'AbortError';
