// The official SDK, served from the server's own node_modules (its ESM build has no dependencies and only
// relative imports, so the browser loads it as is, no bundler).
import OpenAI from '/assets/openai/index.mjs';

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

/** A client for this server's /v1. Open local mode accepts any bearer, so without a saved key send a placeholder. */
export function createClient() {
  return new OpenAI({
    apiKey: savedKey() || 'evald-dashboard',
    baseURL: `${location.origin}/v1`,
    // The key is the user's own, typed into this page and sent only to this origin.
    dangerouslyAllowBrowser: true,
    maxRetries: 1,
  });
}

/** Whether the server refused the key (the page then asks for one). */
export const isAuthError = (e) => e instanceof OpenAI.AuthenticationError || e?.status === 401;

/** Whether a request was aborted because the page moved on. */
export const isAbort = (e) => e instanceof OpenAI.APIUserAbortError || e?.name === 'AbortError';
