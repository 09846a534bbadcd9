import type { Logger } from 'pino';
import { compileItemSchema } from '../domain/item-schema.js';
import { itemSchemaOf } from '../domain/data-source-schema.js';
import type { ModelAccess, PythonAccess } from '../graders/grader.js';
import type { RunRecord, Segment, Store } from '../storage/index.js';
import { BatchWriter, untilStored } from './batch-writer.js';
import { FailFast, type CallListener, type RunFailure } from './fail-fast.js';
import { logRunEnd, type RunEnd } from './run-report.js';
import { readRows, SourceError, type RowRange, type SourceRow } from './data-sources/rows.js';
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
  /** How long a segment's lease lasts without renewal (the run's lease does too). */
  leaseMs: number;
  /** Rows per segment; undefined: segmentRowsFor's default. */
  segmentRows: number | undefined;
  /** Reports how each upstream call made under `signal` ends, until the returned function is called. */
  watchCalls: (signal: AbortSignal, listener: CallListener) => () => void;
}

/**
 * Executes one claimed run to its end: streams its rows, skips rows a previous attempt already wrote,
 * processes up to `itemConcurrency` items at once and commits them in batches. Returns when the run is
 * completed, failed, or stopped by `signal` (cancel, delete, shutdown), having written what was done.
 * A run whose model calls keep failing for a cause that will not change stops early and fails (FailFast).
 *
 * The rows are split into segments (RunsRepo.planSegments) that this worker, the run's lead, claims one
 * at a time, as does any other worker with room (`joined`: a helper, see RunEngine). Only the lead ends
 * the run, once every segment is done; a helper leaves when nothing is left to claim, and gives back what
 * it held if it stops early, so that the lead or another worker takes it over.
 */
