import { ApiError } from '../api/errors.js';
import { BOOTSTRAP_DEFAULTS, bootstrapMeanInterval, mcnemarExact, type Interval } from '../domain/paired-stats.js';
import type { OutputItemRecord, Store } from '../storage/index.js';
import { itemError, pairKind, pairsOf, type PairKind } from './run-pairs.js';
import { itemToWire } from './wire.js';

/** Growable column of numbers: a compare of 10^6 pairs holds 8 MB per column, not 10^6 objects. */
class Column {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array { return this.data.subarray(0, this.length); }
}

/** The pass/fail and score differences of one criterion (or of the items' status) over graded pairs. */
class Tally {
  passDiffs = new Column();
  scoreDiffs = new Column();
  basePassed = 0; candidatePassed = 0; baseScore = 0; candidateScore = 0;
  passToFail = 0; failToPass = 0;

  add(basePass: boolean, candidatePass: boolean, baseScore: number, candidateScore: number) {
    this.passDiffs.push(Number(candidatePass) - Number(basePass));
    this.scoreDiffs.push(candidateScore - baseScore);
    this.basePassed += Number(basePass);
    this.candidatePassed += Number(candidatePass);
    this.baseScore += baseScore;
    this.candidateScore += candidateScore;
    if (basePass && !candidatePass) this.passToFail++;
    if (!basePass && candidatePass) this.failToPass++;
  }
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const rate = (k: number, n: number) => (n === 0 ? null : k / n);
const interval = (values: Float64Array, seed: number): Promise<Interval | null> =>
  bootstrapMeanInterval(values, { ...BOOTSTRAP_DEFAULTS, seed, pause });

async function summary(t: Tally, withScores: boolean) {
  const n = t.passDiffs.length;
  return {
    pairs: n,
    base_pass_rate: rate(t.basePassed, n),
    candidate_pass_rate: rate(t.candidatePassed, n),
    pass_rate_difference: await interval(t.passDiffs.values(), BOOTSTRAP_DEFAULTS.seed),
    ...(withScores ? {
      base_mean_score: rate(t.baseScore, n),
      candidate_mean_score: rate(t.candidateScore, n),
      mean_score_difference: await interval(t.scoreDiffs.values(), BOOTSTRAP_DEFAULTS.seed),
    } : {}),
    mcnemar: { pass_to_fail: t.passToFail, fail_to_pass: t.failToPass, p_value: mcnemarExact(t.passToFail, t.failToPass) },
  };
}

type ResultLike = { name?: string; score?: number; passed?: boolean; sample?: { error?: unknown } | null };
const resultsById = (item: OutputItemRecord) => new Map((item.results as ResultLike[]).map((r) => [r.name, r]));

export interface CompareItemsQuery {
  base_run_id: string;
  candidate_run_id: string;
  kind?: PairKind | undefined;
  after?: number | undefined;
  limit: number;
}

/** evald's extension: paired comparison of two runs of one eval (docs/extensions.md). */
export class CompareService {
  constructor(private readonly store: Store) {}

  private async scope(project: string, evalId: string, baseRunId: string, candidateRunId: string) {
    const evalRecord = await this.store.evals.get(project, evalId);
    if (!evalRecord) throw ApiError.notFound('eval', evalId, 'eval_id');
    const [base, candidate] = await Promise.all([this.store.runs.get(project, evalId, baseRunId), this.store.runs.get(project, evalId, candidateRunId)]);
    if (!base) throw ApiError.notFound('eval run', baseRunId, 'base_run_id');
    if (!candidate) throw ApiError.notFound('eval run', candidateRunId, 'candidate_run_id');
    return { evalRecord, base, candidate };
  }

  /** Pair counts by kind and, per criterion and overall, the paired differences with their statistics. */
  async compare(project: string, evalId: string, baseRunId: string, candidateRunId: string) {
    const { evalRecord, base, candidate } = await this.scope(project, evalId, baseRunId, candidateRunId);
    const counts = { pairs: 0, regressions: 0, fixes: 0, unchanged: 0, errored: 0, base_only: 0, candidate_only: 0 };
    const overall = new Tally();
    const criteria = evalRecord.testing_criteria.map((c) => ({ id: c.id, name: c.name, tally: new Tally() }));
    for await (const pair of pairsOf(this.store, project, evalId, baseRunId, candidateRunId)) {
      const kind = pairKind(pair);
      if (kind === 'unpaired') {
        if (pair.base) counts.base_only++; else counts.candidate_only++;
        continue;
      }
      counts.pairs++;
      if (kind === 'errored') { counts.errored++; continue; }
      if (kind === 'regression') counts.regressions++;
      else if (kind === 'fix') counts.fixes++;
      else counts.unchanged++;
      const b = pair.base!, c = pair.candidate!;
      overall.add(b.status === 'pass', c.status === 'pass', 0, 0);
      const bResults = resultsById(b), cResults = resultsById(c);
      for (const criterion of criteria) {
        const br = bResults.get(criterion.id), cr = cResults.get(criterion.id);
        if (!br || !cr || br.sample?.error || cr.sample?.error) continue;
        criterion.tally.add(Boolean(br.passed), Boolean(cr.passed), Number(br.score ?? 0), Number(cr.score ?? 0));
      }
    }
    const perCriteria = [];
    for (const c of criteria) perCriteria.push({ testing_criteria: c.id, name: c.name, ...(await summary(c.tally, true)) });
    return {
      object: 'eval.run.comparison' as const,
      eval_id: evalId,
      base_run_id: base.id,
      candidate_run_id: candidate.id,
      base_run_status: base.status,
      candidate_run_status: candidate.status,
      counts,
      overall: await summary(overall, false),
      per_testing_criteria: perCriteria,
      bootstrap: { ...BOOTSTRAP_DEFAULTS },
    };
  }

  /** A page of pairs (optionally of one kind) in row order, with both output items so a client can diff them. */
  async items(project: string, evalId: string, query: CompareItemsQuery) {
    await this.scope(project, evalId, query.base_run_id, query.candidate_run_id);
    const data = [];
    let hasMore = false;
    for await (const pair of pairsOf(this.store, project, evalId, query.base_run_id, query.candidate_run_id, query.after ?? -1)) {
      const kind = pairKind(pair);
      if (query.kind && kind !== query.kind) continue;
      if (data.length === query.limit) { hasMore = true; break; }
      data.push({
        object: 'eval.run.comparison.item' as const,
        id: String(pair.row),
        datasource_item_id: pair.row,
        kind,
        base: pair.base && itemToWire(pair.base),
        candidate: pair.candidate && itemToWire(pair.candidate),
        base_error: pair.base && itemError(pair.base),
        candidate_error: pair.candidate && itemError(pair.candidate),
      });
    }
    return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
  }
}
