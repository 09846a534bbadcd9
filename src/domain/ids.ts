import { randomBytes } from 'node:crypto';

// Ids look like OpenAI's: prefix + 32 hex, whose first 8 hex digits are the creation second and digits 13-16
// are `8190`, so they sort by creation time. Digits 9-12 are a per-process sequence within the second and
// the last 16 are random: ids made in one process sort strictly in creation order, and ids from several
// workers stay unique and sort by second. Keyset pagination relies on ids being a total, stable order.
let lastSecond = 0;
let sequence = 0;

// Random bytes are drawn 4 KiB at a time: one syscall per 512 ids instead of one per id (ids are made
// for every output item, so this is on the engine's hot path).
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolAt = 0;

/** `bytes` random bytes as hex, from the pool. */
export function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
}

/** A new time-ordered id, e.g. `newId('eval_')`. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let second = Math.floor(nowMs / 1000);
  if (second < lastSecond) second = lastSecond; // the clock stepped back: never sort before an earlier id
  if (second === lastSecond) {
    sequence += 1;
    if (sequence > 0xffff) { second += 1; sequence = 0; } // 65,536 ids in one second: borrow the next second
  } else {
    sequence = Math.floor(((nowMs % 1000) / 1000) * 0x4000); // start low in the second, leaving room to count
  }
  lastSecond = second;
  return `${prefix}${hex(second, 8)}${hex(sequence, 4)}8190${randomHex(8)}`;
}

/** The creation second encoded in an id made by newId, or null if it has none. */
export function idSecond(id: string): number | null {
  const m = /_([0-9a-f]{8})[0-9a-f]{24}$/.exec(id);
  return m ? parseInt(m[1]!, 16) : null;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

// Base62 in this alphabet sorts the same way as its ASCII text, so a fixed-width base62 number sorts right.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
let lastFileTick = 0;

/**
 * A file id as OpenAI makes them: `file-` + 22 base62 characters. The first 9 encode the creation
 * millisecond and a sequence (so files made in one second still list in creation order), the rest are random.
 */
export function newFileId(nowMs: number = Date.now()): string {
  lastFileTick = Math.max(lastFileTick + 1, nowMs * 4096);
  let n = lastFileTick;
  let time = '';
  for (let i = 0; i < 9; i++) {
    time = BASE62[n % 62]! + time;
    n = Math.floor(n / 62);
  }
  let out = `file-${time}`;
  for (const b of randomBytes(13)) out += BASE62[b % 62];
  return out;
}