export async function executeRun(run: RunRecord, deps: ExecuteDeps, signal: AbortSignal, joined?: Segment): Promise<void> {
  const { store, log, owner } = deps;
  const lead = joined === undefined;
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
  // A write of the run's own (not an item's) waits out a full store as the batches do.
  const stored = <T>(write: () => Promise<T>, what: string) => untilStored(write, { runId: run.id, log, stopped: stopped.signal, what });
  const writer = new BatchWriter(store, run.id, owner, () => stopped.abort('run is no longer in progress'), deps.memorySoftLimitMb, log, stopped.signal, lead ? 'run' : 'segment');
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
  // Segments whose rows have all started, until their items are committed and the segment is marked done.
  const closing = new Set<Promise<void>>();
  // An unexpected failure of one item (a bug, not the item's own error) fails the run, reported once.
  let failure: unknown = null;

  try {
    const dataSource = run.data_source as { type: string; source: { type: string }; input_messages?: unknown };
    // A run over logs without input_messages grades the stored answers: it samples nothing.
    const sampler = dataSource.type === 'jsonl' || !dataSource.input_messages ? null : deps.createSampler(run.data_source);
    const itemSchema = itemSchemaOf(evalRecord.data_source_config);
    const validate = itemSchema ? compileItemSchema(itemSchema) : null;
    const logs = isLogSource(dataSource.source.type);
    if (lead) {
      // Progress needs its denominator from the start (a resumed run keeps the count it first made).
      let total = run.source_rows;
      if (total == null) {
        const counted = logs ? await stored(() => selectLogs(store, run, evalRecord), 'the run starts once its logs can be recorded') : await countRows(dataSource.source, store, run.project);
        await stored(() => store.runs.markStarted(run.id, counted, nowS()), 'the run starts once it can be recorded');
        total = counted;
      }
      const rows = total ?? null;
      await stored(() => store.runs.planSegments(run.id, rows, segmentRowsFor(rows, deps.segmentRows)), 'the run starts once its segments can be recorded');
    }
    const scope = { run, evalRecord, models: deps.models, python, sampler, signal: stopped.signal };
    const itemConcurrency = itemConcurrencyFor(deps.itemConcurrency, sampler);
    const cursor = new RowCursor((range) => (logs ? readLogRows(store, run, evalRecord, range) : readRows(dataSource.source, store, run.project, validate, range)), !logs && dataSource.source.type === 'file_id');

    // Kept out of the loop below, which V8 compiles on its own (on-stack replacement) in every run: the
    // smaller the loop's body, the cheaper that is.
    const start = (row: SourceRow, segment: SegmentProgress) => {
      active += 1;
      segment.pending += 1;
      processItem(row, scope)
        .then((graded) => writer.add(graded))
        .catch((e) => {
          if (!stopped.signal.aborted) failure ??= e;
          stopped.abort('item failed');
        })
        .finally(() => {
          settle();
          segment.itemDone();
        });
    };
    // Marks a segment done once every item it started is committed; a failure to do so fails the run.
    const close = (segment: Segment, progress: SegmentProgress) => {
      const closed = progress.drained
        .then(() => writer.flush())
        .then(async () => {
          if (!stopped.signal.aborted) await stored(() => store.runs.finishSegment(run.id, segment.seq, owner), 'the segment is marked done once it fits');
        })
        .catch((e) => {
          failure ??= e;
          stopped.abort('segment failed');
        })
        .finally(() => closing.delete(closed));
      closing.add(closed);
    };
    // Graders like string_check and bleu are synchronous and SQLite reads are too, so without a break the
    // item loop would only ever run microtasks and starve the HTTP server until the run ended. Every few
    // milliseconds it steps back into the event loop.
    let sliceStart = performance.now();
    let next = joined;
    while (!stopped.signal.aborted) {
      const segment = next ?? await stored(() => store.runs.claimSegment(run.id, owner, deps.leaseMs, Date.now()), 'the next segment is claimed once it fits');
      next = undefined;
      if (segment) {
        const done = await store.runs.doneRows(run.id, segment.first, segment.end);
        const progress = new SegmentProgress();
        for await (const row of cursor.rows(segment.first, segment.end)) {
          if (performance.now() - sliceStart > TIME_SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            sliceStart = performance.now();
          }
          if (stopped.signal.aborted) break;
          if (done.has(row.index)) continue;
          start(row, progress);
          while (active >= itemConcurrency) await waitForSlot();
        }
        if (stopped.signal.aborted) break;
        progress.allStarted();
        close(segment, progress);
        continue;
      }
      // Nothing left to claim: what this worker started is finished and committed.
      while (active > 0) await waitForSlot();
      await Promise.all(closing);
      if (!lead || stopped.signal.aborted) break;
      // The lead waits for the segments other workers hold, and takes over any whose worker died.
      if ((await store.runs.segmentsLeft(run.id)) === 0) break;
      await sleep(SEGMENT_POLL_MS, stopped.signal);
    }
    await cursor.close();
    while (active > 0) await waitForSlot();
    await Promise.all(closing);
    if (failure) throw failure;
    await writer.close();
    if (!lead) return;
    // A run too short to reach the streak still fails when every call it made was refused alike.
    const error = doomed ?? (stopped.signal.aborted ? null : failFast.unanimous());
    if (error) {
      if (await stored(() => store.runs.finish(run.id, owner, 'failed', error, nowS()), 'the run ends once its end can be recorded')) end = { status: 'failed', error };
    } else if (!stopped.signal.aborted) {
      if (await stored(() => store.runs.finish(run.id, owner, 'completed', null, nowS()), 'the run ends once its end can be recorded')) end = { status: 'completed' };
    }
    // A finished run over logs never reads its selection again.
    if (logs && end) await store.logs.releaseRunSelection(run.id);
  } catch (e) {
    // Items still in flight (the source failed mid-way) finish and are written: what was done is kept.
    while (active > 0) await waitForSlot();
    await Promise.all(closing);
    await writer.close().catch(() => {});
    if (stopped.signal.aborted && !(e instanceof SourceError) && signal.aborted) return;
    // A helper leaves the failure to the lead, which meets it in the segment given back below.
    if (!lead) {
      log.warn({ run_id: run.id, err: e }, 'helping with a run stopped; its segment goes back to the run');
      return;
    }
    const error = e instanceof SourceError
      ? { code: e.code, message: e.message }
      : { code: 'internal_error', message: 'evald hit an internal error executing this run; see the server log' };
    if (!(e instanceof SourceError)) log.error({ run_id: run.id, err: e }, 'run failed');
    if (await store.runs.finish(run.id, owner, 'failed', error, nowS())) end = { status: 'failed', error };
  } finally {
    unwatch();
    signal.removeEventListener('abort', stop);
    await python.close();
    // Whatever this worker still holds (a shutdown, a cancel, a failure) is free for others at once.
    await store.runs.releaseSegments(run.id, owner).catch(() => {});
    if (lead) {
      end ??= { status: signal.reason === 'shutdown' ? 'paused' : 'canceled' };
      await logRunEnd(log, store, run, end, startedMs, writer.written);
    } else {
      log.info({ run_id: run.id, eval_id: run.eval_id, items_written: writer.written, duration_s: Math.round((performance.now() - startedMs) / 10) / 100 },
        `helped with run ${run.id}: ${writer.written} items written`);
    }
  }
}

