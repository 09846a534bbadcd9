import { basename } from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { connect, type Connection } from './connect.js';
import type { EvalFile, Gates } from './eval-file.js';
import { checkGates, type RunOutcome } from './gates.js';
import type { LocalData } from './local-data.js';
import { ProgressDisplay, type RunProgress } from './progress.js';
import { openResultWriter, type ResultWriter, type RunReport } from './results-output.js';
import { describeApiError, exportRows, isClientError } from './server-calls.js';
import { table } from './table.js';

export interface ExecuteOptions {
  file: EvalFile;
  gates: Gates;
  data: Map<string, LocalData>;
  outputs: string[];
  baseUrl: string | undefined;
  definition: string;
}

type Run = Awaited<ReturnType<OpenAI['evals']['runs']['retrieve']>>;
const FINISHED = new Set(['completed', 'failed', 'canceled']);
const tokensOf = (r: Run) => (r.per_model_usage ?? []).reduce((s, u) => s + (u.total_tokens ?? 0), 0);

/** A refusal of what the file asked for (a 4xx): the file is wrong, exit 2. Anything else: exit 3. */
class Refused extends Error {}

async function findOrCreateEval(client: OpenAI, file: EvalFile, definition: string) {
  for await (const ev of client.evals.list({ limit: 100, order: 'desc' })) {
    if (ev.name === file.name && ev.metadata?.evald_definition === definition) return { ev, reused: true };
  }
  try {
    const ev = await client.evals.create({
      name: file.name,
      metadata: { ...file.metadata, evald_definition: definition },
      data_source_config: file.data_source_config,
      testing_criteria: file.testing_criteria,
    } as never);
    return { ev, reused: false };
  } catch (e) {
    if (isClientError(e)) throw new Refused(`the eval was refused: ${describeApiError(e)}`);
    throw e;
  }
}

