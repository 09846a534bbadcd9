import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';
import { table } from '../table.js';

export const usage = `Usage:
  evald webhooks add --url URL [--name NAME] [--events TYPE,…]   add an endpoint (default: all three events);
                                                                 its signing secret is printed once, alone on the last line
  evald webhooks list                                            list the project's endpoints (never their secrets)
  evald webhooks test ID [--event TYPE]                          send a sample event (default eval.run.succeeded);
                                                                 exits 1 unless the receiver answers 2xx
  evald webhooks rotate ID [--keep-old]                          a new secret; --keep-old signs with the old one too for 24 h
  evald webhooks remove ID                                       delete an endpoint

Event types: eval.run.succeeded, eval.run.failed, eval.run.canceled. Endpoints belong to the project of
EVALD_API_KEY. With --base-url URL (or EVALD_BASE_URL) the command talks to that server; without one it
runs a server in this process on the local store (EVALD_DB or DATABASE_URL).
`;

type EventType = 'eval.run.succeeded' | 'eval.run.failed' | 'eval.run.canceled';
const ALL_EVENTS: EventType[] = ['eval.run.succeeded', 'eval.run.failed', 'eval.run.canceled'];
const SUBCOMMANDS = new Set(['add', 'list', 'test', 'rotate', 'remove']);

/** `evald webhooks …` as main.ts runs it. */
export const run = (args: string[]) => webhooksCommand(args);

/**
 * Manages the key's project's webhook endpoints with the official SDK (`client.webhooks`), so the CLI
 * uses the API exactly as any other client does. Returns the exit code; `write` receives the output.
 */
export async function webhooksCommand(args: string[], env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || !SUBCOMMANDS.has(sub)) throw new UsageError(sub ? `unknown webhooks command '${sub}'` : 'webhooks needs add, list, test, rotate or remove');
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      url: { type: 'string' }, name: { type: 'string' }, events: { type: 'string' }, event: { type: 'string' },
      'keep-old': { type: 'boolean' }, 'base-url': { type: 'string' },
    },
  });
  if (sub === 'add' && !values.url) throw new UsageError('webhooks add needs --url URL');
  const id = positionals[0];
  if (sub !== 'add' && sub !== 'list' && !id) throw new UsageError(`webhooks ${sub} needs an endpoint id (see \`evald webhooks list\`)`);

  const { default: OpenAI } = await import('openai');
  const server = await connect(values['base-url'] ?? env.EVALD_BASE_URL, env);
  // In open local mode any bearer is accepted; the SDK insists on having one.
  const client = new OpenAI({ baseURL: `${server.origin}/v1`, apiKey: env.EVALD_API_KEY || 'sk-evald-local', maxRetries: 1 });
  const out = (line: string) => write(`${line}\n`);
  try {
    switch (sub) {
      case 'add': {
        const events = values.events ? values.events.split(',').map((s) => s.trim()).filter(Boolean) as EventType[] : ALL_EVENTS;
        const e = await client.webhooks.create({ url: values.url!, name: values.name ?? hostOf(values.url!), event_types: events });
        out(`created webhook endpoint ${e.id} (${e.name}) → ${e.url} for ${e.event_types.join(', ')}; its signing secret is shown once:`);
        out(e.signing_secret);
        return 0;
      }
      case 'list': {
        const rows: string[][] = [];
        for await (const e of client.webhooks.list()) rows.push([e.id, e.name, e.url, e.event_types.join(','), e.signing_secret_hint ?? '']);
        write(rows.length ? table(['ID', 'NAME', 'URL', 'EVENTS', 'SECRET'], rows) : 'no webhook endpoints in this project\n');
        return 0;
      }
      case 'test': {
        const r = await client.webhooks.test(id!, { event_type: (values.event ?? 'eval.run.succeeded') as EventType });
        out(`sent a sample ${r.event_type} to ${r.webhook_endpoint_id}: the receiver answered ${r.status_code}`);
        // A receiver that refused the sample fails the command, so scripts can check an endpoint with it.
        return r.status_code >= 200 && r.status_code < 300 ? 0 : 1;
      }
      case 'rotate': {
        const e = await client.webhooks.rotateSecret(id!, { keep_old_secret_active_for_24_hours: values['keep-old'] === true });
        out(`rotated the signing secret of ${e.id}${values['keep-old'] ? '; the old one keeps signing for 24 hours' : ''}; the new one is shown once:`);
        out(e.signing_secret);
        return 0;
      }
      default: {
        await client.webhooks.delete(id!);
        out(`removed webhook endpoint ${id}`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof OpenAI.APIConnectionError) throw new Error(`cannot reach evald at ${server.origin} (set --base-url or EVALD_BASE_URL)`);
    if (e instanceof OpenAI.APIError && e.status) throw new Error(`${e.status}: ${e.message.replace(/^\d+\s*/, '')}${e.param ? ` (param ${e.param})` : ''}`);
    throw e;
  } finally {
    await server.close();
  }
}

/** The server to talk to: the one at `baseUrl`, or one started here on the local store (no runs, no deliveries). */
async function connect(baseUrl: string | undefined, env: NodeJS.ProcessEnv): Promise<{ origin: string; close(): Promise<void> }> {
  if (baseUrl) return { origin: baseUrl.replace(/\/+$/, '').replace(/\/v1$/, ''), close: async () => {} };
  const [{ startServer }, { pino }] = await Promise.all([import('../../server.js'), import('pino')]);
  const server = await startServer({ ...env, PORT: '0', HOST: '127.0.0.1', EVALD_WORKER: '0' }, pino({ level: 'silent' }));
  return { origin: server.url, close: () => server.close() };
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
};
