import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE } from '../connect.js';

export const usage = `Usage: evald run FILE [--min-pass-rate R] [--max-errored N] [--output PATH]… [--base-url URL]

Runs the eval file FILE (YAML or JSON): creates the eval (or reuses the one of that name and definition),
uploads each local data file, starts one run per entry of \`runs\`, shows their progress, prints a summary
per run and checks the gates.

  name, data_source_config, testing_criteria   the eval, as the API takes them
  runs: [{name?, metadata?, data_source}]      one run each (e.g. one per model); data_source as the API
                                               takes it, whose \`source\` may be a local file: a path, or
                                               {type: file, path}; a path is relative to FILE
  data: rows.jsonl                             the local file of every run that names no source
  gates: {min_pass_rate, max_errored, criteria: {NAME: {min_pass_rate, min_mean_score}}}

Data files: .jsonl, a row per line ({"item": {...}, "sample": {...}} or the item object itself), or .csv
with a header row (values are strings; \`sample.x\` columns go to the row's sample).

Options:
  --min-pass-rate R   every run's passed items / all items (errored ones count as not passed) ≥ R, a share
                      in [0, 1] or a percentage (80%); overrides the file's gates.min_pass_rate
  --max-errored N     at most N errored items per run; overrides gates.max_errored
  --output PATH       write the results, by the name's ending: .jsonl, .csv, .json, .xml (JUnit), .md
                      (a summary for a CI comment); may be given more than once

Exit status: 0 every run met its gates, 1 a gate failed, 2 a usage error (this command, FILE or a data file
refused), 3 a run failed or was canceled, or the server could not be reached.

${CONNECTION_USAGE}`;

function share(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const percent = raw.trim().endsWith('%');
  const value = Number(percent ? raw.trim().slice(0, -1) : raw) / (percent ? 100 : 1);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`${flag} must be a share in [0, 1] or a percentage, got '${raw}'`);
  return value;
}

function count(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} must be a whole number ≥ 0, got '${raw}'`);
  return value;
}

/** The eval's definition, hashed into its metadata so a changed file makes a new eval instead of reusing. */
export function definitionHash(dataSourceConfig: unknown, testingCriteria: unknown): string {
  return createHash('sha256').update(JSON.stringify([dataSourceConfig, testingCriteria])).digest('hex').slice(0, 16);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      'min-pass-rate': { type: 'string' },
      'max-errored': { type: 'string' },
      output: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one eval file, not ${positionals.length}` : 'which eval file? evald run FILE');
  const flags = { minPassRate: share(values['min-pass-rate'], '--min-pass-rate'), maxErrored: count(values['max-errored'], '--max-errored') };
  const outputs = values.output ?? [];
  const [{ loadEvalFile }, { readLocalData }, { mergeGates }, { outputFormat }] = await Promise.all([
    import('../eval-file.js'), import('../local-data.js'), import('../gates.js'), import('../results-output.js'),
  ]);
  for (const o of outputs) outputFormat(o);
  const file = await loadEvalFile(positionals[0]!);
  const gates = mergeGates(file.gates, flags);
  const data = new Map<string, Awaited<ReturnType<typeof readLocalData>>>();
  for (const r of file.runs) if (r.dataPath && !data.has(r.dataPath)) data.set(r.dataPath, await readLocalData(r.dataPath));

  const { executeRuns } = await import('../run-eval-file.js');
  return executeRuns({ file, gates, data, outputs, baseUrl: values['base-url'], definition: definitionHash(file.data_source_config, file.testing_criteria) });
}
