import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toFile } from 'openai';
import { waitFor } from '../harness.js';
import { describeEachBackend, envelopeOf, startOn, type ReliabilityServer } from './backends.js';

const BOUNDARY = 'evaldboundary';
const head = (name: string, filename?: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`;

/** Sends `body` as a raw HTTP request and resolves with the status line's code (0 if the server said nothing). */
function rawPost(url: string, body: Buffer, { contentType = `multipart/form-data; boundary=${BOUNDARY}`, contentLength = body.length, abort = false } = {}): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /v1/files HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer sk-anything\r\nContent-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\nConnection: close\r\n\r\n`);
      socket.write(body);
      // An abort is a client that goes away half way; a short Content-Length ends the body where the form breaks.
      if (abort) setTimeout(() => socket.destroy(), 100);
    });
    let reply = '';
    socket.on('data', (d) => { reply += d; });
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
      resolve({ status, text: reply.slice(reply.indexOf('\r\n\r\n') + 4) });
    });
  });
}

async function fileRows(server: ReliabilityServer): Promise<{ files: number; chunks: number }> {
  const db = server.store.db;
  const files = await db.selectFrom('files').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const chunks = await db.selectFrom('file_chunks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return { files: Number(files.n), chunks: Number(chunks.n) };
}

describeEachBackend('truncated, aborted and boundary-less uploads', (backend) => {
  let server: ReliabilityServer;
  beforeAll(async () => { server = await startOn(backend, 'uploads.test.ts'); });
  afterAll(async () => { await server?.dispose(); });

  const expectHealthyAndClean = async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    await waitFor(async () => ((await fileRows(server)).files === 0 && (await fileRows(server)).chunks === 0 ? true : undefined), 10_000, 'failed uploads to be discarded');
  };

  it('answers 400 in the envelope for a form that ends inside the file part, and keeps serving', async () => {
    // 2.5 MiB of file so that chunks are written to the store before the form breaks off.
    const body = Buffer.concat([Buffer.from(head('purpose') + 'evals\r\n' + head('file', 'rows.jsonl')), Buffer.alloc(2.5 * 1024 * 1024, 'a')]);
    const res = await rawPost(server.url, body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_multipart' });
    await expectHealthyAndClean();
  });

  it('answers 400 for a form that ends right after the file part starts (before the store has the file row)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await rawPost(server.url, Buffer.from(head('file', 'rows.jsonl') + 'abc'));
      expect(res.status).toBe(400);
    }
    // Another part name as well: its stream is drained, and its error must not go unheard either.
    const res = await rawPost(server.url, Buffer.from(head('other', 'x.bin') + 'abc'));
    expect(res.status).toBe(400);
    await expectHealthyAndClean();
  });

  it('answers 400 when the boundary is missing or the content type names none', async () => {
    for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; charset=utf-8']) {
      const res = await rawPost(server.url, Buffer.from(head('file', 'a.txt') + 'x\r\n--' + BOUNDARY + '--\r\n'), { contentType });
      expect(res.status, contentType).toBe(400);
      const envelope = await envelopeOf(new Response(res.text));
      expect(envelope).toMatchObject({ type: 'invalid_request_error', param: null });
    }
    await expectHealthyAndClean();
  });

  it('survives a client that goes away half way through an upload', async () => {
    const body = Buffer.concat([Buffer.from(head('purpose') + 'evals\r\n' + head('file', 'rows.jsonl')), Buffer.alloc(1.5 * 1024 * 1024, 'b')]);
    await Promise.all([1, 2, 3].map(() => rawPost(server.url, body, { contentLength: body.length * 2, abort: true })));
    await expectHealthyAndClean();
    const ok = await server.client.files.create({ file: await toFile(Buffer.from('{"item":{}}\n'), 'ok.jsonl'), purpose: 'evals' });
    expect(ok.bytes).toBe(12);
    await server.client.files.delete(ok.id);
  });

  it('decodes a non-ASCII filename as UTF-8', async () => {
    const file = await server.client.files.create({ file: await toFile(Buffer.from('{}\n'), 'résumé-数据.jsonl'), purpose: 'evals' });
    expect(file.filename).toBe('résumé-数据.jsonl');
    expect((await server.client.files.retrieve(file.id)).filename).toBe('résumé-数据.jsonl');
    await server.client.files.delete(file.id);
  });

  it('answers one 200 and 404s to concurrent deletes of one file', async () => {
    const file = await server.client.files.create({ file: await toFile(Buffer.from('{}\n'), 'a.jsonl'), purpose: 'evals' });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => server.api(`/files/${file.id}`, { method: 'DELETE' }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 404)).toHaveLength(7);
  });
});
