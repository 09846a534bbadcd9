// The official SDK, bundled into the page at build time (src/dashboard/build.ts). evald's own extensions
// (docs/extensions.md) are not in the SDK: they go through `ext`, a plain fetch with the same key.
import OpenAI from 'openai';

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

const bearer = () => savedKey() || 'evald-dashboard';

/** A client for this server's /v1. Open local mode accepts any bearer, so without a saved key send a placeholder. */
export function createClient() {
  return new OpenAI({
    apiKey: bearer(),
    baseURL: `${location.origin}/v1`,
    // The key is the user's own, typed into this page and sent only to this origin.
    dangerouslyAllowBrowser: true,
    maxRetries: 1,
  });
}

/** An error of an extension route, shaped like the SDK's (status, error envelope). */
class ExtError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = body?.error;
  }
}

/** GET an evald extension under /v1; `query` values that are null, undefined or '' are left out. */
export async function ext(path, query = {}, signal) {
  const res = await extFetch(path, query, signal);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ExtError(res.status, body);
  return body;
}

/** The raw response of an extension (exports are files, not JSON). */
export async function extFetch(path, query = {}, signal) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  const res = await fetch(`/v1${path}${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${bearer()}` }, signal });
  if (!res.ok && res.status === 401) throw new ExtError(401, await res.json().catch(() => null));
  return res;
}

/** Whether the server refused the key (the page then asks for one). */
export const isAuthError = (e) => e instanceof OpenAI.AuthenticationError || e?.status === 401;

/** Whether a request was aborted because the page moved on. */
export const isAbort = (e) => e instanceof OpenAI.APIUserAbortError || e?.name === 'AbortError';
