import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { startTestServer } from './harness.js';
let server;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.close(); });
describe('Files through the official SDK', () => {
    it('uploads, retrieves, lists, downloads raw bytes and deletes', async () => {
        const bytes = Buffer.concat([Buffer.from('{"item":{"q":"é"}}\n'), Buffer.from([0, 255, 10])]);
        const file = await server.client.files.create({ file: await toFile(bytes, 'rows.jsonl'), purpose: 'evals' });
        expect(file).toMatchObject({ object: 'file', bytes: bytes.length, filename: 'rows.jsonl', purpose: 'evals', status: 'processed', expires_at: null });
        expect(file.id).toMatch(/^file-[A-Za-z0-9]{22}$/);
        expect(await server.client.files.retrieve(file.id)).toEqual(file);
        const content = await server.client.files.content(file.id);
        expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);
        const listed = [];
        for await (const f of server.client.files.list({ purpose: 'evals' }))
            listed.push(f.id);
        expect(listed).toContain(file.id);
        expect(await server.client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
        await expect(server.client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
        await expect(server.client.files.content(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
    it('stores a multi-megabyte upload intact across chunk boundaries', async () => {
        const big = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let i = 0; i < big.length; i++)
            big[i] = (i * 31) & 0xff;
        const file = await server.client.files.create({ file: await toFile(big, 'big.bin'), purpose: 'user_data' });
        expect(file.bytes).toBe(big.length);
        const back = Buffer.from(await (await server.client.files.content(file.id)).arrayBuffer());
        expect(back.equals(big)).toBe(true);
    });
    it('sets expires_at from expires_after and defaults batch files to 30 days', async () => {
        const f = await server.client.files.create({ file: await toFile(Buffer.from('x'), 'a.txt'), purpose: 'assistants', expires_after: { anchor: 'created_at', seconds: 3600 } });
        expect(f.expires_at).toBe(f.created_at + 3600);
        const b = await server.client.files.create({ file: await toFile(Buffer.from('{}'), 'b.jsonl'), purpose: 'batch' });
        expect(b.expires_at).toBe(b.created_at + 30 * 24 * 3600);
    });
    it('lists newest first by default, with limit and after', async () => {
        const ids = [];
        for (let i = 0; i < 3; i++)
            ids.push((await server.client.files.create({ file: await toFile(Buffer.from(`${i}`), `${i}.txt`), purpose: 'vision' })).id);
        const page = await server.client.files.list({ purpose: 'vision', limit: 2 });
        expect(page.data.map((f) => f.id)).toEqual([ids[2], ids[1]]);
        expect(page.has_more).toBe(true);
        const next = await server.client.files.list({ purpose: 'vision', limit: 2, after: ids[1] });
        expect(next.data.map((f) => f.id)).toEqual([ids[0]]);
    });
    it('refuses a bad purpose, a missing file, bad expiry and a non-multipart body with param', async () => {
        const form = (fields, withFile = true) => {
            const fd = new FormData();
            for (const [k, v] of Object.entries(fields))
                fd.append(k, v);
            if (withFile)
                fd.append('file', new Blob(['x']), 'x.txt');
            return fetch(`${server.url}/v1/files`, { method: 'POST', body: fd }).then(async (r) => ({ status: r.status, body: await r.json() }));
        };
        expect(await form({ purpose: 'fun' })).toMatchObject({ status: 400, body: { error: { param: 'purpose' } } });
        expect(await form({})).toMatchObject({ status: 400, body: { error: { param: 'purpose' } } });
        expect(await form({ purpose: 'evals' }, false)).toMatchObject({ status: 400, body: { error: { param: 'file' } } });
        expect(await form({ purpose: 'evals', 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '10' })).toMatchObject({ status: 400, body: { error: { param: 'expires_after.seconds' } } });
        const json = await fetch(`${server.url}/v1/files`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        expect(json.status).toBe(400);
        const listed = await server.client.files.list({ purpose: 'fun' });
        expect(listed.data).toEqual([]);
    });
});
//# sourceMappingURL=files.test.js.map