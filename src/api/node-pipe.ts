import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { ForwardSink } from '../providers/forward.js';
import { isProviderError } from '../providers/index.js';
import { ApiError } from './errors.js';

/** The Node request and response under a Hono context (the server always runs on @hono/node-server). */
export function nodeBindings(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  if (!env?.incoming || !env.outgoing) throw new Error('the gateway needs the Node HTTP server bindings');
  return { incoming: env.incoming, outgoing: env.outgoing };
}

/** Reads a request body whole (gateway bodies are forwarded as bytes, never as a web stream); 413 past `max`. */
export function readBody(incoming: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(incoming.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > max;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    incoming.once('end', () => (tooLarge
      ? reject(ApiError.tooLarge(`Request body is larger than ${max} bytes.`))
      : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
    incoming.once('error', reject);
  });
}

// Hop-by-hop headers belong to each connection, not to the answer; upstream cookies are not the client's.
const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer', 'set-cookie']);

const uncork = (res: ServerResponse) => res.uncork();

/**
 * A sink that writes an upstream answer to the client as it arrives: the upstream's status and headers
 * (rate-limit and retry headers included), then each chunk, with the socket's back-pressure passed up.
 * A call that fails before any answer gets OpenAI's error envelope (502, or 504 for a timeout).
 */
export function pipeToClient(res: ServerResponse, requestId: string, done: () => void): ForwardSink {
  return {
    onHeaders(status, headers, resume) {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) if (!DROP.has(name)) out[name] = value;
      out['x-evald-request-id'] = requestId;
      if (!out['x-request-id']) out['x-request-id'] = requestId;
      res.writeHead(status, out);
      // Sent within this turn of the event loop, not held for the first chunk: a client waiting on a stream
      // sees the answer begin as upstream does. Corked until the end of the turn, so that an answer whose
      // body (and end) came in the same socket read as its headers, as a small JSON answer does, leaves in
      // one write: a write to a socket is a system call, and each one cost a call as much as a tenth of its CPU.
      res.cork();
      res.flushHeaders();
      process.nextTick(uncork, res);
      res.on('drain', resume);
    },
    onData: (chunk) => res.write(chunk),
    onEnd() {
      res.end();
      done();
    },
    onError(error) {
      done();
      if (res.destroyed) return;
      if (res.headersSent) return void res.destroy(error);
      const timeout = isProviderError(error) && error.code === 'timeout';
      const code = isProviderError(error) ? error.code : 'provider_unreachable';
      const body = new ApiError(timeout ? 504 : 502, 'server_error', error.message, null, code).toBody();
      const text = JSON.stringify(body);
      res.writeHead(timeout ? 504 : 502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': requestId });
      res.end(text);
    },
  };
}
