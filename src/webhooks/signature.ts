import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks (standardwebhooks.com), the scheme OpenAI signs with: the secret is `whsec_` + base64
// key bytes, and `webhook-signature` is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several
// signatures separated by spaces. The SDK's `webhooks.unwrap` accepts a match at any position.

/** A new signing secret: `whsec_` + 32 random bytes in base64, as OpenAI's secrets look. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The masked form the API shows after creation: the prefix and the last four characters. */
export const secretHint = (secret: string): string => `whsec_…${secret.slice(-4)}`;

/** One `v1,…` signature of `body` sent as message `id` at `timestamp` (Unix seconds). */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The secrets that sign now: the current one, and the previous one while its grace period lasts. */
export function activeSecrets(e: { secret: string; previous_secret: string | null; previous_secret_expires_at: number | null }, nowS: number): string[] {
  return e.previous_secret && (e.previous_secret_expires_at ?? 0) > nowS ? [e.secret, e.previous_secret] : [e.secret];
}

/** The three Standard Webhooks headers for one attempt, signed with every active secret. */
export function signedHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}
