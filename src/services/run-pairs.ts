import type { OutputItemRecord, Store } from '../storage/index.js';

/** How one row of the data fared in two runs. */
export type PairKind = 'regression' | 'fix' | 'unchanged' | 'errored' | 'unpaired';

export const PAIR_KINDS: readonly PairKind[] = ['regression', 'fix', 'unchanged', 'errored', 'unpaired'];

/** The two output items of one row (datasource_item_id); one side is null when only one run has it. */
export interface ItemPair {
  row: number;
  base: OutputItemRecord | null;
  candidate: OutputItemRecord | null;
}

/** An item's own error (`sample.error`), null when it was graded. */
export function itemError(item: OutputItemRecord): { code: string; message: string } | null {
  const error = (item.sample as { error?: { code: string; message: string } | null } | null)?.error;
  return error ?? null;
}

/**
 * Errored when either side errored (an error says nothing of the model's answer, so it is neither a pass
 * nor a fail); otherwise regression (pass → fail), fix (fail → pass) or unchanged.
 */
export function pairKind(pair: ItemPair): PairKind {
  const { base, candidate } = pair;
  if (!base || !candidate) return 'unpaired';
  if (itemError(base) || itemError(candidate)) return 'errored';
  if (base.status === candidate.status) return 'unchanged';
  return base.status === 'pass' ? 'regression' : 'fix';
}

const PAGE = 1000;

/** Reads one run in row order, a page at a time. */
async function* rowsOf(store: Store, project: string, evalId: string, runId: string, afterRow: number): AsyncGenerator<OutputItemRecord> {
  let after = afterRow;
  for (;;) {
    const page = await store.items.scan(project, evalId, runId, after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.datasource_item_id;
  }
}

/**
 * Both runs' items joined on datasource_item_id, in row order after `afterRow`: a merge of two keyset
 * scans, so memory stays at two pages whatever the runs' size.
 */
export async function* pairsOf(store: Store, project: string, evalId: string, baseRunId: string, candidateRunId: string, afterRow = -1): AsyncGenerator<ItemPair> {
  const base = rowsOf(store, project, evalId, baseRunId, afterRow);
  const candidate = rowsOf(store, project, evalId, candidateRunId, afterRow);
  let b = await base.next();
  let c = await candidate.next();
  while (!b.done || !c.done) {
    const bRow = b.done ? Infinity : b.value.datasource_item_id;
    const cRow = c.done ? Infinity : c.value.datasource_item_id;
    const row = Math.min(bRow, cRow);
    const pair: ItemPair = { row, base: bRow === row ? b.value as OutputItemRecord : null, candidate: cRow === row ? c.value as OutputItemRecord : null };
    if (pair.base) b = await base.next();
    if (pair.candidate) c = await candidate.next();
    yield pair;
  }
}
