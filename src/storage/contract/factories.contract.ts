// Records shaped like the ones the services and the engine write. Files under contract/ end in
// `.contract.ts` so the build (tsconfig.build.json) leaves them out, as it does the suite itself.
import { createHash, randomBytes } from 'node:crypto';
import { newFileId, newId } from '../../domain/ids.js';
import type { Store } from '../store.js';
import type { EvalRecord, FileRecord, GradedItem, KeyRecord, RunRecord } from '../types.js';

/** A fixed "now" in seconds (2026-09-21); leases count in milliseconds from T0_MS. */
export const T0 = 1_790_000_000;
export const T0_MS = T0 * 1000;
export const MODEL = 'gpt-4o-mini';
export const CRITERIA = [
  { id: 'exact-label-0f3a', type: 'string_check', name: 'Exact label', input: '{{sample.output_text}}', reference: '{{item.label}}', operation: 'eq' },
  { id: 'polite-9c21', type: 'label_model', name: 'Polite', model: MODEL, input: [], labels: ['polite', 'rude'], passing_labels: ['polite'] },
];

/** A project name no other test uses. */
export const aProject = () => `proj_${randomBytes(4).toString('hex')}`;

export function aKey(project: string, over: Partial<KeyRecord> = {}): KeyRecord & { key_hash: string } {
  const key = `sk-evald-${randomBytes(24).toString('base64url')}`;
  return {
    id: newId('key_'), project, name: 'ci', prefix: key.slice(0, 14), created_at: T0, revoked_at: null,
    key_hash: createHash('sha256').update(key).digest('hex'), ...over,
  };
}

export function anEval(project: string, over: Partial<EvalRecord> = {}): EvalRecord {
  const at = over.created_at ?? T0;
  return {
    id: newId('eval_', at * 1000), project, name: 'Support ticket triage',
    data_source_config: {
      type: 'custom', include_sample_schema: true,
      item_schema: { type: 'object', properties: { ticket: { type: 'string' }, label: { type: 'string' } }, required: ['ticket', 'label'] },
    },
    testing_criteria: CRITERIA,
    metadata: { team: 'support', owner: 'ana' },
    created_at: at, updated_at: at, ...over,
  };
}

export function aRun(e: EvalRecord, over: Partial<RunRecord> = {}): RunRecord {
  const at = over.created_at ?? T0;
  return {
    id: newId('evalrun_', at * 1000), eval_id: e.id, project: e.project, name: MODEL, model: MODEL, status: 'queued',
    data_source: {
      type: 'completions', model: MODEL, source: { type: 'file_id', id: newFileId() },
      input_messages: { type: 'template', template: [{ role: 'user', content: 'Label this ticket: {{item.ticket}}' }] },
      sampling_params: { temperature: 0, max_completion_tokens: 16 },
    },
    metadata: { commit: 'a1b2c3d' }, error: null,
    counts: { total: 0, passed: 0, failed: 0, errored: 0 }, per_criteria: null, per_model_usage: null,
    created_at: at, updated_at: at, lease_owner: null, lease_expires_at: null, ...over,
  };
}

const TICKETS = ['I was charged twice this month', 'The app crashes when I log in', 'How do I export my data?'];
const LABELS = ['billing', 'bug', 'how-to'];

/**
 * The graded item for source row `row` of `run`: `passed` passes both criteria, `failed` fails the first,
 * `errored` has the second criterion's grader fail. Usage: one sampling call plus one label_model call.
 */
export function aGradedItem(run: RunRecord, row: number, outcome: GradedItem['outcome'] = 'passed'): GradedItem {
  const label = LABELS[row % 3]!;
  const firstPassed = outcome !== 'failed';
  const secondPassed = outcome === 'passed';
  const error = outcome === 'errored' ? { code: 'grader_error', message: 'Polite: upstream returned 500' } : null;
  const usage = { prompt_tokens: 40 + row, completion_tokens: 3, total_tokens: 43 + row, cached_tokens: row % 2 ? 16 : 0 };
  return {
    record: {
      id: newId('outputitem_', T0_MS + row), run_id: run.id, eval_id: run.eval_id, project: run.project,
      datasource_item_id: row, status: outcome === 'passed' ? 'pass' : 'fail',
      datasource_item: { ticket: TICKETS[row % 3], label },
      results: [
        { name: CRITERIA[0]!.name, type: 'string_check', score: firstPassed ? 1 : 0, passed: firstPassed },
        { name: CRITERIA[1]!.name, type: 'label_model', score: secondPassed ? 1 : 0, passed: secondPassed },
      ],
      sample: {
        model: MODEL, output_text: firstPassed ? label : 'other', finish_reason: 'stop', error,
        usage: { ...usage },
      },
      created_at: T0 + 1,
    },
    outcome,
    criteria: [{ id: CRITERIA[0]!.id, passed: firstPassed }, { id: CRITERIA[1]!.id, passed: secondPassed }],
    usage: [{ model: MODEL, usage }, { model: 'gpt-4.1-nano', usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21, cached_tokens: 0 } }],
  };
}

/** An upload as FilesService starts it: a row in status `uploading`, bytes still to come. */
export function anUpload(project: string, over: Partial<FileRecord> = {}): FileRecord {
  return { id: newFileId(), project, filename: 'tickets.jsonl', purpose: 'pending', bytes: 0, status: 'uploading', created_at: T0, expires_at: null, ...over };
}

/** Stores `chunks` as a finished file and returns its record as get() should return it. */
export async function aStoredFile(store: Store, project: string, chunks: Uint8Array[], over: Partial<FileRecord> = {}): Promise<FileRecord> {
  const upload = anUpload(project, over);
  await store.files.insert(upload);
  for (const [seq, chunk] of chunks.entries()) await store.files.appendChunk(upload.id, seq, chunk);
  const done = { bytes: chunks.reduce((n, c) => n + c.byteLength, 0), purpose: over.purpose ?? 'evals', created_at: upload.created_at, expires_at: upload.expires_at };
  await store.files.finish(upload.id, done);
  return { ...upload, ...done, status: 'processed' };
}

/** An eval with one run claimed by `owner` (the store must hold no other claimable run). */
export async function aClaimedRun(store: Store, owner = 'worker-a', project = aProject()): Promise<{ evalRecord: EvalRecord; run: RunRecord }> {
  const evalRecord = anEval(project);
  await store.evals.insert(evalRecord);
  const queued = aRun(evalRecord);
  await store.runs.insert(queued);
  const run = await store.runs.claim(owner, 60_000, T0_MS);
  if (run?.id !== queued.id) throw new Error(`expected to claim ${queued.id}, claimed ${run?.id}`);
  return { evalRecord, run };
}

/** Everything `chunks()` yields, joined. */
export async function readAll(store: Store, fileId: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of store.files.chunks(fileId)) parts.push(chunk);
  return Buffer.concat(parts);
}
