import { ApiError } from '../api/errors.js';
import { BOOTSTRAP_DEFAULTS, bootstrapMeanInterval, mcnemarExact, type Interval } from '../domain/paired-stats.js';
import type { Store } from '../storage/index.js';
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

const same = (a: Float64Array, b: Float64Array) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

async function summary(t: Tally, withScores: boolean) {
  const n = t.passDiffs.length;
  const passInterval = await interval(t.passDiffs.values(), BOOTSTRAP_DEFAULTS.seed);
  // A pass/fail grader's score is its pass (0 or 1): the same differences, so the same interval, once.
  const scoreInterval = !withScores ? null
    : same(t.passDiffs.values(), t.scoreDiffs.values()) ? passInterval : await interval(t.scoreDiffs.values(), BOOTSTRAP_DEFAULTS.seed);
  return {
    pairs: n,
    base_pass_rate: rate(t.basePassed, n),
    candidate_pass_rate: rate(t.candidatePassed, n),
    pass_rate_difference: passInterval,
    ...(withScores ? {
      base_mean_score: rate(t.baseScore, n),
      candidate_mean_score: rate(t.candidateScore, n),
      mean_score_difference: scoreInterval,
    } : {}),
    mcnemar: { pass_to_fail: t.passToFail, fail_to_pass: t.failToPass, p_value: mcnemarExact(t.passToFail, t.failToPass) },
  };
}

/** Both runs' item states joined on row, in row order: a merge of two keyset scans of the item index. */
async function* statePairs(store: Store, baseRunId: string, candidateRunId: string) {
  async function* states(runId: string) {
    for (let after = -1; ;) {
      const page = await store.items.states(runId, after, 5000);
      yield* page;
      if (page.length < 5000) return;
      after = page[page.length - 1]!.row;
    }
  }
  const base = states(baseRunId), candidate = states(candidateRunId);
  let b = await base.next(), c = await candidate.next();
  while (!b.done || !c.done) {
    const bRow = b.done ? Infinity : b.value.row, cRow = c.done ? Infinity : c.value.row;
    const row = Math.min(bRow, cRow);
    const pair = { row, base: bRow === row ? b.value!.state : null, candidate: cRow === row ? c.value!.state : null };
    if (pair.base !== null) b = await base.next();
    if (pair.candidate !== null) c = await candidate.next();
    yield pair;
  }
}

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

  /**
   * Pair counts by kind and, per criterion and overall, the paired differences with their statistics. Read
   * from the item index (states and per-criterion scores, no item JSON parsed): two keyset scans merged by
   * row, then each batch of graded pairs' scores by row range.
   */
  async compare(project: string, evalId: string, baseRunId: string, candidateRunId: string) {
    const { evalRecord, base, candidate } = await this.scope(project, evalId, baseRunId, candidateRunId);
    const counts = { pairs: 0, regressions: 0, fixes: 0, unchanged: 0, errored: 0, base_only: 0, candidate_only: 0 };
    const overall = new Tally();
    const criteria = new Map(evalRecord.testing_criteria.map((c) => [c.id, { id: c.id, name: c.name, tally: new Tally() }]));
    let graded: number[] = [];
    const flush = async () => {
      if (graded.length === 0) return;
      const [lo, hi] = [graded[0]!, graded[graded.length - 1]!];
      const [b, c] = await Promise.all([this.store.items.scores(baseRunId, lo, hi), this.store.items.scores(candidateRunId, lo, hi)]);
      const key = (r: { row: number; criterion: string }) => `${r.row}\u0000${r.criterion}`;
      const baseScores = new Map(b.map((r) => [key(r), r]));
      for (const cr of c) {
        const br = baseScores.get(key(cr));
        const criterion = criteria.get(cr.criterion);
        // Only rows of graded pairs are in range; a row errored on one side has no scores there.
        if (!br || !criterion) continue;
        criterion.tally.add(br.passed, cr.passed, br.score ?? 0, cr.score ?? 0);
      }
      graded = [];
    };
    for await (const pair of statePairs(this.store, baseRunId, candidateRunId)) {
      if (pair.base === null || pair.candidate === null) {
        if (pair.base !== null) counts.base_only++; else counts.candidate_only++;
        continue;
      }
      counts.pairs++;
      if (pair.base === 'errored' || pair.candidate === 'errored') { counts.errored++; continue; }
      const bPass = pair.base === 'passed', cPass = pair.candidate === 'passed';
      if (bPass === cPass) counts.unchanged++; else if (bPass) counts.regressions++; else counts.fixes++;
      overall.add(bPass, cPass, 0, 0);
      graded.push(pair.row);
      if (graded.length === 2000) await flush();
    }
    await flush();
    const perCriteria = [];
    for (const c of criteria.values()) perCriteria.push({ testing_criteria: c.id, name: c.name, ...(await summary(c.tally, true)) });
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
