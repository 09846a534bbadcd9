import { startServer } from '../../server.js';

/** `evald serve`: runs until SIGINT/SIGTERM, then stops runs (they resume on the next start) and exits. */
export async function serveCommand(): Promise<void> {
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
}
