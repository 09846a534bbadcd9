import { normalizeMessage } from '../../providers/messages.js';
import type { ChatCompletion } from '../../providers/openai-chat.js';
import type { ResponseObject } from '../../providers/openai-responses.js';
import type { EvalRecord, LogFilter, LogRecord, RunRecord, Store } from '../../storage/index.js';
import { fromChatCompletion } from '../sampling/completions.js';
import { toSampleMessage } from '../sampling/input-messages.js';
import { fromResponse } from '../sampling/responses.js';
import { recordedParams, successSample } from '../sampling/sample.js';
import type { RowRange, SourceRow } from './rows.js';

type Json = Record<string, unknown>;
const PAGE = 500;

/** Whether a run's source is a query over stored logs. */
export const isLogSource = (type: string): boolean => type === 'stored_completions' || type === 'responses';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);

/**
 * The log query of a run: its source's filters AND the eval's `logs` / `stored_completions` config
 * metadata. Null when the two metadata filters ask for different values of one key (nothing matches).
 */
export function logFilterOf(source: Json, evalConfig: Json): LogFilter | null {
  const metadata: Record<string, string> = {};
  for (const m of [evalConfig.metadata, source.metadata]) {
    if (!m || typeof m !== 'object') continue;
    for (const [k, v] of Object.entries(m)) {
      if (k in metadata && metadata[k] !== String(v)) return null;
      metadata[k] = String(v);
    }
  }
  return {
    kind: source.type === 'responses' ? 'response' : 'chat.completion',
    model: str(source.model),
    metadata: Object.keys(metadata).length ? metadata : undefined,
    createdAfter: num(source.created_after),
    createdBefore: num(source.created_before),
    users: strings(source.users),
    temperature: num(source.temperature),
    topP: num(source.top_p),
    reasoningEffort: str(source.reasoning_effort),
    instructionsSearch: str(source.instructions_search),
    tools: strings(source.tools),
  };
}

/**
 * Streams the logs a run grades. The selection is fixed the first time the run executes (a resumed run
 * reads the same logs at the same positions); a log deleted since is an errored item.
 */
export async function* readLogRows(store: Store, run: RunRecord, evalRecord: EvalRecord, range?: RowRange): AsyncGenerator<SourceRow> {
  await selectLogs(store, run, evalRecord);
  const to = range?.to ?? Infinity;
  for (let after = (range?.from ?? 0) - 1; ;) {
    const page = await store.logs.runLogs(run.id, run.project, after, PAGE);
    if (page.length === 0) return;
    for (const { seq, logId, log } of page) {
      if (seq >= to) return;
      yield log ? logRow(seq, log) : { index: seq, item: { id: logId }, error: { code: 'log_not_found', message: `log '${logId}' was deleted after the run selected it` } };
    }
    after = page[page.length - 1]!.seq;
  }
}

/** Fixes the run's selection of logs if it is not fixed yet; how many logs it holds. */
export function selectLogs(store: Store, run: RunRecord, evalRecord: EvalRecord): Promise<number> {
  const source = (run.data_source as { source: Json }).source;
  const filter = logFilterOf(source, evalRecord.data_source_config);
  const limit = filter ? num(source.limit) ?? null : 0;
  return store.logs.fixRunSelection(run.id, run.project, filter ?? { kind: 'chat.completion' }, limit, Math.floor(Date.now() / 1000));
}

/** The messages of a responses request's input (instructions first, as a system message). */
function responsesInput(request: Json): unknown[] {
  const input = request.input;
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input as Json[] : [];
  const messages: unknown[] = items.filter((i) => (i.type === undefined || i.type === 'message') && typeof i.role === 'string');
  if (typeof request.instructions === 'string') messages.unshift({ role: 'system', content: request.instructions });
  return messages;
}

/**
 * One log as a run's row. `item` holds the log's request side: `input` (its messages, system first),
 * `id`, `model`, `created_at`, `metadata`, `user`, `tools`, `instructions`, `temperature`, `top_p`,
 * `reasoning_effort`. `sample` is its stored answer in the sample namespace's shape.
 */
export function logRow(index: number, log: LogRecord): SourceRow {
  const request = JSON.parse(log.request) as Json;
  const answer = JSON.parse(log.response) as Json;
  const chat = log.kind === 'chat.completion';
  const input = chat ? (Array.isArray(request.messages) ? request.messages : []) : responsesInput(request);
  const item: Json = {
    input,
    id: log.id,
    model: log.model,
    created_at: log.created_at,
    metadata: JSON.parse(log.metadata),
    user: log.user_id,
    tools: request.tools ?? null,
    instructions: log.instructions,
    temperature: log.temperature,
    top_p: log.top_p,
    reasoning_effort: log.reasoning_effort,
  };
  const sampleInput = input.flatMap((m) => {
    try {
      return [toSampleMessage(normalizeMessage(m))];
    } catch {
      return [];
    }
  });
  const params = recordedParams({
    temperature: log.temperature, top_p: log.top_p, seed: num(request.seed),
    max_completion_tokens: num(request.max_completion_tokens) ?? num(request.max_tokens) ?? num(request.max_output_tokens),
  });
  try {
    const output = chat
      ? fromChatCompletion(answer as unknown as ChatCompletion, log.request_model)
      : fromResponse(answer as unknown as ResponseObject, log.request_model);
    return { index, item, sample: successSample(sampleInput, params, output) as unknown as Json };
  } catch (e) {
    return { index, item, error: { code: 'invalid_log', message: `log '${log.id}' has no readable answer: ${(e as Error).message}` } };
  }
}
