import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The least a Node gateway can do: take a POST, send its bytes upstream on a keep-alive pool, and send the
 * answer back, with no authentication, parsing, limits, logs or headers passed on. The gateway bench runs it
 * beside evald as the floor of what any gateway written in Node costs on this machine, so that evald's own
 * share of the overhead can be told from the machine's (loopback hops, waking processes, sharing cores).
 *
 * `node dist/bench/bare-proxy.js <upstream base URL>` prints `listening on <url>`.
 */
const upstream = new URL(process.argv[2] ?? '');
const pool = new Pool(upstream.origin, { connections: 256 });
const prefix = upstream.pathname.replace(/\/$/, '');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = `${prefix}${(req.url ?? '/').replace(/^\/v1/, '')}`;
    pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${address.port}/v1`);
});
process.on('SIGTERM', () => server.close(() => void pool.close()));
