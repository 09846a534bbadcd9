import { ApiError } from '../api/errors.js';
import type { ItemSearchQuery } from '../schemas/item-search.js';
import type { RunRecord, ScoreSummary, Store } from '../storage/index.js';

/** Runs whose score summaries are kept, and how stale a running run's may be. */
const HISTOGRAMS_KEPT = 64;
const ACTIVE_REFRESH_MS = 10_000;
import type { RunsService } from './runs.js';
import { itemToWire, listOf } from './wire.js';

/**
 * evald's own reads for the dashboard: a run's items searched, filtered and sorted server-side, its score
 * distributions, and its progress against the rows its source holds. Every read checks the run is the
 * caller project's first (404 otherwise), then reads the item index of migration 0006.
 */
export class ItemSearchService {
  readonly #histograms = new Map<string, { version: string; at: number; value: ScoreSummary[] }>();

  constructor(private readonly store: Store, private readonly runs: RunsService) {}

  async search(project: string, evalId: string, runId: string, query: ItemSearchQuery) {
    await this.runs.record(project, evalId, runId);
    if (query.criterion_passed !== undefined && !query.criterion) {
      throw ApiError.invalid('criterion', "'criterion_passed' filters on a criterion: name it in 'criterion'.", 'missing_required_parameter');
    }
    if (query.sort === 'score' && !query.score_criterion) {
      throw ApiError.invalid('score_criterion', "'sort=score' sorts by one criterion's score: name it in 'score_criterion'.", 'missing_required_parameter');
    }
    const page = await this.store.itemSearch.search(runId, {
      q: query.q,
      state: query.status,
      criterion: query.criterion ? { name: query.criterion, passed: query.criterion_passed ?? false } : undefined,
      sort: query.sort,
      scoreOf: query.score_criterion,
      order: query.order,
      after: query.after,
      limit: query.limit,
    });
    return listOf(page, page.rows.map(itemToWire));
  }

  async histograms(project: string, evalId: string, runId: string, bins: number) {
    const run = await this.runs.record(project, evalId, runId);
    const summaries = await this.#summaries(run, bins);
    return {
      object: 'list' as const,
      // Errored items have no criterion results here: say how many were left out of every figure.
      errored_excluded: run.counts.errored,
      data: summaries.map((s) => {
        const width = s.min !== null && s.max !== null && s.max > s.min ? (s.max - s.min) / bins : 0;
        return {
          object: 'eval.run.score_histogram' as const,
          testing_criteria: s.criterion,
          count: s.count,
          passed: s.passed,
          pass_rate: s.count ? s.passed / s.count : null,
          mean: s.mean,
          min: s.min,
          max: s.max,
          bins: s.bins.map((count, i) => ({ lower: s.min === null ? null : s.min + i * width, upper: s.min === null ? null : (i === bins - 1 ? s.max : s.min + (i + 1) * width), count })),
        };
      }),
    };
  }

  /**
   * Binning reads every score of the run (about a second at 10^6 items), so summaries are kept: a finished
   * run's never change (its items are final), and a running run's are recomputed at most every
   * ACTIVE_REFRESH_MS, however often its page polls, so that polling does not keep the store busy.
   */
  async #summaries(run: RunRecord, bins: number): Promise<ScoreSummary[]> {
    const key = `${run.id}:${bins}`;
    const version = `${run.status}:${run.counts.total}`;
    const hit = this.#histograms.get(key);
    const active = run.status === 'queued' || run.status === 'in_progress';
    if (hit && (hit.version === version || (active && Date.now() - hit.at < ACTIVE_REFRESH_MS))) return hit.value;
    const value = await this.store.itemSearch.histograms(run.id, bins);
    this.#histograms.delete(key);
    this.#histograms.set(key, { version, at: Date.now(), value });
    // A Map iterates in insertion order: the first key is the least recently computed.
    if (this.#histograms.size > HISTOGRAMS_KEPT) this.#histograms.delete(this.#histograms.keys().next().value!);
    return value;
  }

  async progress(project: string, evalId: string, runId: string) {
    const run = await this.runs.record(project, evalId, runId);
    const c = run.counts;
    const total = run.source_rows ?? null;
    const now = Math.floor(Date.now() / 1000);
    const started = run.started_at ?? null;
    const active = run.status === 'queued' || run.status === 'in_progress';
    // Rate since the run started; a resumed run's earlier items make it optimistic, which an ETA may be.
    const eta = active && total !== null && started !== null && c.total > 0 && now > started
      ? Math.round(((now - started) / c.total) * Math.max(0, total - c.total)) : null;
    return {
      object: 'eval.run.progress' as const,
      run_id: run.id,
      status: run.status,
      total_rows: total,
      done: c.total,
      // Rows that will never run: the rest of a canceled or failed run.
      not_run: !active && total !== null ? Math.max(0, total - c.total) : 0,
      passed: c.passed,
      failed: c.failed,
      errored: c.errored,
      started_at: started,
      updated_at: run.updated_at,
      eta_seconds: eta,
      error: run.error,
    };
  }
}
