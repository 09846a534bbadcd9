import { parseArgs } from 'node:util';
import type { FakeUpstreamOptions } from '../../fake-upstream/index.js';
import { UsageError } from '../command.js';

function number(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}]`);
  return value;
}

export const usage = `Usage: evald fake-upstream [options]

Serves a fake OpenAI-compatible model server (chat completions, responses, embeddings) for dry runs and
tests, prints its base URL (for OPENAI_BASE_URL) and runs until SIGINT or SIGTERM. docs/providers.md says
how its answers can be steered from a prompt.

Options:
  --port N             port (default 0: a free one)       --host H          address (default 127.0.0.1)
  --latency-ms N       delay of every answer              --jitter-ms N     random extra delay
  --rate-429 P         share of calls answered 429        --rate-500 P      share answered 500
  --rate-drop P        share of connections dropped       --retry-after-ms N  the 429s' Retry-After
  --seed N             seed of the random choices
  --rpm N              requests per minute it allows       --tpm N           tokens per minute it allows
  --rate-window-ms N   the window those limits are counted over (past them: 429s with OpenAI's headers)
  --stream-interval-ms N  the time between a streamed answer's events
`;

/**
 * `evald fake-upstream [--port N] [--host H] [--latency-ms N] [--jitter-ms N] [--rate-429 P] [--rate-500 P]
 * [--rate-drop P] [--retry-after-ms N] [--seed N] [--rpm N] [--tpm N] [--rate-window-ms N] [--stream-interval-ms N]`: serves the fake OpenAI-compatible upstream, prints its
 * base URL (for OPENAI_BASE_URL) and runs until SIGINT or SIGTERM.
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'rate-429': { type: 'string' },
      'rate-500': { type: 'string' },
      'rate-drop': { type: 'string' },
      'retry-after-ms': { type: 'string' },
      seed: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      'rate-window-ms': { type: 'string' },
      'stream-interval-ms': { type: 'string' },
    },
  });
  const options: FakeUpstreamOptions = {
    port: number('port', values.port, 0, 65535) ?? 0,
    host: values.host ?? '127.0.0.1',
    latencyMs: number('latency-ms', values['latency-ms'], 0, 3_600_000),
    jitterMs: number('jitter-ms', values['jitter-ms'], 0, 3_600_000),
    rate429: number('rate-429', values['rate-429'], 0, 1),
    rate500: number('rate-500', values['rate-500'], 0, 1),
    rateDrop: number('rate-drop', values['rate-drop'], 0, 1),
    retryAfterMs: number('retry-after-ms', values['retry-after-ms'], 0, 3_600_000),
    seed: number('seed', values.seed, 0, 2 ** 32 - 1),
    rpm: number('rpm', values.rpm, 1, 1e9),
    tpm: number('tpm', values.tpm, 1, 1e12),
    rateWindowMs: number('rate-window-ms', values['rate-window-ms'], 1, 60_000),
    streamIntervalMs: number('stream-interval-ms', values['stream-interval-ms'], 0, 3_600_000),
  };
  const { startFakeUpstream } = await import('../../fake-upstream/index.js');
  const fake = await startFakeUpstream(options);
  process.stdout.write(`fake upstream listening on ${fake.url}\n  export OPENAI_BASE_URL=${fake.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await fake.close();
  const s = fake.stats;
  process.stdout.write(`fake upstream stopped after ${s.requests} requests ${JSON.stringify(s.byStatus)}\n`);
}
