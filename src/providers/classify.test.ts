import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter, redactor } from './classify.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('prefers retry-after-ms, then retry-after as seconds or an HTTP date', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500.5', 'retry-after': '9' }, now)).toBe(1500.5);
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });
  it('ignores absent or unparseable hints', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': 'soon', 'retry-after': 'later' }, now)).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  const none = (t: string) => t;
  it('sorts statuses into rate_limited, transient and fatal', () => {
    expect(classifyStatus('p', 429, { 'retry-after-ms': '10' }, '', none)).toMatchObject({ kind: 'rate_limited', code: 'rate_limit_exceeded', retryAfterMs: 10 });
    for (const status of [408, 409, 500, 502, 503, 529]) expect(classifyStatus('p', status, {}, '', none).kind).toBe('transient');
    for (const status of [400, 401, 403, 404, 422]) expect(classifyStatus('p', status, {}, '', none).kind).toBe('fatal');
  });
  it('uses the upstream error code and message, redacted', () => {
    const err = classifyStatus('p', 401, {}, JSON.stringify({ error: { message: 'bad key sk-abcdef123', code: 'invalid_api_key' } }), redactor(['sk-abcdef123']));
    expect(err).toMatchObject({ code: 'invalid_api_key', message: 'provider p: HTTP 401: bad key [redacted]' });
  });
});
