import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type OpenAI from 'openai';
import { UsageError } from './command.js';
import type { ExportRow } from './results-output.js';

const status = (e: unknown) => (e as { status?: number }).status;

/** The eval a run belongs to: `evalId` when given, else found by trying each eval (the API has no run-only route). */
export async function evalOfRun(client: OpenAI, runId: string, evalId?: string): Promise<string> {
  if (evalId) return evalId;
  for await (const ev of client.evals.list({ limit: 100 })) {
    try {
      await client.evals.runs.retrieve(runId, { eval_id: ev.id });
      return ev.id;
    } catch (e) {
      if (status(e) !== 404) throw e;
    }
  }
  throw new UsageError(`no run '${runId}' in any eval this key can see`, false);
}

/** The export route's response (docs/extensions.md), its body not yet read. */
export async function exportResponse(client: OpenAI, evalId: string, runId: string, format: 'jsonl' | 'csv'): Promise<Response> {
  // The SDK's generic get sends the key and maps error envelopes to its error classes; the binary flag
  // leaves the body unread, so it streams.
  return client.get(`/evals/${evalId}/runs/${runId}/export`, { query: { format }, __binaryResponse: true } as never).asResponse();
}

/** A run's exported rows, parsed a line at a time as they arrive. */
export async function* exportRows(client: OpenAI, evalId: string, runId: string): AsyncGenerator<ExportRow> {
  const response = await exportResponse(client, evalId, runId, 'jsonl');
  const lines = createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as ExportRow;
}

/** An API error as one line: the server's message and the field it names. */
export function describeApiError(e: unknown): string {
  const err = e as { status?: number; message?: string; param?: string | null; error?: { message?: string } };
  const message = err.error?.message ?? err.message ?? String(e);
  return `${err.status ? `${err.status} ` : ''}${message}${err.param ? ` (param: ${err.param})` : ''}`;
}

export const isClientError = (e: unknown) => { const s = status(e); return s !== undefined && s >= 400 && s < 500; };
