import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { table } from '../table.js';

export const usage = `Usage:
  evald keys create --project NAME [--name N]   make a key; it is printed once, alone on the last line
  evald keys list                              list keys (never the keys themselves)
  evald keys revoke ID|PREFIX|KEY              revoke a key by its id, its prefix as \`keys list\` prints it, or the key

Works on the local store (EVALD_DB or DATABASE_URL), the one \`evald serve\` uses. While no key exists the
server is in open local mode: it accepts any bearer as project "default".
`;

const date = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + 'Z';

/** `evald keys create|list|revoke`, against the same store the server uses. */
export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: { project: { type: 'string' }, name: { type: 'string' } },
  });
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(sub ? `unknown keys command '${sub}'` : 'keys needs create, list or revoke');
  if (sub === 'create' && !values.project) throw new UsageError('keys create needs --project NAME');
  if (sub === 'revoke' && !positionals[0]) throw new UsageError('keys revoke needs a key id or prefix');
  const { openStore } = await import('../../storage/index.js');
  const { KeysService, OPEN_MODE_PROJECT } = await import('../../services/keys.js');
  const store = await openStore();
  const keys = new KeysService(store);
  try {
    if (sub === 'create') {
      const first = await keys.isOpenMode();
      const key = await keys.create(values.project!, values.name ?? null);
      if (first) {
        process.stdout.write(`This is the first key: open local mode ends, and every request now needs a key.\n`
          + `Objects made in open local mode stay in project '${OPEN_MODE_PROJECT}'${values.project === OPEN_MODE_PROJECT ? ', which this key reaches' : `; a key for project '${values.project}' does not see them (make one with --project ${OPEN_MODE_PROJECT} to reach them)`}.\n`);
      }
      process.stdout.write(`created key ${key.id} (${key.prefix}…) for project '${key.project}'; it is shown once:\n${key.key}\n`);
      return;
    }
    if (sub === 'list') {
      const all = await keys.list();
      if (all.length === 0) {
        process.stdout.write('no keys: evald is in open local mode\n');
        return;
      }
      const rows = all.map((k) => [k.id, `${k.prefix}…`, k.project, k.name ?? '', date(k.created_at), k.revoked_at ? `revoked ${date(k.revoked_at)}` : 'active']);
      process.stdout.write(table(['ID', 'PREFIX', 'PROJECT', 'NAME', 'CREATED', 'STATUS'], rows));
      return;
    }
    const target = positionals[0]!;
    const n = await keys.revoke(target);
    if (n === 0) throw new Error(`no active key matches '${target}' (give an id or a prefix as \`evald keys list\` prints them)`);
    process.stdout.write(`revoked ${n} key(s)\n`);
  } finally {
    await store.close();
  }
}
