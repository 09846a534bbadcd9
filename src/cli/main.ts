#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { UsageError, wantsHelp, type CommandModule } from './command.js';

// One line per command: a summary for `evald --help` and a lazy import, so that `evald --help` (and any one
// command) loads nothing it does not use. Command files keep their heavy imports inside run().
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  run: { summary: 'run an eval file (YAML/JSON): create or reuse the eval, run it, gate on the results', load: () => import('./commands/run.js') },
  export: { summary: "write a run's items as JSONL or CSV", load: () => import('./commands/export.js') },
  compare: { summary: 'compare two runs item by item, with paired statistics', load: () => import('./commands/compare.js') },
  serve: { summary: 'start the API server (PORT, HOST, EVALD_DB, DATABASE_URL, …)', load: () => import('./commands/serve.js') },
  keys: { summary: 'create, list and revoke API keys', load: () => import('./commands/keys.js') },
  logs: { summary: 'import stored chat completions and responses into a project', load: () => import('./commands/logs.js') },
  webhooks: { summary: 'add, list, test, rotate and remove webhook endpoints', load: () => import('./commands/webhooks.js') },
  'fake-upstream': { summary: 'a fake OpenAI-compatible model server for dry runs', load: () => import('./commands/fake-upstream.js') },
};

const version = () => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  evald ${name.padEnd(width)}  ${c.summary}`);
  return `evald ${version()}: a self-hosted OpenAI Evals API server and its command line

Usage:
${lines.join('\n')}

  evald COMMAND --help   that command's options
  evald --version

Commands that talk to a server take --base-url URL (or EVALD_BASE_URL) and EVALD_API_KEY; without a server
they run one in this process on the local store (EVALD_DB or DATABASE_URL).
`;
}

/** Dispatches the first argument to its command and returns the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`evald: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  if (wantsHelp(rest)) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    return (await command.run(rest)) ?? 0;
  } catch (e) {
    // parseArgs reports unknown or malformed options with these codes: a usage error too.
    const code = (e as { code?: string }).code;
    if (e instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS')) {
      const showUsage = !(e instanceof UsageError) || e.showUsage;
      process.stderr.write(`evald ${name}: ${(e as Error).message}\n${showUsage ? `\n${command.usage}` : ''}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`evald: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
