import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// V8 grows its heap lazily: a 100,000-item run that holds ~50 MB live climbs past 250 MB of RSS only
// because no collection was urgent. The engine calls `relieveMemory` after each committed batch; above a
// soft limit (EVALD_MEMORY_SOFT_MB, default 160) it runs a full collection, at most every 0.5 s, which
// hands the pages back: a 100,000-row run then peaks near 180 MB instead of 250 MB, for a few percent of
// throughput (every 1 s kept it near 210 MB; see BENCHMARKS.md). A hard heap cap (--max-old-space-size) was rejected: it crashes the process
// instead of slowing it when a legitimately large request arrives.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const MIN_INTERVAL_MS = 500;
let lastCollection = 0;

/** Runs a full GC if RSS is above `softLimitMb` and none ran in the last 0.5 s; returns whether it did. */
export function relieveMemory(softLimitMb: number): boolean {
  if (softLimitMb <= 0) return false;
  const now = performance.now();
  if (now - lastCollection < MIN_INTERVAL_MS) return false;
  if (process.memoryUsage.rss() < softLimitMb * 1024 * 1024) return false;
  lastCollection = now;
  collect();
  return true;
}
