import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE } from '../connect.js';

export const usage = `Usage: evald compare BASE_RUN_ID CANDIDATE_RUN_ID [--eval EVAL_ID] [--fail-on-regression] [--show N] [--json] [--base-url URL]

Compares two runs of one eval item by item (paired by datasource_item_id): regressions (pass → fail),
fixes, unchanged and errored pairs; per criterion the pass-rate and mean-score difference (candidate − base)
with a 95% paired bootstrap interval, and McNemar's exact test p-value on the pass/fail pairs.
docs/extensions.md says how each number is made.

Options:
  --eval EVAL_ID         the runs' eval (found by looking through the evals when not given)
  --fail-on-regression   exit 1 when any pair regressed
  --show N               list the first N regressions and fixes (default 10; 0: none)
  --json                 print the comparison as the server's JSON

Exit status: 0, or 1 with --fail-on-regression when a pair regressed; 2 a usage error; 3 the runs could
not be compared (not found, server unreachable).

${CONNECTION_USAGE}`;

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const signed = (x: number, digits: number, scale = 1) => `${x >= 0 ? '+' : ''}${(x * scale).toFixed(digits)}`;
type Interval = { estimate: number; ci_low: number; ci_high: number } | null;
const diff = (i: Interval, percent: boolean) => (i === null ? '-'
  : percent ? `${signed(i.estimate, 1, 100)} pp [${signed(i.ci_low, 1, 100)}, ${signed(i.ci_high, 1, 100)}]`
    : `${signed(i.estimate, 3)} [${signed(i.ci_low, 3)}, ${signed(i.ci_high, 3)}]`);
const p = (x: number) => (x < 0.0001 ? '<0.0001' : x.toFixed(4));

interface Summary {
  pairs: number; base_pass_rate: number | null; candidate_pass_rate: number | null; pass_rate_difference: Interval;
  base_mean_score?: number | null; candidate_mean_score?: number | null; mean_score_difference?: Interval;
  mcnemar: { pass_to_fail: number; fail_to_pass: number; p_value: number };
}
interface Comparison {
  base_run_id: string; candidate_run_id: string; base_run_status: string; candidate_run_status: string;
  counts: Record<'pairs' | 'regressions' | 'fixes' | 'unchanged' | 'errored' | 'base_only' | 'candidate_only', number>;
  overall: Summary; per_testing_criteria: Array<Summary & { name: string }>;
}
interface PairPage { data: Array<{ datasource_item_id: number; kind: string; base: { sample?: { output_text?: string } } | null; candidate: { sample?: { output_text?: string } } | null }> }

/** `evald compare BASE CANDIDATE`: the server's compare route, as tables. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, eval: { type: 'string' }, 'fail-on-regression': { type: 'boolean' }, show: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 2) throw new UsageError('give two runs: evald compare BASE_RUN_ID CANDIDATE_RUN_ID');
  const show = values.show === undefined ? 10 : Number(values.show);
  if (!Number.isInteger(show) || show < 0 || show > 100) throw new UsageError(`--show must be a whole number in [0, 100], got '${values.show}'`);
  const [base, candidate] = positionals as [string, string];
  const [{ connect }, { evalOfRun, describeApiError }, { table }] = await Promise.all([import('../connect.js'), import('../server-calls.js'), import('../table.js')]);
  const conn = await connect(values['base-url']);
  try {
    const evalId = await evalOfRun(conn.client, base, values.eval);
    const query = { base_run_id: base, candidate_run_id: candidate };
    const cmp = await conn.client.get(`/evals/${evalId}/compare`, { query }) as Comparison;
    if (values.json) process.stdout.write(JSON.stringify(cmp, null, 2) + '\n');
    else {
      const c = cmp.counts;
      let out = `base ${base} (${cmp.base_run_status}) → candidate ${candidate} (${cmp.candidate_run_status})\n`
        + `${c.pairs} pairs: ${c.regressions} regressions, ${c.fixes} fixes, ${c.unchanged} unchanged, ${c.errored} errored`
        + `${c.base_only || c.candidate_only ? `; unpaired: ${c.base_only} only in base, ${c.candidate_only} only in candidate` : ''}\n\n`;
      const rows = [{ ...cmp.overall, name: '(all criteria)' }, ...cmp.per_testing_criteria].map((s) => [
        s.name, String(s.pairs), pct(s.base_pass_rate), pct(s.candidate_pass_rate), diff(s.pass_rate_difference, true),
        s.mean_score_difference === undefined ? '' : diff(s.mean_score_difference, false),
        `${s.mcnemar.pass_to_fail}/${s.mcnemar.fail_to_pass}`, p(s.mcnemar.p_value),
      ]);
      out += table(['CRITERION', 'PAIRS', 'BASE', 'CANDIDATE', 'PASS RATE Δ [95% CI]', 'MEAN SCORE Δ [95% CI]', 'P→F/F→P', 'MCNEMAR P'], rows, new Set([1, 2, 3]));
      for (const kind of show > 0 ? ['regression', 'fix'] : []) {
        const page = await conn.client.get(`/evals/${evalId}/compare/items`, { query: { ...query, kind, limit: show } }) as PairPage;
        if (page.data.length === 0) continue;
        out += `\n${kind === 'regression' ? 'regressions' : 'fixes'} (first ${page.data.length}):\n`;
        for (const pair of page.data) {
          const text = (s: { sample?: { output_text?: string } } | null) => JSON.stringify((s?.sample?.output_text ?? '').slice(0, 60));
          out += `  row ${pair.datasource_item_id}: ${text(pair.base)} → ${text(pair.candidate)}\n`;
        }
      }
      process.stdout.write(out);
    }
    return values['fail-on-regression'] && cmp.counts.regressions > 0 ? 1 : 0;
  } catch (e) {
    if ((e as Error).name === 'UsageError') throw e;
    process.stderr.write(`evald compare: ${describeApiError(e)}\n`);
    return 3;
  } finally {
    await conn.close();
  }
}
