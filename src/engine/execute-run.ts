import type { Logger } from 'pino';
import { compileItemSchema } from '../domain/item-schema.js';
import { itemSchemaOf } from '../domain/data-source-schema.js';
import type { ModelAccess, PythonAccess } from '../graders/grader.js';
import type { RunRecord, Store } from '../storage/index.js';
import { BatchWriter } from './batch-writer.js';
import { FailFast, type CallListener, type RunFailure } from './fail-fast.js';
import { logRunEnd, type RunEnd } from './run-report.js';
import { readRows, SourceError, type SourceRow } from './data-sources/rows.js';
import { countRows } from './data-sources/count-rows.js';
import { isLogSource, readLogRows, selectLogs } from './data-sources/logs.js';
import { processItem, type Sampler } from './process-item.js';

/** What executing a run needs from outside the engine. */
export interface ExecuteDeps {
  store: Store;
  log: Logger;
  owner: string;
  /** Items in flight at once; undefined: the default of itemConcurrencyFor. */
  itemConcurrency: number | undefined;
  /** RSS above which the engine asks for a full GC after a batch (0: never). */
  memorySoftLimitMb: number;
  models: ModelAccess;
  /** A python runner for this run; closed when the run ends. */
  createPython: () => PythonAccess & { close(): Promise<void> };
  /** Builds the sampler of a completions / responses run. */
  createSampler: (dataSource: Record<string, unknown>) => Sampler;
  /** Reports how each upstream call made under `signal` ends, until the returned function is called. */
  watchCalls: (signal: AbortSignal, listener: CallListener) => () => void;
}

/**
 * Executes one claimed run to its end: streams its rows, skips rows a previous attempt already wrote,
 * processes up to `itemConcurrency` items at once and commits them in batches. Returns when the run is
 * completed, failed, or stopped by `signal` (cancel, delete, shutdown), having written what was done.
 * A run whose model calls keep failing for a cause that will not change stops early and fails (FailFast).
 */
