import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { isPublicAddress, publicOnlyLookup } from './address-policy.js';

/** What one delivery attempt came to: the receiver's status code, or why there was none. */
export type SendResult = { statusCode: number } | { error: string };

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * POSTs webhook bodies. Redirects are not followed (a 3xx is a failed attempt): following one would let
 * a receiver send evald anywhere, past the address check. The whole attempt, connecting included, is
 * bounded by `timeoutMs`; the answer's body is read and dropped, at most a little of it.
 */
export function createSender(options: { timeoutMs: number; allowPrivate: boolean; userAgent: string }): Sender {
  const agent = new Agent({
    connect: options.allowPrivate ? { timeout: options.timeoutMs } : { timeout: options.timeoutMs, lookup: publicOnlyLookup as never },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    // Receivers are many and called rarely: keep no socket open long.
    keepAliveTimeout: 1_000,
  });
  return {
    async send(url, headers, body, signal) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      // A literal address is connected to without a lookup, so it is checked here.
      if (!options.allowPrivate && isIP(host) && !isPublicAddress(host)) {
        return { error: `${host} is a loopback or private address; an operator can allow those with EVALD_WEBHOOK_ALLOW_PRIVATE=1` };
      }
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const res = await request(url, {
          method: 'POST', dispatcher: agent, body,
          headers: { 'content-type': 'application/json', 'user-agent': options.userAgent, ...headers },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
        return { statusCode: res.statusCode };
      } catch (e) {
        if (timeout.aborted) return { error: `no answer within ${options.timeoutMs} ms` };
        const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
        const cause = err.cause ?? err;
        return { error: cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message };
      }
    },
    close: () => agent.close(),
  };
}
