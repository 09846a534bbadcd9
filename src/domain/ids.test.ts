import { describe, expect, it } from 'vitest';
import { idSecond, newFileId, newId } from './ids.js';

describe('newId', () => {
  it('has the OpenAI shape: prefix, 32 hex, creation second first, 8190 at digits 13-16', () => {
    const id = newId('eval_', 1_700_000_000_123);
    expect(id).toMatch(/^eval_[0-9a-f]{32}$/);
    expect(idSecond(id)).toBe(1_700_000_000);
    expect(id.slice(5 + 12, 5 + 16)).toBe('8190');
  });
  it('sorts strictly in creation order, even many in one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId('evalrun_', 1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('never sorts before an earlier id when the clock steps back', () => {
    const a = newId('x_', 1_900_000_005_000);
    const b = newId('x_', 1_900_000_001_000);
    expect(b > a).toBe(true);
  });
});

describe('newFileId', () => {
  it('is file- and 22 base62 characters', () => {
    expect(newFileId()).toMatch(/^file-[0-9A-Za-z]{22}$/);
  });
  it('sorts in creation order, within one millisecond too', () => {
    const ids = [newFileId(1_800_000_000_000), ...Array.from({ length: 1000 }, () => newFileId(1_800_000_000_001))];
    expect([...ids].sort()).toEqual(ids);
  });
});