export async function executeRun(run: RunRecord, deps: ExecuteDeps, signal: AbortSignal): Promise<void> {
  const { store, log, owner } = deps;
  const startedMs = performance.now();
  const evalRecord = await store.evals.get(run.project, run.eval_id);
  if (!evalRecord) return; // deleted meanwhile: its runs went with it
  const stopped = new AbortController();
  const stop = () => stopped.abort(signal.reason ?? 'stopped');
  signal.addEventListener('abort', stop, { once: true });
  const failFast = new FailFast();
  let doomed: RunFailure | null = null;
  const unwatch = deps.watchCalls(stopped.signal, (provider, model, error) => {
    const failure = failFast.finished(provider, model, error);
    if (failure && !doomed) {
      doomed = failure;
      stopped.abort('doomed');
    }
  });
  let end: RunEnd | null = null;
  const writer = new BatchWriter(store, run.id, owner, () => stopped.abort('run is no longer in progress'), deps.memorySoftLimitMb, log, stopped.signal);
  const hasPython = evalRecord.testing_criteria.some((c) => c.type === 'python');
  const python = hasPython ? deps.createPython() : { grade: () => Promise.reject(new Error('no python grader')), close: async () => {} };

  // In-flight items are counted, and the loop sleeps until one finishes: O(1) per item, where
  // Promise.race over the in-flight set would attach a reaction to every pending item each time.
  let active = 0;
  let slotFreed: (() => void) | null = null;
  const settle = () => {
    active -= 1;
    slotFreed?.();
    slotFreed = null;
  };
  const waitForSlot = () => new Promise<void>((resolve) => { slotFreed = resolve; });

  try {
    const dataSource = run.data_source as { type: string; source: { type: string }; input_messages?: unknown };
    // A run over logs without input_messages grades the stored answers: it samples nothing.
    const sampler = dataSource.type === 'jsonl' || !dataSource.input_messages ? null : deps.createSampler(run.data_source);
    const itemSchema = itemSchemaOf(evalRecord.data_source_config);
    const validate = itemSchema ? compileItemSchema(itemSchema) : null;
    const done = await store.runs.doneRows(run.id);
    // Progress needs its denominator from the start (a resumed run keeps the count it first made).
    if (run.source_rows == null) {
      const total = isLogSource(dataSource.source.type) ? await selectLogs(store, run, evalRecord) : await countRows(dataSource.source, store, run.project);
      await store.runs.markStarted(run.id, total, nowS());
    }
    const scope = { run, evalRecord, models: deps.models, python, sampler, signal: stopped.signal };
    const itemConcurrency = itemConcurrencyFor(deps.itemConcurrency, sampler);

    // An unexpected failure of one item (a bug, not the item's own error) fails the run, reported once.
    let failure: unknown = null;
    // Kept out of the loop below, which V8 compiles on its own (on-stack replacement) in every run: the
    // smaller the loop's body, the cheaper that is.
    const start = (row: SourceRow) => {
      active += 1;
      processItem(row, scope)
        .then((graded) => writer.add(graded))
        .catch((e) => {
          if (!stopped.signal.aborted) failure ??= e;
          stopped.abort('item failed');
        })
        .finally(settle);
    };
    // Graders like string_check and bleu are synchronous and SQLite reads are too, so without a break the
    // item loop would only ever run microtasks and starve the HTTP server until the run ended. Every few
    // milliseconds it steps back into the event loop.
    let sliceStart = performance.now();
    const logs = isLogSource(dataSource.source.type);
    const rows = logs ? readLogRows(store, run, evalRecord) : readRows(dataSource.source, store, run.project, validate);
    for await (const row of rows) {
      if (performance.now() - sliceStart > TIME_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      if (stopped.signal.aborted) break;
      if (done.has(row.index)) continue;
      start(row);
      while (active >= itemConcurrency) await waitForSlot();
    }
    while (active > 0) await waitForSlot();
    if (failure) throw failure;
    await writer.close();
    // A run too short to reach the streak still fails when every call it made was refused alike.
    const error = doomed ?? (stopped.signal.aborted ? null : failFast.unanimous());
    if (error) {
      if (await store.runs.finish(run.id, owner, 'failed', error, nowS())) end = { status: 'failed', error };
    } else if (!stopped.signal.aborted) {
      if (await store.runs.finish(run.id, owner, 'completed', null, nowS())) end = { status: 'completed' };
    }
    // A finished run over logs never reads its selection again.
    if (logs && end) await store.logs.releaseRunSelection(run.id);
  } catch (e) {
    // Items still in flight (the source failed mid-way) finish and are written: what was done is kept.
    while (active > 0) await waitForSlot();
    await writer.close().catch(() => {});
    if (stopped.signal.aborted && !(e instanceof SourceError) && signal.aborted) return;
    const error = e instanceof SourceError
      ? { code: e.code, message: e.message }
      : { code: 'internal_error', message: 'evald hit an internal error executing this run; see the server log' };
    if (!(e instanceof SourceError)) log.error({ run_id: run.id, err: e }, 'run failed');
    if (await store.runs.finish(run.id, owner, 'failed', error, nowS())) end = { status: 'failed', error };
  } finally {
    unwatch();
    signal.removeEventListener('abort', stop);
    await python.close();
    end ??= { status: signal.reason === 'shutdown' ? 'paused' : 'canceled' };
    await logRunEnd(log, store, run, end, startedMs, writer.written);
  }
}

const TIME_SLICE_MS = 10;
const DEFAULT_ITEM_CONCURRENCY = 64;

/**
 * How many items of a run may be in flight: the configured number, else 64 or twice the concurrency of
 * the provider the run samples, whichever is more. With twice as many items as call slots, an item is
 * rendered and waiting whenever a call finishes, so the provider's slots never sit idle between items.
 */
export function itemConcurrencyFor(configured: number | undefined, sampler: Pick<Sampler, 'concurrency'> | null): number {
  return configured ?? Math.max(DEFAULT_ITEM_CONCURRENCY, 2 * (sampler?.concurrency ?? 0));
}

const nowS = () => Math.floor(Date.now() / 1000);
