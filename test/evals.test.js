import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { simpleEval, startTestServer } from './harness.js';
let server;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.close(); });
describe('Evals through the official SDK', () => {
    it('creates an eval with 201, derived schema, criterion ids and time-sorted id', async () => {
        const { data: ev, response } = await server.client.evals.create({
            ...simpleEval('created'),
            metadata: { team: 'search' },
            testing_criteria: [
                { type: 'string_check', name: 'neq alias', input: '{{sample.output_text}}', reference: 'x', operation: 'neq' },
                { type: 'label_model', name: 'Label', model: 'gpt-4o-mini', input: [{ role: 'role', content: 'Is {{item.question}} good?' }], labels: ['good', 'bad'], passing_labels: ['good'] },
                { type: 'text_similarity', name: 'sim', input: '{{sample.output_text}}', reference: '{{item.expected}}', evaluation_metric: 'bleu', pass_threshold: 0.5 },
                { type: 'python', name: 'py', source: 'def grade(sample, item):\n    return 1.0\n' },
                { type: 'score_model', name: 'score', model: 'gpt-4o-mini', input: [{ role: 'system', content: 'Score {{sample.output_text}}' }], range: [0, 10] },
            ],
        }).withResponse();
        expect(response.status).toBe(201);
        expect(response.headers.get('x-request-id')).toMatch(/^req_/);
        expect(ev.object).toBe('eval');
        expect(ev.id).toMatch(/^eval_[0-9a-f]{32}$/);
        expect(parseInt(ev.id.slice(5, 13), 16)).toBe(ev.created_at);
        expect(ev.metadata).toEqual({ team: 'search' });
        expect(ev.data_source_config).toMatchObject({
            type: 'custom',
            schema: { type: 'object', required: ['item', 'sample'], properties: { item: simpleEval().data_source_config.item_schema } },
        });
        const [neq, label, , , score] = ev.testing_criteria;
        expect(neq.operation).toBe('ne');
        expect(neq.id).toMatch(/^neq alias-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(label.input[0]).toEqual({ type: 'message', role: 'role', content: { type: 'input_text', text: 'Is {{item.question}} good?' } });
        expect(score.input[0].content).toEqual({ type: 'input_text', text: 'Score {{sample.output_text}}' });
    });
    it('returns the logs and stored_completions schemas', async () => {
        const logs = await server.client.evals.create({ data_source_config: { type: 'logs', metadata: { use_case: 'x' } }, testing_criteria: [] });
        expect(logs.data_source_config).toEqual({
            type: 'logs', metadata: { use_case: 'x' },
            schema: { type: 'object', properties: { item: { type: 'object' }, sample: { type: 'object' } }, required: ['item', 'sample'] },
        });
        expect(logs.metadata).toEqual({});
        const stored = await server.client.evals.create({ data_source_config: { type: 'stored_completions' }, testing_criteria: [] });
        expect(stored.data_source_config.type).toBe('stored_completions');
        const custom = await server.client.evals.create({ data_source_config: { type: 'custom', item_schema: { foo: 'bar' } }, testing_criteria: [] });
        expect(custom.data_source_config.schema).toEqual({ type: 'object', properties: { item: { foo: 'bar' } }, required: ['item'] });
    });
    it('retrieves, updates (metadata replaced) and deletes', async () => {
        const ev = await server.client.evals.create({ ...simpleEval('before'), metadata: { a: '1', b: '2' } });
        expect(await server.client.evals.retrieve(ev.id)).toEqual(ev);
        const renamed = await server.client.evals.update(ev.id, { name: 'after', metadata: { c: '3' } });
        expect(renamed.name).toBe('after');
        expect(renamed.metadata).toEqual({ c: '3' });
        expect((await server.client.evals.update(ev.id, {})).name).toBe('after');
        const deleted = await server.client.evals.delete(ev.id);
        expect(deleted).toEqual({ object: 'eval.deleted', deleted: true, eval_id: ev.id });
        await expect(server.client.evals.retrieve(ev.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
        await expect(server.client.evals.delete(ev.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
    it('lists with the envelope, limit, order and order_by', async () => {
        const project = server.clientWith('sk-any'); // open local mode: every bearer is project "default"
        const page = await project.evals.list({ limit: 2 });
        expect(page.data).toHaveLength(2);
        const body = await fetch(`${server.url}/v1/evals?limit=2&order=desc`).then((r) => r.json());
        expect(Object.keys(body).sort()).toEqual(['data', 'first_id', 'has_more', 'last_id', 'object']);
        expect(body.first_id).toBe(body.data[0].id);
        expect(body.last_id).toBe(body.data[1].id);
        expect(body.data[0].id > body.data[1].id).toBe(true);
        const byUpdated = await fetch(`${server.url}/v1/evals?order_by=updated_at&order=desc&limit=100`).then((r) => r.json());
        expect(byUpdated.data.length).toBeGreaterThan(2);
    });
    it('auto-paginates over every eval exactly once in both orders while evals are being created', async () => {
        const before = new Set();
        for await (const e of server.client.evals.list({ limit: 100 }))
            before.add(e.id);
        const made = [];
        for (let i = 0; i < 45; i++)
            made.push((await server.client.evals.create(simpleEval(`page-${i}`))).id);
        for (const order of ['asc', 'desc']) {
            const seen = [];
            let creating = 0;
            for await (const e of server.client.evals.list({ limit: 7, order })) {
                seen.push(e.id);
                if (creating++ < 10)
                    await server.client.evals.create(simpleEval('during'));
            }
            expect(new Set(seen).size).toBe(seen.length);
            for (const id of [...before, ...made])
                expect(seen).toContain(id);
            const sorted = [...seen].sort();
            expect(seen).toEqual(order === 'asc' ? sorted : sorted.reverse());
        }
    });
});
describe('Errors in the OpenAI envelope', () => {
    const post = (path, body, headers = {}) => fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    it('names the offending field in param', async () => {
        const cases = [
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'string_check', name: 'a', input: 'x', reference: 'y', operation: 'eq' }, { type: 'text_similarity', name: 'b', input: 'x', reference: 'y', evaluation_metric: 'bleu' }] }, 'testing_criteria[1].pass_threshold'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'multi', name: 'm', graders: {}, calculate_output: 'a' }] }, 'testing_criteria[0].type'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'string_check', name: 'a', input: 'x', reference: 'y', operation: 'contains' }] }, 'testing_criteria[0].operation'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'label_model', name: 'l', model: 'm', input: [{ role: 'user', content: 'c' }], labels: ['a'], passing_labels: ['a', 'z'] }] }, 'testing_criteria[0].passing_labels[1]'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'score_model', name: 's', model: 'm', input: [{ role: 'user', content: 'c' }], range: [1, 0] }] }, 'testing_criteria[0].range'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'text_similarity', name: 'b', input: 'x', reference: 'y', evaluation_metric: 'rouge_9', pass_threshold: 1 }] }, 'testing_criteria[0].evaluation_metric'],
            [{ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'python', name: 'p', source: 'x'.repeat(256 * 1024 + 1) }] }, 'testing_criteria[0].source'],
            [{ data_source_config: { type: 'custom' }, testing_criteria: [] }, 'data_source_config.item_schema'],
            [{ data_source_config: { type: 'custom', item_schema: { type: 'nonsense' } }, testing_criteria: [] }, 'data_source_config.item_schema'],
            [{ data_source_config: { type: 'mystery' }, testing_criteria: [] }, 'data_source_config.type'],
            [{ testing_criteria: [] }, 'data_source_config'],
            [{ data_source_config: { type: 'logs' }, testing_criteria: 'all' }, 'testing_criteria'],
            [{ data_source_config: { type: 'logs' }, testing_criteria: [], metadata: { a: 1 } }, 'metadata.a'],
            [{ data_source_config: { type: 'logs' }, testing_criteria: [], metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
            [{ data_source_config: { type: 'logs' }, testing_criteria: [], metadata: { ['k'.repeat(65)]: 'v' } }, `metadata.${'k'.repeat(65)}`],
            [{ data_source_config: { type: 'logs' }, testing_criteria: [], metadata: { k: 'v'.repeat(513) } }, 'metadata.k'],
        ];
        for (const [body, param] of cases) {
            const res = await post('/v1/evals', JSON.stringify(body));
            const json = await res.json();
            expect({ param, status: res.status }).toEqual({ param, status: 400 });
            expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
            expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
            expect(typeof json.error.message).toBe('string');
        }
    });
    it('raises BadRequestError through the SDK, with param', async () => {
        const err = await server.client.evals.create({ data_source_config: { type: 'custom', item_schema: {} }, testing_criteria: [{ type: 'text_similarity', name: 'b', input: 'x', reference: 'y', evaluation_metric: 'bleu' }] }).catch((e) => e);
        expect(err).toBeInstanceOf(OpenAI.BadRequestError);
        expect(err.param).toBe('testing_criteria[0].pass_threshold');
    });
    it('rejects malformed JSON, wrong types in the query, and unknown routes', async () => {
        const bad = await post('/v1/evals', '{"name": ');
        expect(bad.status).toBe(400);
        expect((await bad.json()).error.type).toBe('invalid_request_error');
        const order = await fetch(`${server.url}/v1/evals?order=sideways`);
        expect(order.status).toBe(400);
        expect((await order.json()).error.param).toBe('order');
        const unknown = await fetch(`${server.url}/v1/_stainless_unknown_path`);
        expect(unknown.status).toBe(404);
        expect((await unknown.json()).error.type).toBe('invalid_request_error');
        expect(unknown.headers.get('x-request-id')).toMatch(/^req_/);
        await expect(server.client.evals.list({ limit: 0 }, { path: '/_stainless_unknown_path' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
    it('clamps a limit out of range rather than refusing it', async () => {
        const zero = await fetch(`${server.url}/v1/evals?limit=0`).then((r) => r.json());
        expect(zero.data.length).toBe(1);
        const huge = await fetch(`${server.url}/v1/evals?limit=1000`).then((r) => r.json());
        expect(huge.data.length).toBeLessThanOrEqual(100);
    });
    it('answers 413 past the body limit', async () => {
        const res = await post('/v1/evals', JSON.stringify({ name: 'x'.repeat(65 * 1024 * 1024) }));
        expect(res.status).toBe(413);
        expect((await res.json()).error.code).toBe('request_too_large');
    });
    it('serves /health', async () => {
        const res = await fetch(`${server.url}/health`);
        expect(await res.json()).toEqual({ status: 'ok' });
    });
});
//# sourceMappingURL=evals.test.js.map