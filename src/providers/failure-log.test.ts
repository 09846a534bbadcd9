import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { UpstreamFailureLog } from './failure-log.js';
import { ProviderError, type ProviderInfo } from './provider.js';

const provider: ProviderInfo = { name: 'default', baseUrl: 'http://127.0.0.1:9/v1', hasKey: true, keyVariable: 'OPENAI_API_KEY' };

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  return { lines, log };
}

describe('UpstreamFailureLog', () => {
  it('logs the first failure of each status whole, then counts per provider and status', () => {
    const { lines, log } = capture();
    const failures = new UpstreamFailureLog(log, 60_000);
    for (let i = 0; i < 40; i++) failures.attemptFailed(provider, new ProviderError('fatal', 'invalid_api_key', 'provider default: HTTP 401: Incorrect API key', 401));
    for (let i = 0; i < 3; i++) failures.attemptFailed(provider, new ProviderError('unreachable', 'provider_unreachable', 'provider default is unreachable (ECONNREFUSED)'));
    expect(lines.map((l) => l.msg)).toEqual([
      'upstream call failed: provider default: HTTP 401: Incorrect API key',
      'upstream call failed: provider default is unreachable (ECONNREFUSED)',
    ]);
    expect(lines[0]).toMatchObject({ level: 40, provider: 'default', base_url: 'http://127.0.0.1:9/v1', status: '401', code: 'invalid_api_key' });
    failures.flush();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ provider: 'default', failures: { 401: 39, provider_unreachable: 2 }, msg: 'upstream default: 39 × 401, 2 × provider_unreachable more failed attempts in the last 60 s' });
    // A new window logs the first failure whole again, and an empty window logs nothing.
    failures.flush();
    failures.attemptFailed(provider, new ProviderError('fatal', 'invalid_api_key', 'provider default: HTTP 401: again', 401));
    expect(lines).toHaveLength(4);
  });
});