/** Creates the eval and runs of an eval file, follows them to the end, reports, and returns the exit code. */
export async function executeRuns(o: ExecuteOptions): Promise<number> {
  let conn: Connection | undefined;
  const err = process.stderr;
  try {
    conn = await connect(o.baseUrl);
    const client = conn.client;
    const { ev, reused } = await findOrCreateEval(client, o.file, o.definition);
    err.write(`${reused ? 'reusing' : 'created'} eval '${ev.name}' (${ev.id})${conn.inProcess ? ', on the local store' : ` at ${conn.baseUrl}`}\n`);

    const uploaded = new Map<string, string>();
    for (const [path, d] of o.data) {
      const f = await client.files.create({ file: await toFile(d.jsonl, `${basename(path).replace(/\.[^.]+$/, '')}.jsonl`), purpose: 'evals' });
      uploaded.set(path, f.id);
    }

    const runs: Array<{ run: Run; total: number | null; startedMs: number }> = [];
    for (const [i, plan] of o.file.runs.entries()) {
      const dataSource = plan.dataPath ? { ...plan.dataSource, source: { type: 'file_id', id: uploaded.get(plan.dataPath)! } } : plan.dataSource;
      const source = dataSource.source as { type?: string; content?: unknown[] } | undefined;
      const total = plan.dataPath ? o.data.get(plan.dataPath)!.rows : source?.type === 'file_content' && Array.isArray(source.content) ? source.content.length : null;
      try {
        const run = await client.evals.runs.create(ev.id, { name: plan.name, metadata: plan.metadata, data_source: dataSource } as never) as unknown as Run;
        runs.push({ run, total, startedMs: Date.now() });
      } catch (e) {
        if (isClientError(e)) throw new Refused(`runs[${i}] was refused: ${describeApiError(e)}`);
        throw e;
      }
    }

    const display = new ProgressDisplay(err);
    const label = (r: Run) => r.name;
    const width = Math.max(...runs.map((r) => label(r.run).length));
    const progress = () => runs.map((r): RunProgress => ({
      label: label(r.run).padEnd(width), status: r.run.status, total: r.total, done: r.run.result_counts.total,
      passed: r.run.result_counts.passed, errored: r.run.result_counts.errored, tokens: tokensOf(r.run), startedMs: r.startedMs,
    }));
    const pollMs = err.isTTY ? 500 : 1000;
    const finishedAt = new Map<string, number>();
    for (;;) {
      await Promise.all(runs.map(async (r) => {
        if (FINISHED.has(r.run.status)) return;
        r.run = await client.evals.runs.retrieve(r.run.id, { eval_id: ev.id });
        if (FINISHED.has(r.run.status)) finishedAt.set(r.run.id, Date.now());
      }));
      display.update(progress());
      if (runs.every((r) => FINISHED.has(r.run.status))) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }

    const writers: ResultWriter[] = o.outputs.map((path) => openResultWriter(path, ev.name, ev.id));
    const criteriaNames = (ev.testing_criteria as Array<{ name: string }>).map((c) => c.name);
    const reports: RunReport[] = [];
    for (const r of runs) {
      const seconds = ((finishedAt.get(r.run.id) ?? Date.now()) - r.startedMs) / 1000;
      const base = { id: r.run.id, name: r.run.name, counts: r.run.result_counts, seconds };
      for (const w of writers) w.startRun(base);
      const tallies: RunOutcome['criteria'] = {};
      for await (const row of exportRows(client, ev.id, r.run.id)) {
        for (const [name, score] of Object.entries(row.scores)) {
          const t = (tallies[name] ??= { graded: 0, passed: 0, scoreSum: 0 });
          if (score === null) continue;
          t.graded++;
          t.passed += row.passed[name] ? 1 : 0;
          t.scoreSum += score;
        }
        for (const w of writers) w.row(row);
      }
      for (const name of criteriaNames) tallies[name] ??= { graded: 0, passed: 0, scoreSum: 0 };
      const outcome: RunOutcome = { status: r.run.status, counts: r.run.result_counts, criteria: tallies };
      const report: RunReport = {
        ...base, model: r.run.model, status: r.run.status, error: (r.run.error as RunReport['error']) ?? null, tokens: tokensOf(r.run),
        criteria: Object.entries(tallies).map(([name, t]) => ({ name, pass_rate: t.graded ? t.passed / t.graded : null, mean_score: t.graded ? t.scoreSum / t.graded : null })),
        gates: checkGates(outcome, o.gates),
      };
      for (const w of writers) w.endRun(report);
      reports.push(report);
    }
    for (const w of writers) w.close(reports);
    process.stdout.write(summary(ev.name, ev.id, reports));
    for (const path of o.outputs) err.write(`wrote ${path}\n`);
    if (reports.length >= 2) err.write(`compare two runs: evald compare ${reports[0]!.id} ${reports[1]!.id} --eval ${ev.id}\n`);

    if (reports.some((r) => r.status !== 'completed')) return 3;
    return reports.some((r) => r.gates.some((g) => !g.ok)) ? 1 : 0;
  } catch (e) {
    if (e instanceof Refused) {
      err.write(`evald run: ${e.message}\n`);
      return 2;
    }
    if ((e as Error).name === 'UsageError') throw e;
    err.write(`evald run: ${describeApiError(e)}\n`);
    return 3;
  } finally {
    await conn?.close();
  }
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** The summary on stdout: one row per run, then each run's criteria, gates and failure. */
export function summary(evalName: string, evalId: string, reports: RunReport[]): string {
  const right = new Set([3, 4, 5, 6, 7, 8, 9]);
  let out = `\neval '${evalName}' (${evalId})\n\n` + table(
    ['RUN', 'MODEL', 'STATUS', 'ITEMS', 'PASSED', 'FAILED', 'ERRORED', 'PASS RATE', 'TOKENS', 'TIME'],
    reports.map((r) => [r.name, r.model || '-', r.status, String(r.counts.total), String(r.counts.passed), String(r.counts.failed), String(r.counts.errored),
      pct(r.counts.total ? r.counts.passed / r.counts.total : null), String(r.tokens), `${r.seconds.toFixed(1)}s`]),
    right,
  );
  for (const r of reports) {
    out += `\n${r.name} (${r.id})\n`;
    if (r.error) out += `  run ${r.status}: ${r.error.code}: ${r.error.message}\n`;
    out += table(['  CRITERION', 'PASS RATE', 'MEAN SCORE'], r.criteria.map((c) => [`  ${c.name}`, pct(c.pass_rate), c.mean_score === null ? '-' : c.mean_score.toFixed(3)]), new Set([1, 2]));
    for (const g of r.gates) out += `  gate ${g.label} ${g.actual}, needs ${g.target}: ${g.ok ? 'ok' : 'FAILED'}\n`;
  }
  return out;
}
