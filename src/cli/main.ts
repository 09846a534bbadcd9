#!/usr/bin/env node
import { serveCommand } from './commands/serve.js';
import { keysCommand } from './commands/keys.js';

const USAGE = `evald — a self-hosted OpenAI Evals API server

Usage:
  evald serve                                 start the API server (PORT, HOST, EVALD_DB, DATABASE_URL, …)
  evald keys create --project NAME [--name N] make an API key; the key is printed alone on the last line
  evald keys list                             list keys (never the keys themselves)
  evald keys revoke ID|PREFIX                 revoke a key
  evald fake-upstream [--port N] [--latency-ms N] [--rate-429 P] [--rate-500 P] [--rate-drop P]
                                              a fake OpenAI-compatible model server for dry runs
`;

/** Dispatches the first argument to its command; exits non-zero with a message on failure. */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': return serveCommand();
    case 'keys': return keysCommand(rest);
    case 'fake-upstream': {
      const { fakeUpstreamCommand } = await import('./commands/fake-upstream.js');
      return fakeUpstreamCommand(rest);
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`evald: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`evald: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
