import { pino, type Logger } from 'pino';

/**
 * The server's logger. JSON lines, one object each, unless the output is a terminal (or
 * EVALD_LOG_FORMAT=pretty): then pino-pretty turns each line into a readable one. pino-pretty is loaded only
 * then, and used through its formatter rather than its stream: the stream is asynchronous, and the last
 * lines before an exit would be lost.
 */
export async function createLogger(level: string, format: 'json' | 'pretty' | 'auto', output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<Logger> {
  const options = { level, base: { service: 'evald' } };
  if (format === 'json' || (format === 'auto' && !output.isTTY)) {
    return output === process.stdout ? pino(options) : pino(options, { write: (line: string) => output.write(line) });
  }
  const { prettyFactory } = await import('pino-pretty');
  const prettify = prettyFactory({
    colorize: output.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return pino(options, { write: (line: string) => output.write(prettify(line)) });
}
