import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { paramPath } from '../api/validate.js';
import { UsageError } from './command.js';

const Threshold = z.number().min(0).max(1);

/** Gates: what a run must reach for `evald run` to exit 0. Rates are shares in [0, 1]. */
export const Gates = z.strictObject({
  min_pass_rate: Threshold.optional(),
  max_errored: z.number().int().min(0).optional(),
  /** Keyed by criterion name. */
  criteria: z.record(z.string(), z.strictObject({ min_pass_rate: Threshold.optional(), min_mean_score: z.number().optional() })).optional(),
});
export type Gates = z.infer<typeof Gates>;

const RunSpec = z.strictObject({
  name: z.string().min(1).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  data_source: z.looseObject({ type: z.string(), source: z.unknown().optional() }),
});

const EvalFileSchema = z.strictObject({
  name: z.string().min(1),
  metadata: z.record(z.string(), z.string()).optional(),
  data_source_config: z.looseObject({ type: z.string() }),
  testing_criteria: z.array(z.looseObject({ type: z.string(), name: z.string() })).min(1),
  /** A local JSONL or CSV file: the source of every run that names none. */
  data: z.string().min(1).optional(),
  runs: z.array(RunSpec).min(1),
  gates: Gates.optional(),
});

/** A run of the file with its source resolved: a local file to upload, or a source the API takes as it is. */
export interface RunPlan {
  name: string | undefined;
  metadata: Record<string, string> | undefined;
  dataSource: Record<string, unknown>;
  /** Absolute path of the local data file, when the source is one. */
  dataPath: string | null;
}

export interface EvalFile {
  path: string;
  name: string;
  metadata: Record<string, string> | undefined;
  data_source_config: Record<string, unknown>;
  testing_criteria: Array<Record<string, unknown>>;
  runs: RunPlan[];
  gates: Gates;
}

/** Parses a YAML (.yaml/.yml) or JSON eval file; every mistake is a UsageError naming its field. */
export async function loadEvalFile(path: string): Promise<EvalFile> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${path}: ${(e as Error).message}`, false); }
  let raw: unknown;
  try {
    if (['.yaml', '.yml'].includes(extname(path).toLowerCase())) raw = (await import('yaml')).parse(text);
    else raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`, false);
  }
  const parsed = EvalFileSchema.safeParse(raw);
  if (!parsed.success) {
    // An unknown field first: a misspelt one is usually why a required one is missing.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
    const where = paramPath(issue.path) || 'the file';
    const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
    throw new UsageError(`${path}: ${where}: ${detail}`, false);
  }
  const f = parsed.data;
  const base = dirname(resolve(path));
  const runs = f.runs.map((r, i): RunPlan => {
    const { source, ...rest } = r.data_source;
    const local = (p: string) => ({ dataSource: rest, dataPath: resolve(base, p) });
    let resolved: Pick<RunPlan, 'dataSource' | 'dataPath'>;
    if (source === undefined) {
      if (!f.data) throw new UsageError(`${path}: runs[${i}].data_source.source: missing; give one, or a top-level 'data' file`, false);
      resolved = local(f.data);
    } else if (typeof source === 'string') {
      resolved = local(source);
    } else if (source && typeof source === 'object' && (source as { type?: unknown }).type === 'file') {
      const p = (source as { path?: unknown }).path;
      if (typeof p !== 'string' || !p) throw new UsageError(`${path}: runs[${i}].data_source.source.path: a 'file' source needs a path`, false);
      resolved = local(p);
    } else {
      resolved = { dataSource: r.data_source, dataPath: null };
    }
    return { name: r.name, metadata: r.metadata, ...resolved };
  });
  return {
    path, name: f.name, metadata: f.metadata, data_source_config: f.data_source_config,
    testing_criteria: f.testing_criteria, runs, gates: f.gates ?? {},
  };
}
