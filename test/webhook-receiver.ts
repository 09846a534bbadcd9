import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One POST a receiver got: its raw body and headers, and the status it answered (null: it never did). */
export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  status: number | null;
  /** When it arrived (ms). */
  at: number;
}

/**
 * A webhook receiver on loopback. `answer` picks each request's status by its position (0-based), or
 * returns 'hang' to hold the request open without answering.
 */
export async function startReceiver(answer: (n: number, body: string) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  // Requests open at once (arrived, connection not yet closed), and the most there ever were.
  const open = { now: 0, max: 0 };
  const server: Server = createServer((req, res) => {
    open.now += 1;
    open.max = Math.max(open.max, open.now);
    res.once('close', () => { open.now -= 1; });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const entry: Received = { body, headers: req.headers, status: null, at: Date.now() };
      const decision = answer(received.length, body);
      received.push(entry);
      if (decision !== 'hang') {
        entry.status = decision;
        res.writeHead(decision, { 'content-type': 'text/plain' }).end('ok');
      }
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/evald?token=receiver-token`,
    received,
    open,
    /** Resolves once `n` requests have arrived, or fails after `ms`. */
    async waitFor(n: number, ms = 20_000): Promise<Received[]> {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${n} webhook deliveries (got ${received.length})`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, 200);
          function done() { clearTimeout(t); waiters.delete(done); resolve(); }
          waiters.add(done);
        });
      }
      return received.slice(0, n);
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The headers as the SDK's `webhooks.unwrap` takes them. */
export const headersOf = (r: Received): Record<string, string> =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? '']));
