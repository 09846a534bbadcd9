import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { activeSecrets, newSecret, secretHint, signedHeaders } from './signature.js';

const sdk = new OpenAI({ apiKey: 'unused' });
const body = JSON.stringify({ object: 'event', id: 'evt_1', type: 'eval.run.succeeded', created_at: 1, data: { id: 'evalrun_1' } });

describe('Standard Webhooks signatures', () => {
  it('verify with the official SDK, and fail with another secret or a changed body', async () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([secret], 'wh_1', now, body);
    expect(await sdk.webhooks.unwrap(body, headers, secret)).toMatchObject({ id: 'evt_1', type: 'eval.run.succeeded' });
    await expect(sdk.webhooks.unwrap(body, headers, newSecret())).rejects.toThrow(/signature/);
    await expect(sdk.webhooks.unwrap(body.replace('evalrun_1', 'evalrun_2'), headers, secret)).rejects.toThrow(/signature/);
  });

  it('sign with every active secret, so either one verifies during a rotation', async () => {
    const [current, previous] = [newSecret(), newSecret()];
    const now = Math.floor(Date.now() / 1000);
    const endpoint = { secret: current, previous_secret: previous, previous_secret_expires_at: now + 10 };
    const secrets = activeSecrets(endpoint, now);
    expect(secrets).toEqual([current, previous]);
    const headers = signedHeaders(secrets, 'wh_2', now, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const s of secrets) await expect(sdk.webhooks.unwrap(body, headers, s)).resolves.toBeTruthy();
    expect(activeSecrets({ ...endpoint, previous_secret_expires_at: now }, now)).toEqual([current]);
  });

  it('hints at a secret without revealing it', () => {
    const secret = newSecret();
    expect(secretHint(secret)).toBe(`whsec_…${secret.slice(-4)}`);
  });
});
