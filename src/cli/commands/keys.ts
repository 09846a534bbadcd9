import { parseArgs } from 'node:util';
import { openStore } from '../../storage/index.js';
import { KeysService } from '../../services/keys.js';

/** `evald keys create|list|revoke`, against the same store the server uses. */
export async function keysCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: { project: { type: 'string' }, name: { type: 'string' } },
  });
  const store = await openStore();
  const keys = new KeysService(store);
  try {
    switch (sub) {
      case 'create': {
        if (!values.project) throw new Error('keys create needs --project NAME');
        const key = await keys.create(values.project, values.name ?? null);
        process.stdout.write(`created key ${key.id} (${key.prefix}…) for project '${key.project}'; it is shown once:\n${key.key}\n`);
        return;
      }
      case 'list': {
        const all = await keys.list();
        if (all.length === 0) process.stdout.write('no keys: evald is in open local mode\n');
        for (const k of all) {
          const state = k.revoked_at ? `revoked ${new Date(k.revoked_at * 1000).toISOString()}` : 'active';
          process.stdout.write(`${k.id}\t${k.prefix}…\tproject=${k.project}\t${k.name ?? ''}\t${state}\n`);
        }
        return;
      }
      case 'revoke': {
        const target = positionals[0];
        if (!target) throw new Error('keys revoke needs a key id or prefix');
        const n = await keys.revoke(target);
        if (n === 0) throw new Error(`no active key matches '${target}'`);
        process.stdout.write(`revoked ${n} key(s)\n`);
        return;
      }
      default:
        throw new Error('usage: evald keys create --project NAME [--name N] | keys list | keys revoke ID|PREFIX');
    }
  } finally {
    await store.close();
  }
}
