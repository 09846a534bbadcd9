import type { ProviderError, ProviderInfo } from '../providers/provider.js';

/**
 * How many upstream calls of a run must fail in a row, for one cause that retrying cannot change, before
 * the run stops and fails. Each sampled item makes one call, so this is also a number of items. Small,
 * because each such call is already definite (a refused key stays refused); more than one, so a single odd
 * answer (one 404 from a proxy in front of the real server) does not end a long run.
 */
export const AGREEING_FAILURES = 5;

/** Told how one upstream call of a run ended (`error` null on success). */
export type CallListener = (provider: ProviderInfo, model: string, error: ProviderError | null) => void;

/** Why a run failed early: becomes the run's `error`. */
export interface RunFailure {
  code: string;
  message: string;
}

/** The permanent cause of a failed call, or null when the next call might well succeed. */
function causeOf(error: ProviderError): 'auth' | 'not_found' | 'unreachable' | null {
  if (error.status === 401 || error.status === 403) return 'auth';
  if (error.status === 404) return 'not_found';
  if (error.kind === 'unreachable') return 'unreachable';
  return null;
}

/**
 * Watches how a run's upstream calls end. A run is doomed when AGREEING_FAILURES calls in a row (no call
 * succeeding or failing otherwise in between) failed with the same permanent cause at the same provider
 * (and, for a 404, the same model): a refused key (401, 403), an unknown model or path (404), or a host
 * still unreachable after the call's retries.
 */
export class FailFast {
  #key = '';
  #streak = 0;
  #calls = 0;
  #last: { provider: ProviderInfo; model: string; error: ProviderError; cause: NonNullable<ReturnType<typeof causeOf>> } | null = null;

  /** Records one finished call; returns the run's failure once the streak is long enough. */
  finished(provider: ProviderInfo, model: string, error: ProviderError | null): RunFailure | null {
    this.#calls += 1;
    const cause = error ? causeOf(error) : null;
    if (!error || !cause) {
      this.#streak = 0;
      this.#key = '';
      this.#last = null;
      return null;
    }
    const key = `${cause}\0${provider.name}\0${cause === 'not_found' ? model : ''}`;
    this.#streak = key === this.#key ? this.#streak + 1 : 1;
    this.#key = key;
    this.#last = { provider, model, error, cause };
    return this.#streak >= AGREEING_FAILURES ? this.failure() : null;
  }

  /**
   * For a run that ended on its own: its failure when every upstream call it made failed with one
   * permanent cause (a run of fewer items than AGREEING_FAILURES, all refused), else null.
   */
  unanimous(): RunFailure | null {
    return this.#calls > 0 && this.#streak === this.#calls ? this.failure() : null;
  }

  private failure(): RunFailure | null {
    if (!this.#last) return null;
    const { provider, model, error, cause } = this.#last;
    const n = this.#streak;
    const calls = n === 1 ? 'its only model call' : `${n} model calls in a row`;
    const where = `Provider "${provider.name}" (${provider.baseUrl})`;
    const config = provider.name === 'default' ? 'OPENAI_BASE_URL' : `the base_url of provider "${provider.name}" in EVALD_CONFIG`;
    if (cause === 'auth') {
      return { code: 'provider_auth_failed', message: `${where} refused ${calls} with HTTP ${error.status}${said(error)}. ${keyAdvice(provider)}` };
    }
    if (cause === 'not_found') {
      return {
        code: 'model_not_found',
        message: `${where} answered HTTP 404 to ${calls} for model "${model}"${said(error)}. Check the run's model name, `
          + `and that ${config} is the API's base URL (it usually ends in /v1). ${keyNote(provider)}`,
      };
    }
    return {
      code: 'provider_unreachable',
      message: `${where} could not be reached by ${calls} (${/\(([^)]+)\)\s*$/.exec(error.message)?.[1] ?? error.code}, ${n === 1 ? 'after retries' : 'each after retries'}). `
        + `Check ${config} and that the server is up. ${keyNote(provider)}`,
    };
  }
}

/** What the upstream said, from a ProviderError's message (`provider NAME: HTTP 401: what it said`). */
function said(error: ProviderError): string {
  const text = error.message.replace(/^provider .*?: HTTP \d+:? ?/, '').trim();
  return text ? ` ("${text}")` : '';
}

/** What to do about a refused key, naming the variable that holds it. */
function keyAdvice(p: ProviderInfo): string {
  if (p.keyVariable) return p.hasKey ? `Set ${p.keyVariable} to a key this provider accepts.` : `${p.keyVariable} is not set: set it to this provider's key.`;
  return p.hasKey
    ? `Its key is the api_key of provider "${p.name}" in EVALD_CONFIG: replace it with one the provider accepts.`
    : `Provider "${p.name}" has no key: give it api_key_env (or api_key) in EVALD_CONFIG.`;
}

/** Where the provider's key comes from, for messages about other causes. */
function keyNote(p: ProviderInfo): string {
  if (p.keyVariable) return `Its key is read from ${p.keyVariable}${p.hasKey ? '' : ' (not set)'}.`;
  return p.hasKey ? `Its key is set in EVALD_CONFIG.` : `It has no key.`;
}
