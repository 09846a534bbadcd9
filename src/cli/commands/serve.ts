export const usage = `Usage: evald serve

Starts the API server (and its run engine) and runs until SIGINT or SIGTERM; runs in progress then stop and
resume at the next start. Configured by the environment: PORT, HOST, EVALD_DB, DATABASE_URL, OPENAI_BASE_URL,
OPENAI_API_KEY, EVALD_CONFIG, … (the README's configuration table).
`;

/** `evald serve`: runs until SIGINT/SIGTERM, then stops runs (they resume on the next start) and exits. */
export async function run(args: string[]): Promise<void> {
  if (args.length > 0) {
    const { UsageError } = await import('../command.js');
    throw new UsageError(`serve takes no arguments (got '${args.join(' ')}'); it is configured by the environment`);
  }
  // The engine thread loads its modules while this thread loads the server's (host.js itself is small).
  (await import('../../engine-thread/host.js')).prespawnEngineThread();
  const { startServer } = await import('../../server.js');
  const server = await startServer();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Resolves only at exit: the server keeps the process alive.
  await new Promise(() => {});
}
