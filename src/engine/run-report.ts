import type { Logger } from 'pino';
import type { RunRecord, Store } from '../storage/index.js';

/** How an execution of a run ended, as its last log line says. */
export type RunEnd =
  | { status: 'completed' }
  | { status: 'failed'; error: { code: string; message: string } }
  | { status: 'canceled' | 'paused' };

/**
 * Logs how a run's execution here ended: the run's counts as committed, how long this execution took
 * and how many items it wrote per second. A failed run is logged at warn with its error; `paused` is a
 * shutdown (the run resumes at the next start). Never throws: the run's end is already stored.
 */
export async function logRunEnd(log: Logger, store: Store, run: RunRecord, end: RunEnd, startedMs: number, written: number): Promise<void> {
  const seconds = (performance.now() - startedMs) / 1000;
  const counts = (await store.runs.byId(run.id).catch(() => undefined))?.counts;
  const rate = seconds > 0 ? Math.round(written / seconds) : 0;
  const fields = {
    run_id: run.id, eval_id: run.eval_id, project: run.project, status: end.status,
    ...(counts ? { result_counts: counts } : {}), items_written: written, duration_s: Math.round(seconds * 100) / 100, items_per_s: rate,
    ...(end.status === 'failed' ? { error: end.error } : {}),
  };
  const tally = counts ? `${counts.total} items (${counts.passed} passed, ${counts.failed} failed, ${counts.errored} errored)` : `${written} items written`;
  const took = `in ${fields.duration_s} s, ${rate} items/s`;
  if (end.status === 'completed') log.info(fields, `run completed: ${tally} ${took}`);
  else if (end.status === 'failed') log.warn(fields, `run failed (${end.error.code}) after ${tally} ${took}: ${end.error.message}`);
  else if (end.status === 'canceled') log.info(fields, `run stopped (canceled or deleted) after ${tally} ${took}`);
  else log.info(fields, `run paused for shutdown after ${tally} ${took}; it resumes at the next start`);
}