/** How many of a segment's items are in flight, and when the last of them is done. */
class SegmentProgress {
  pending = 0;
  #started = false;
  #resolve!: () => void;
  readonly drained = new Promise<void>((resolve) => { this.#resolve = resolve; });

  itemDone(): void {
    this.pending -= 1;
    if (this.#started && this.pending === 0) this.#resolve();
  }

  /** Every row of the segment has been started (or skipped). */
  allStarted(): void {
    this.#started = true;
    if (this.pending === 0) this.#resolve();
  }
}

/**
 * Reads segment after segment from one open reader where it can: a worker that takes consecutive
 * segments (one worker alone takes them all) reads its source once, and over a file, lines of segments
 * that others took are counted, not parsed. Other sources reopen at the segment, which costs nothing.
 */
class RowCursor {
  #reader: AsyncGenerator<SourceRow> | null = null;
  #range: RowRange = { from: 0, to: Infinity };
  #ahead: SourceRow | null = null;
  #next = 0;

  constructor(private readonly open: (range: RowRange) => AsyncGenerator<SourceRow>, private readonly skipsCheaply: boolean) {}

  async *rows(from: number, to: number): AsyncGenerator<SourceRow> {
    const reusable = this.#reader !== null && (from === this.#next || (this.skipsCheaply && from > this.#next));
    if (!reusable) {
      await this.close();
      this.#range = { from, to: Infinity };
      this.#reader = this.open(this.#range);
    }
    // The file reader reads `from` as it goes: lines before it are skipped without parsing.
    this.#range.from = from;
    for (;;) {
      let row = this.#ahead;
      this.#ahead = null;
      if (!row) {
        const r = await this.#reader!.next();
        if (r.done) {
          this.#next = Infinity;
          return;
        }
        row = r.value;
      }
      if (row.index < from) continue;
      if (row.index >= to) {
        this.#ahead = row;
        this.#next = row.index;
        return;
      }
      this.#next = row.index + 1;
      yield row;
    }
  }

  async close(): Promise<void> {
    await this.#reader?.return(undefined);
    this.#reader = null;
    this.#ahead = null;
  }
}

const TIME_SLICE_MS = 10;
const DEFAULT_ITEM_CONCURRENCY = 64;
// How often a lead whose segments are all taken looks whether the others are done (or their worker died).
const SEGMENT_POLL_MS = 200;

/**
 * Rows per segment: the configured number, else a 16th of the run, at least 500 and at most 10,000 rows,
 * so that a second worker finds work in a run of a few thousand rows and a big run is not thousands of
 * claims.
 */
export function segmentRowsFor(total: number | null, configured: number | undefined): number {
  if (configured) return configured;
  return Math.min(10_000, Math.max(500, Math.ceil((total ?? 0) / 16)));
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
  const timer = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

/**
 * How many items of a run may be in flight: the configured number, else 64 or twice the concurrency of
 * the provider the run samples, whichever is more. With twice as many items as call slots, an item is
 * rendered and waiting whenever a call finishes, so the provider's slots never sit idle between items.
 */
export function itemConcurrencyFor(configured: number | undefined, sampler: Pick<Sampler, 'concurrency'> | null): number {
  return configured ?? Math.max(DEFAULT_ITEM_CONCURRENCY, 2 * (sampler?.concurrency ?? 0));
}

const nowS = () => Math.floor(Date.now() / 1000);
