import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicOnlyLookup, urlProblem } from './address-policy.js';

describe('webhook address policy', () => {
  it('tells public unicast addresses from loopback, private, link-local and mapped ones', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(a)).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('takes only http(s) URLs without credentials, and no private literal unless allowed', () => {
    expect(urlProblem('https://hooks.example.com/evald', false)).toBeNull();
    expect(urlProblem('http://8.8.8.8:8080/x', false)).toBeNull();
    expect(urlProblem('ftp://example.com/', false)).toMatch(/https or http, not ftp/);
    expect(urlProblem('file:///etc/passwd', true)).toMatch(/not file/);
    expect(urlProblem('not a url', true)).toMatch(/not a valid URL/);
    expect(urlProblem('https://user:pw@example.com/', true)).toMatch(/user name or password/);
    for (const u of ['http://127.0.0.1:9/', 'http://[::1]/', 'http://localhost:3000/', 'http://169.254.169.254/latest', 'http://[::ffff:7f00:1]/']) {
      expect(urlProblem(u, false), u).toMatch(/EVALD_WEBHOOK_ALLOW_PRIVATE/);
      expect(urlProblem(u, true), u).toBeNull();
    }
  });

  it('refuses at resolution a name whose addresses are private', async () => {
    const resolve = (all: boolean) => new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((done) =>
      publicOnlyLookup('localhost', { all }, (err, address) => done({ err, address })));
    for (const all of [false, true]) {
      const { err } = await resolve(all);
      expect(err?.code).toBe('EWEBHOOKPRIVATE');
      expect(err?.message).toMatch(/localhost resolves to .* loopback or private/);
    }
  });
});
