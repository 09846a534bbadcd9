import { ApiError } from '../api/errors.js';
import type { EvalRecord, OutputItemRecord, Store } from '../storage/index.js';
import { itemError } from './run-pairs.js';

export type ExportFormat = 'jsonl' | 'csv';

type ResultLike = { name?: string; score?: unknown; passed?: unknown; sample?: { error?: unknown } | null };
type SampleLike = { input?: unknown; output_text?: unknown; model?: unknown; usage?: { total_tokens?: unknown } | null } | null;

/** Criterion ids → the names an export uses as keys; a repeated name gets `#2`, `#3`, … */
function criterionNames(evalRecord: EvalRecord): Array<{ id: string; name: string }> {
  const seen = new Map<string, number>();
  return evalRecord.testing_criteria.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return { id: c.id, name: n === 1 ? c.name : `${c.name}#${n}` };
  });
}

/** One exported row (the JSONL line; the CSV columns flatten it): docs/extensions.md describes it. */
export function exportRow(item: OutputItemRecord, criteria: Array<{ id: string; name: string }>) {
  const sample = item.sample as SampleLike;
  const byId = new Map((item.results as ResultLike[]).map((r) => [r.name, r]));
  const scores: Record<string, number | null> = {};
  const passed: Record<string, boolean | null> = {};
  for (const c of criteria) {
    // A criterion that errored has no score: its stored 0 / false is not a judgement of the answer.
    const found = byId.get(c.id);
    const r = found?.sample?.error ? undefined : found;
    scores[c.name] = typeof r?.score === 'number' ? r.score : null;
    passed[c.name] = typeof r?.passed === 'boolean' ? r.passed : null;
  }
  return {
    datasource_item_id: item.datasource_item_id,
    output_item_id: item.id,
    status: item.status,
    error: itemError(item),
    item: item.datasource_item,
    input: sample?.input ?? null,
    output_text: typeof sample?.output_text === 'string' ? sample.output_text : null,
    model: typeof sample?.model === 'string' ? sample.model : null,
    usage: sample?.usage ?? null,
    scores,
    passed,
  };
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(criteria: Array<{ name: string }>): string[] {
  return ['datasource_item_id', 'output_item_id', 'status', 'error_code', 'error_message', 'item', 'input', 'output_text', 'model', 'total_tokens',
    ...criteria.flatMap((c) => [`${c.name} score`, `${c.name} passed`])];
}

function csvLine(row: ReturnType<typeof exportRow>, criteria: Array<{ name: string }>): string {
  const fields = [row.datasource_item_id, row.output_item_id, row.status, row.error?.code, row.error?.message, row.item, row.input,
    row.output_text, row.model, row.usage?.total_tokens, ...criteria.flatMap((c) => [row.scores[c.name], row.passed[c.name]])];
  return fields.map(csvField).join(',') + '\r\n';
}

const PAGE = 500;

/** evald's extension: a run's items as JSONL or CSV text, produced a page at a time (flat memory). */
export class ExportService {
  constructor(private readonly store: Store) {}

  /** Checks the run exists (404 before any byte is sent) and returns its pages of text, in row order. */
  async open(project: string, evalId: string, runId: string, format: ExportFormat): Promise<AsyncGenerator<string>> {
    const evalRecord = await this.store.evals.get(project, evalId);
    if (!evalRecord) throw ApiError.notFound('eval', evalId, 'eval_id');
    if (!(await this.store.runs.get(project, evalId, runId))) throw ApiError.notFound('eval run', runId, 'run_id');
    const criteria = criterionNames(evalRecord);
    const store = this.store;
    return (async function* () {
      if (format === 'csv') yield csvHeader(criteria).map(csvField).join(',') + '\r\n';
      let after = -1;
      for (;;) {
        const page = await store.items.scan(project, evalId, runId, after, PAGE);
        if (page.length === 0) return;
        let text = '';
        for (const item of page) {
          const row = exportRow(item, criteria);
          text += format === 'csv' ? csvLine(row, criteria) : JSON.stringify(row) + '\n';
        }
        yield text;
        if (page.length < PAGE) return;
        after = page[page.length - 1]!.datasource_item_id;
      }
    })();
  }
}
