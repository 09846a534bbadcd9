import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { CallGate } from './call-gate.js';

const open = () => new AbortController().signal;

describe('CallGate', () => {
  it('lets `concurrency` in, queues `queue` more in order, and refuses the rest with a 429', async () => {
    const gate = new CallGate(2, 2, 'python grader calls');
    const first = await gate.enter(open());
    const second = await gate.enter(open());
    const order: number[] = [];
    const third = gate.enter(open()).then((leave) => { order.push(3); return leave; });
    const fourth = gate.enter(open()).then((leave) => { order.push(4); return leave; });
    const refused = await gate.enter(open()).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded' });
    expect(gate.active).toBe(2);
    first();
    first(); // a second release changes nothing
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual([3, 4]);
    expect(gate.active).toBe(0);
  });

  it('lets a waiting caller leave when its signal aborts', async () => {
    const gate = new CallGate(1, 4, 'calls');
    const leave = await gate.enter(open());
    const controller = new AbortController();
    const waiting = gate.enter(controller.signal).then(() => 'entered', (e: Error) => e.message);
    const next = gate.enter(open());
    controller.abort(new Error('client left'));
    expect(await waiting).toBe('client left');
    leave();
    (await next)();
    expect(gate.active).toBe(0);
  });
});
