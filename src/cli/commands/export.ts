import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE } from '../connect.js';

export const usage = `Usage: evald export RUN_ID [--eval EVAL_ID] [--format jsonl|csv] [--output PATH] [--base-url URL]

Writes every item of a run (its row, input, output, scores and error) as JSONL or CSV, streamed: memory
stays flat whatever the run's size. docs/extensions.md describes the row.

Options:
  --eval EVAL_ID   the run's eval (found by looking through the evals when not given)
  --format F       jsonl (default) or csv; an --output name ending in .csv picks csv
  --output PATH    write to PATH instead of standard output

${CONNECTION_USAGE}`;

/** `evald export RUN`: the server's export route, piped to stdout or a file. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, eval: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' } },
  });
  if (positionals.length !== 1) throw new UsageError('which run? evald export RUN_ID');
  const format = values.format ?? (values.output?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got '${format}'`);
  const [{ connect }, { evalOfRun, exportResponse, describeApiError }, { pipeline }, { Readable }, { createWriteStream }] = await Promise.all([
    import('../connect.js'), import('../server-calls.js'), import('node:stream/promises'), import('node:stream'), import('node:fs'),
  ]);
  const conn = await connect(values['base-url']);
  try {
    const evalId = await evalOfRun(conn.client, positionals[0]!, values.eval);
    const response = await exportResponse(conn.client, evalId, positionals[0]!, format);
    await pipeline(Readable.fromWeb(response.body as never), values.output ? createWriteStream(values.output) : process.stdout);
    if (values.output) process.stderr.write(`wrote ${values.output}\n`);
    return 0;
  } catch (e) {
    if ((e as Error).name === 'UsageError') throw e;
    process.stderr.write(`evald export: ${describeApiError(e)}\n`);
    return 1;
  } finally {
    await conn.close();
  }
}
