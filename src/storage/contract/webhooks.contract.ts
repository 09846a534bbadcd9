import { describe, expect, it } from 'vitest';
import { newId } from '../../domain/ids.js';
import type { StoreUnderTest } from '../store.contract.js';
import type { WebhookEndpointRecord } from '../types.js';
import { aClaimedRun, anEval, aProject, aRun, T0, T0_MS } from './factories.contract.js';

const ALL = ['eval.run.succeeded', 'eval.run.failed', 'eval.run.canceled'];

function anEndpoint(project: string, over: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord {
  return {
    id: newId('whe_', T0_MS), project, name: 'ci', url: 'https://hooks.example.com/evald', event_types: ALL,
    secret: 'whsec_c2VjcmV0', previous_secret: null, previous_secret_expires_at: null, created_at: T0, updated_at: T0, ...over,
  };
}

/** Webhook endpoints, and the outbox that a run's final status writes into and dispatchers drain. */
export function webhooksContract(t: StoreUnderTest): void {
  describe('webhook endpoints', () => {
    it('reads, pages, updates and deletes within one project', async () => {
      const project = aProject();
      const eps = [anEndpoint(project), anEndpoint(project), anEndpoint(project)];
      for (const e of eps) await t.store.webhooks.insert(e);
      await t.store.webhooks.insert(anEndpoint(aProject()));
      expect(await t.store.webhooks.get(project, eps[0]!.id)).toEqual(eps[0]);
      expect(await t.store.webhooks.get(aProject(), eps[0]!.id)).toBeUndefined();
      const page = await t.store.webhooks.list(project, { order: 'desc', limit: 2 });
      expect(page.rows.map((e) => e.id)).toEqual([eps[2]!.id, eps[1]!.id]);
      expect(page.hasMore).toBe(true);
      const rest = await t.store.webhooks.list(project, { order: 'desc', limit: 2, after: eps[1]!.id });
      expect(rest).toEqual({ rows: [eps[0]], hasMore: false });

      const rotated = { ...eps[0]!, name: 'nightly', secret: 'whsec_bmV3', previous_secret: eps[0]!.secret, previous_secret_expires_at: T0 + 86_400, updated_at: T0 + 5 };
      expect(await t.store.webhooks.update(rotated)).toBe(true);
      expect(await t.store.webhooks.get(project, rotated.id)).toEqual(rotated);
      expect(await t.store.webhooks.update({ ...rotated, project: aProject() })).toBe(false);
      expect(await t.store.webhooks.delete(aProject(), rotated.id)).toBe(false);
      expect(await t.store.webhooks.delete(project, rotated.id)).toBe(true);
      expect(await t.store.webhooks.get(project, rotated.id)).toBeUndefined();
    });
  });

  describe('webhook outbox', () => {
    it('writes one delivery per subscribed endpoint of the run\'s project when a run finishes, all of one event', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      const both = anEndpoint(run.project);
      const alsoBoth = anEndpoint(run.project, { event_types: ['eval.run.succeeded'] });
      const onlyFailed = anEndpoint(run.project, { event_types: ['eval.run.failed'] });
      const elsewhere = anEndpoint(aProject());
      for (const e of [both, alsoBoth, onlyFailed, elsewhere]) await t.store.webhooks.insert(e);

      expect(await t.store.runs.finish(run.id, 'worker-b', 'completed', null, T0 + 9)).toBe(false);
      expect(await t.store.webhooks.deliveries({})).toEqual([]);
      expect(await t.store.runs.finish(run.id, 'worker-a', 'completed', null, T0 + 10)).toBe(true);
      const rows = await t.store.webhooks.deliveries({});
      expect(rows.map((r) => r.endpoint_id).sort()).toEqual([both.id, alsoBoth.id].sort());
      const [a, b] = rows;
      expect(a!.event_id).toBe(b!.event_id);
      expect(a!.id).not.toBe(b!.id);
      expect(a!.event_id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(a).toMatchObject({ status: 'pending', attempts: 0, event_type: 'eval.run.succeeded', project: run.project, created_at: T0 + 10, next_attempt_at: (T0 + 10) * 1000 });
      expect(JSON.parse(a!.payload)).toEqual({ object: 'event', id: a!.event_id, type: 'eval.run.succeeded', created_at: T0 + 10, data: { id: run.id } });
      // A finished run cannot finish again, so it has one event.
      expect(await t.store.runs.finish(run.id, 'worker-a', 'failed', { code: 'x', message: 'late' }, T0 + 11)).toBe(false);
      expect(await t.store.webhooks.deliveries({})).toHaveLength(2);
    });

    it('writes eval.run.failed for a failed run and eval.run.canceled for a canceled one, once', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      const e = anEndpoint(run.project);
      await t.store.webhooks.insert(e);
      await t.store.runs.finish(run.id, 'worker-a', 'failed', { code: 'invalid_file', message: 'line 2 is not JSON' }, T0 + 3);
      const evalRecord = anEval(run.project);
      await t.store.evals.insert(evalRecord);
      const queued = aRun(evalRecord);
      await t.store.runs.insert(queued);
      await t.store.runs.cancel(run.project, evalRecord.id, queued.id, T0 + 4);
      await t.store.runs.cancel(run.project, evalRecord.id, queued.id, T0 + 5);
      await t.store.runs.cancel(run.project, run.eval_id, run.id, T0 + 6); // already failed: unchanged, no event
      const rows = await t.store.webhooks.deliveries({ endpointId: e.id });
      expect(rows.map((r) => [r.event_type, JSON.parse(r.payload).data.id])).toEqual([['eval.run.failed', run.id], ['eval.run.canceled', queued.id]]);
    });

    it('hands a due delivery to one claimer at a time, counting attempts, and again once its claim lapses', async () => {
      const { run } = await aClaimedRun(t.store, 'worker-a');
      const e = anEndpoint(run.project);
      await t.store.webhooks.insert(e);
      await t.store.runs.finish(run.id, 'worker-a', 'completed', null, T0 + 10);
      const due = (T0 + 10) * 1000;
      expect(await t.store.webhooks.claimDue(due - 1, 5000, 8, 2, new Set())).toEqual([]);
      const [claimed] = await t.store.webhooks.claimDue(due, 5000, 8, 2, new Set());
      expect(claimed).toMatchObject({ attempts: 1, event_type: 'eval.run.succeeded', project: run.project, created_at: T0 + 10,
        endpoint: { id: e.id, name: e.name, url: e.url, secret: e.secret, previous_secret: null, previous_secret_expires_at: null } });
      expect(await t.store.webhooks.claimDue(due + 4999, 5000, 8, 2, new Set())).toEqual([]);
      const [again] = await t.store.webhooks.claimDue(due + 5000, 5000, 8, 2, new Set());
      expect(again).toMatchObject({ id: claimed!.id, event_id: claimed!.event_id, payload: claimed!.payload, attempts: 2 });

      // The first claimer's late outcome is ignored: the row is at attempt 2 now.
      await t.store.webhooks.recordAttempt(claimed!.id, 1, { status: 'delivered', statusCode: 200, error: null }, T0 + 20);
      expect((await t.store.webhooks.deliveries({}))[0]).toMatchObject({ status: 'pending', attempts: 2 });
      await t.store.webhooks.recordAttempt(claimed!.id, 2, { status: 'pending', statusCode: 500, error: 'answered 500', nextAttemptAtMs: due + 60_000 }, T0 + 20);
      expect((await t.store.webhooks.deliveries({}))[0]).toMatchObject({ status: 'pending', attempts: 2, last_status_code: 500, last_error: 'answered 500', next_attempt_at: due + 60_000 });
      expect(await t.store.webhooks.claimDue(due + 59_999, 5000, 8, 2, new Set())).toEqual([]);
      const [third] = await t.store.webhooks.claimDue(due + 60_000, 5000, 8, 2, new Set());
      await t.store.webhooks.recordAttempt(third!.id, 3, { status: 'delivered', statusCode: 204, error: null }, T0 + 80);
      expect((await t.store.webhooks.deliveries({}))[0]).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204, last_error: null });
      expect(await t.store.webhooks.claimDue(due + 1e9, 5000, 8, 2, new Set())).toEqual([]);
    });

    it('claims at most so many per endpoint and none for a busy one, so one receiver cannot take every slot', async () => {
      const project = aProject();
      const slow = anEndpoint(project);
      const fast = anEndpoint(project);
      for (const e of [slow, fast]) await t.store.webhooks.insert(e);
      const evalRecord = anEval(project);
      await t.store.evals.insert(evalRecord);
      for (let i = 0; i < 4; i++) {
        const run = aRun(evalRecord);
        await t.store.runs.insert(run);
        await t.store.runs.cancel(project, evalRecord.id, run.id, T0 + i);
      }
      const now = T0_MS + 10_000;
      const firstClaim = await t.store.webhooks.claimDue(now, 5000, 8, 2, new Set());
      expect(firstClaim.filter((d) => d.endpoint.id === slow.id)).toHaveLength(2);
      expect(firstClaim.filter((d) => d.endpoint.id === fast.id)).toHaveLength(2);
      const busy = await t.store.webhooks.claimDue(now, 5000, 8, 2, new Set([slow.id]));
      expect(busy.map((d) => d.endpoint.id)).toEqual([fast.id, fast.id]);
      expect(await t.store.webhooks.claimDue(now, 5000, 1, 2, new Set())).toHaveLength(1);

      // Deleting an endpoint drops what it was still owed.
      expect(await t.store.webhooks.delete(project, slow.id)).toBe(true);
      expect(await t.store.webhooks.deliveries({ endpointId: slow.id })).toEqual([]);
      expect(await t.store.webhooks.deliveries({ endpointId: fast.id })).toHaveLength(4);
    });
  });
}
