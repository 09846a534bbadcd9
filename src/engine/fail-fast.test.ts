import { describe, expect, it } from 'vitest';
import { ProviderError, type ProviderInfo } from '../providers/provider.js';
import { AGREEING_FAILURES, FailFast } from './fail-fast.js';

const openai: ProviderInfo = { name: 'default', baseUrl: 'https://api.openai.com/v1', hasKey: true, keyVariable: 'OPENAI_API_KEY' };
const local: ProviderInfo = { name: 'local', baseUrl: 'http://127.0.0.1:9/v1', hasKey: false, keyVariable: undefined };
const refused = () => new ProviderError('fatal', 'invalid_api_key', 'provider default: HTTP 401: Incorrect API key provided: [redacted].', 401);
const missing = () => new ProviderError('fatal', 'model_not_found', 'provider default: HTTP 404: The model `x` does not exist.', 404);
const down = () => new ProviderError('unreachable', 'provider_unreachable', 'provider local is unreachable (ECONNREFUSED)');
const busy = () => new ProviderError('transient', 'upstream_server_error', 'provider default: HTTP 500', 500);

describe('FailFast', () => {
  it(`fails a run after ${AGREEING_FAILURES} refused calls in a row, naming provider, base URL and key variable`, () => {
    const watch = new FailFast();
    for (let i = 1; i < AGREEING_FAILURES; i++) expect(watch.finished(openai, 'gpt-4o-mini', refused())).toBeNull();
    const failure = watch.finished(openai, 'gpt-4o-mini', refused());
    expect(failure?.code).toBe('provider_auth_failed');
    expect(failure?.message).toContain('Provider "default" (https://api.openai.com/v1) refused 5 model calls in a row with HTTP 401');
    expect(failure?.message).toContain('("Incorrect API key provided: [redacted].")');
    expect(failure?.message).toContain('Set OPENAI_API_KEY to a key this provider accepts.');
  });

  it('starts over after a call that succeeds or fails for a passing reason', () => {
    const watch = new FailFast();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i < AGREEING_FAILURES; i++) expect(watch.finished(openai, 'm', refused())).toBeNull();
      expect(watch.finished(openai, 'm', round === 0 ? null : busy())).toBeNull();
    }
    expect(watch.unanimous()).toBeNull();
  });

  it('counts only agreeing failures: one provider, one cause, and for a 404 one model', () => {
    const watch = new FailFast();
    const causes = [refused(), down(), missing()];
    for (let i = 0; i < 3 * AGREEING_FAILURES; i++) expect(watch.finished(i % 3 === 1 ? local : openai, 'm', causes[i % 3]!)).toBeNull();
    const models = new FailFast();
    for (let i = 0; i < 2 * AGREEING_FAILURES; i++) expect(models.finished(openai, `model-${i % 2}`, missing())).toBeNull();
  });

  it('never fails a run for rate limits or server errors, however many', () => {
    const watch = new FailFast();
    const limited = new ProviderError('rate_limited', 'rate_limit_exceeded', 'provider default: HTTP 429', 429);
    for (let i = 0; i < 50; i++) expect(watch.finished(openai, 'm', i % 2 ? busy() : limited)).toBeNull();
    expect(watch.unanimous()).toBeNull();
  });

  it('says what to check for an unknown model and for an unreachable host', () => {
    const models = new FailFast();
    let failure = null;
    for (let i = 0; i < AGREEING_FAILURES; i++) failure = models.finished(openai, 'gpt-4o-minii', missing());
    expect(failure?.code).toBe('model_not_found');
    expect(failure?.message).toMatch(/answered HTTP 404 to 5 model calls in a row for model "gpt-4o-minii".*OPENAI_BASE_URL.*OPENAI_API_KEY/);
    const hosts = new FailFast();
    for (let i = 0; i < AGREEING_FAILURES; i++) failure = hosts.finished(local, 'llama', down());
    expect(failure?.code).toBe('provider_unreachable');
    expect(failure?.message).toContain('Provider "local" (http://127.0.0.1:9/v1) could not be reached by 5 model calls in a row (ECONNREFUSED, each after retries)');
    expect(failure?.message).toContain('the base_url of provider "local" in EVALD_CONFIG');
  });

  it('fails a short run whose every call was refused alike, and only then', () => {
    const short = new FailFast();
    short.finished(openai, 'm', refused());
    short.finished(openai, 'm', refused());
    expect(short.unanimous()?.message).toContain('refused 2 model calls in a row');
    const noKey = new FailFast();
    noKey.finished({ ...openai, hasKey: false }, 'm', refused());
    expect(noKey.unanimous()?.message).toContain('its only model call');
    expect(noKey.unanimous()?.message).toContain('OPENAI_API_KEY is not set: set it to this provider\'s key.');
    const mixed = new FailFast();
    mixed.finished(openai, 'm', null);
    mixed.finished(openai, 'm', refused());
    expect(mixed.unanimous()).toBeNull();
    expect(new FailFast().unanimous()).toBeNull();
  });
});
