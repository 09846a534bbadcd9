import { closeSync, openSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { csvField } from '../services/export.js';
import { UsageError } from './command.js';
import type { GateCheck } from './gates.js';

/** One item as `GET …/export` gives it (docs/extensions.md). */
export interface ExportRow {
  datasource_item_id: number;
  output_item_id: string;
  status: string;
  error: { code: string; message: string } | null;
  item: unknown;
  input: unknown;
  output_text: string | null;
  model: string | null;
  usage: { total_tokens?: number } | null;
  scores: Record<string, number | null>;
  passed: Record<string, boolean | null>;
}

/** A finished run as the outputs report it. */
export interface RunReport {
  id: string;
  name: string;
  model: string;
  status: string;
  error: { code: string; message: string } | null;
  counts: { total: number; passed: number; failed: number; errored: number };
  tokens: number;
  seconds: number;
  criteria: Array<{ name: string; pass_rate: number | null; mean_score: number | null }>;
  gates: GateCheck[];
}

/** Writes results as they stream: startRun, its rows, endRun, for each run, then close. */
export interface ResultWriter {
  startRun(run: Pick<RunReport, 'id' | 'name' | 'counts' | 'seconds'>): void;
  row(row: ExportRow): void;
  endRun(report: RunReport): void;
  close(reports: RunReport[]): void;
}

export type OutputFormat = 'jsonl' | 'csv' | 'json' | 'junit' | 'md';

/** The format a path's name says: .jsonl, .csv, .json, .xml (JUnit), .md. */
export function outputFormat(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  const format = ({ '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.json': 'json', '.xml': 'junit', '.md': 'md' } as const)[ext];
  if (!format) throw new UsageError(`--output ${path}: the name must end in .jsonl, .csv, .json, .xml (JUnit) or .md`);
  return format;
}

const xml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
  // XML 1.0 cannot hold most control characters at all, escaped or not.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Opens `path` and returns the writer of its format. */
export function openResultWriter(path: string, evalName: string, evalId: string): ResultWriter {
  const format = outputFormat(path);
  const fd = openSync(path, 'w');
  const write = (s: string) => { writeSync(fd, s); };
  let current = { id: '', name: '' };
  let csvColumns: string[] | null = null;
  let firstRow = true;
  let runsStarted = 0;
  const failures = new Map<string, ExportRow[]>();

  const writer: ResultWriter = {
    startRun(run) {
      current = run;
      firstRow = true;
      failures.set(run.id, []);
      if (format === 'json') write(`${runsStarted ? ',' : ''}{"run_id":${JSON.stringify(run.id)},"run_name":${JSON.stringify(run.name)},"items":[`);
      if (format === 'junit') write(`  <testsuite name="${xml(run.name)}" id="${xml(run.id)}" tests="${run.counts.total}" failures="${run.counts.failed}" errors="${run.counts.errored}" time="${run.seconds.toFixed(3)}">\n`);
      runsStarted++;
    },
    row(row) {
      const list = failures.get(current.id)!;
      if (row.status !== 'pass' && list.length < 10) list.push(row);
      if (format === 'jsonl') write(JSON.stringify({ run_id: current.id, run_name: current.name, ...row }) + '\n');
      else if (format === 'json') { write((firstRow ? '' : ',') + JSON.stringify(row)); firstRow = false; }
      else if (format === 'csv') {
        const names = Object.keys(row.scores);
        if (!csvColumns) {
          csvColumns = names;
          write(['run_id', 'run_name', 'datasource_item_id', 'output_item_id', 'status', 'error_code', 'error_message', 'item', 'output_text', 'model', 'total_tokens',
            ...names.flatMap((n) => [`${n} score`, `${n} passed`])].map(csvField).join(',') + '\r\n');
        }
        write([current.id, current.name, row.datasource_item_id, row.output_item_id, row.status, row.error?.code, row.error?.message, row.item, row.output_text,
          row.model, row.usage?.total_tokens, ...csvColumns.flatMap((n) => [row.scores[n], row.passed[n]])].map(csvField).join(',') + '\r\n');
      } else if (format === 'junit') {
        const name = `row ${row.datasource_item_id}`;
        let body = '';
        if (row.error) body = `<error type="${xml(row.error.code)}" message="${xml(row.error.message)}"/>`;
        else if (row.status !== 'pass') {
          const failed = Object.entries(row.passed).filter(([, p]) => p === false).map(([n]) => n);
          body = `<failure type="fail" message="${xml(`failed: ${failed.join(', ')}`)}">${xml(row.output_text ?? '')}</failure>`;
        }
        write(`    <testcase classname="${xml(current.name)}" name="${xml(name)}">${body}</testcase>\n`);
      }
    },
    endRun(report) {
      if (format === 'json') write(`],"summary":${JSON.stringify(report)}}`);
      if (format === 'junit') {
        for (const g of report.gates) {
          write(`    <testcase classname="${xml(report.name)}.gates" name="${xml(`${g.label} ${g.target}`)}">${g.ok ? '' : `<failure type="gate" message="${xml(`${g.label} is ${g.actual}, needs ${g.target}`)}"/>`}</testcase>\n`);
        }
        write('  </testsuite>\n');
      }
    },
    close(reports) {
      if (format === 'md') write(markdown(evalName, evalId, reports, failures));
      if (format === 'json') write(']}\n');
      if (format === 'junit') write('</testsuites>\n');
      closeSync(fd);
    },
  };
  if (format === 'json') write(`{"eval_id":${JSON.stringify(evalId)},"eval_name":${JSON.stringify(evalName)},"runs":[`);
  if (format === 'junit') write(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(evalName)}">\n`);
  return writer;
}

/** A summary that reads well as a CI comment: one table of runs, criteria and gates, then the first failures. */
function markdown(evalName: string, evalId: string, reports: RunReport[], failures: Map<string, ExportRow[]>): string {
  const lines = [`## evald: ${cell(evalName)}`, '', `Eval \`${evalId}\``, '',
    '| run | model | status | items | passed | failed | errored | pass rate | gates |', '|---|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of reports) {
    const gates = r.gates.length === 0 ? '-' : r.gates.every((g) => g.ok) ? '✅ pass' : `❌ ${r.gates.filter((g) => !g.ok).map((g) => `${g.label} ${g.actual} (needs ${g.target})`).join('; ')}`;
    lines.push(`| ${cell(r.name)} | ${cell(r.model || '-')} | ${r.status} | ${r.counts.total} | ${r.counts.passed} | ${r.counts.failed} | ${r.counts.errored} | ${pct(r.counts.total ? r.counts.passed / r.counts.total : null)} | ${cell(gates)} |`);
  }
  for (const r of reports) {
    lines.push('', `### ${cell(r.name)}`, '');
    if (r.error) lines.push(`Run failed: \`${r.error.code}\`: ${cell(r.error.message)}`, '');
    lines.push('| criterion | pass rate | mean score |', '|---|---:|---:|');
    for (const c of r.criteria) lines.push(`| ${cell(c.name)} | ${pct(c.pass_rate)} | ${c.mean_score === null ? '-' : c.mean_score.toFixed(3)} |`);
    const failed = failures.get(r.id) ?? [];
    if (failed.length) {
      lines.push('', `First ${failed.length} item(s) that did not pass:`, '', '| row | why | output |', '|---:|---|---|');
      for (const f of failed) {
        const why = f.error ? `error \`${f.error.code}\`: ${f.error.message}` : `failed ${Object.entries(f.passed).filter(([, p]) => p === false).map(([n]) => n).join(', ')}`;
        lines.push(`| ${f.datasource_item_id} | ${cell(why).slice(0, 200)} | ${cell(f.output_text ?? '').slice(0, 120)} |`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
