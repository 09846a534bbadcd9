import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';

export const usage = `Usage:
  evald logs import --from BASE_URL [--metadata K=V]... [--model M] [--after ID] [--project P]
      pull stored chat completions from an OpenAI-compatible stored-completions API
      (GET /chat/completions and /chat/completions/{id}/messages; key: --api-key or OPENAI_API_KEY)
  evald logs import FILE.jsonl [--project P]
      import chat.completion objects, one a line (a "messages" field, if present, is the request's messages)
  evald logs import --responses-ids FILE [--from BASE_URL] [--project P]
      import responses by id, one a line (Responses have no list endpoint; --from defaults to OpenAI)

Writes into the local store (EVALD_DB or DATABASE_URL), project "default" unless --project says otherwise.
Idempotent by id: logs already stored are skipped, so an interrupted import resumes by running it again.
`;

/** One progress line, redrawn in place on a terminal (a bar when the total is known). */
function progressLine(p: { imported: number; skipped: number; lastId: string | null }, total?: number): string {
  const done = p.imported + p.skipped;
  const bar = total ? `[${'#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.')}] ${done}/${total} ` : `${done} read `;
  return `${bar}(${p.imported} imported, ${p.skipped} already there)${p.lastId ? ` last ${p.lastId}` : ''}`;
}

/** `evald logs import …`. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import') throw new UsageError(sub ? `unknown logs command '${sub}'` : 'logs needs a subcommand: import');
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      from: { type: 'string' }, 'api-key': { type: 'string' }, metadata: { type: 'string', multiple: true },
      model: { type: 'string' }, after: { type: 'string' }, project: { type: 'string' }, 'responses-ids': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!values.from && !file && !values['responses-ids']) throw new UsageError('logs import needs --from BASE_URL, a FILE.jsonl or --responses-ids FILE');
  if (file && (values.from || values['responses-ids'])) throw new UsageError('give either FILE.jsonl or --from / --responses-ids, not both');
  const metadata: Record<string, string> = {};
  for (const pair of values.metadata ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--metadata takes KEY=VALUE, got '${pair}'`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }

  const [{ openStore }, { LogImporter }, { loadConfig }] = await Promise.all([
    import('../../storage/index.js'), import('../../services/log-import.js'), import('../../config.js'),
  ]);
  const tty = process.stderr.isTTY;
  let total: number | undefined;
  let last = 0;
  const show = (p: Parameters<typeof progressLine>[0], final = false) => {
    const now = Date.now();
    if (!final && now - last < (tty ? 100 : 2000)) return;
    last = now;
    process.stderr.write(tty ? `\r${progressLine(p, total)}${final ? '\n' : ''}` : `${progressLine(p, total)}\n`);
  };
  const store = await openStore();
  try {
    const importer = new LogImporter(store, { project: values.project ?? 'default', retentionDays: loadConfig().logRetentionDays, onProgress: (p) => show(p) });
    const client = async (baseURL: string) => {
      const { default: OpenAI } = await import('openai');
      return new OpenAI({ baseURL, apiKey: values['api-key'] ?? process.env.OPENAI_API_KEY ?? 'none' });
    };
    let result;
    if (file) {
      total = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      result = await importer.fromJsonl(createInterface({ input: createReadStream(file), crlfDelay: Infinity }));
    } else if (values['responses-ids']) {
      const ids = readFileSync(values['responses-ids'], 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
      total = ids.length;
      result = await importer.responsesById(await client(values.from ?? 'https://api.openai.com/v1'), ids);
    } else {
      result = await importer.fromApi(await client(values.from!), {
        ...(Object.keys(metadata).length ? { metadata } : {}), ...(values.model ? { model: values.model } : {}), ...(values.after ? { after: values.after } : {}),
      });
    }
    show(result, true);
    process.stdout.write(`imported ${result.imported} log(s), ${result.skipped} already there, into project '${values.project ?? 'default'}'${result.lastId ? `; last id ${result.lastId}` : ''}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`\nevald logs import: ${(e as Error).message}\nRun the same command again to resume: logs already imported are skipped.\n`);
    return 1;
  } finally {
    await store.close();
  }
}
