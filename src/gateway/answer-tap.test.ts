import { describe, expect, it } from 'vitest';
import { chatChunks, responseEvents } from '../fake-upstream/stream.js';
import { AnswerTap, usageOf } from './answer-tap.js';

const completion = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm-1', service_tier: 'default', system_fingerprint: 'fp',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello there, streamed', refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":12345678901}' } }] }, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } },
};

// Cuts the SSE text at awkward places (inside lines and inside UTF-8 sequences) to check reassembly.
const feed = (tap: AnswerTap, text: string) => {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 7) tap.onData(bytes.subarray(i, i + 7));
};
const sse = (events: unknown[]) => `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;

describe('AnswerTap', () => {
  it('assembles a streamed chat completion into the object a plain call returns', () => {
    const tap = new AnswerTap('chat', true, true);
    feed(tap, sse(chatChunks(completion, true)));
    const { answer, usage } = tap.finish();
    expect(answer).toMatchObject({ id: 'chatcmpl-1', object: 'chat.completion', model: 'm-1', usage: completion.usage });
    expect((answer as typeof completion).choices).toEqual([{ ...completion.choices[0], logprobs: null }]);
    expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cached_tokens: 1 });
  });

  it('reads only usage from a stream it does not keep, and the terminal event of a responses stream', () => {
    const tap = new AnswerTap('chat', true, false);
    feed(tap, sse(chatChunks(completion, true)));
    expect(tap.finish()).toEqual({ answer: null, usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cached_tokens: 1 } });
    const response = { id: 'resp_1', status: 'completed', output: [{ type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'héllo wörld' }] }], usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5 } };
    const r = new AnswerTap('responses', true, true);
    feed(r, responseEvents(response).map((e) => `event: ${e.type as string}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    expect(r.finish()).toEqual({ answer: response, usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5, cached_tokens: 0 } });
  });

  it('parses a plain body once at its end, and survives one that is not JSON', () => {
    const tap = new AnswerTap('embeddings', false, false);
    feed(tap, JSON.stringify({ data: [], usage: { prompt_tokens: 9, total_tokens: 9 } }));
    expect(tap.finish()).toEqual({ answer: null, usage: { prompt_tokens: 9, completion_tokens: 0, total_tokens: 9, cached_tokens: 0 } });
    const broken = new AnswerTap('chat', false, true);
    feed(broken, '{"id": ');
    expect(broken.finish()).toEqual({ answer: null, usage: null });
    expect(usageOf({})).toBeNull();
  });
});
