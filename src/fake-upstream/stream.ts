import type { ServerResponse } from 'node:http';

type Json = Record<string, unknown>;

/** Text cut into pieces of about `size` characters (never empty: a stream always carries one delta). */
function pieces(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/** The `chat.completion.chunk` events of a chat completion, as OpenAI streams one. */
export function chatChunks(completion: Json, includeUsage: boolean): Json[] {
  const head = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, service_tier: completion.service_tier, system_fingerprint: completion.system_fingerprint };
  const usage = includeUsage ? { usage: null } : {};
  const out: Json[] = [];
  for (const choice of completion.choices as Array<{ index: number; message: Json; finish_reason: string }>) {
    const m = choice.message;
    const delta = (d: Json, finish: string | null = null) => out.push({ ...head, choices: [{ index: choice.index, delta: d, logprobs: null, finish_reason: finish }], ...usage });
    delta({ role: 'assistant', content: '', refusal: null });
    if (typeof m.content === 'string') for (const p of pieces(m.content)) delta({ content: p });
    if (typeof m.refusal === 'string') for (const p of pieces(m.refusal)) delta({ refusal: p });
    (m.tool_calls as Array<{ id: string; type: string; function: { name: string; arguments: string } }> | undefined)?.forEach((t, index) => {
      delta({ tool_calls: [{ index, id: t.id, type: t.type, function: { name: t.function.name, arguments: '' } }] });
      for (const p of pieces(t.function.arguments)) delta({ tool_calls: [{ index, function: { arguments: p } }] });
    });
    delta({}, choice.finish_reason);
  }
  if (includeUsage) out.push({ ...head, choices: [], usage: completion.usage });
  return out;
}

/** The events of a streamed response: created, in_progress, one text delta per piece, done, completed. */
export function responseEvents(response: Json): Json[] {
  const pending = { ...response, status: 'in_progress', output: [], usage: null };
  const events: Json[] = [{ type: 'response.created', response: pending }, { type: 'response.in_progress', response: pending }];
  (response.output as Json[]).forEach((item, output_index) => {
    const content = item.content as Array<{ type: string; text?: string }> | undefined;
    events.push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', ...(content ? { content: [] } : {}) } });
    content?.forEach((part, content_index) => {
      const ids = { item_id: item.id, output_index, content_index };
      events.push({ type: 'response.content_part.added', ...ids, part: { ...part, ...(part.text !== undefined ? { text: '' } : {}) } });
      if (typeof part.text === 'string') {
        for (const p of pieces(part.text)) events.push({ type: 'response.output_text.delta', ...ids, delta: p, logprobs: [] });
        events.push({ type: 'response.output_text.done', ...ids, text: part.text, logprobs: [] });
      }
      events.push({ type: 'response.content_part.done', ...ids, part });
    });
    events.push({ type: 'response.output_item.done', output_index, item });
  });
  events.push({ type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response });
  return events.map((e, sequence_number) => ({ ...e, sequence_number }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends an answer as server-sent events, `intervalMs` apart (0: back to back). Chat chunks are `data:`
 * lines ending with `data: [DONE]`; response events also name their type in an `event:` line, as OpenAI's.
 */
export async function sendStream(res: ServerResponse, path: string, body: Json, answer: Json, headers: Record<string, string>, intervalMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  const chat = path.endsWith('/chat/completions');
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const events = chat ? chatChunks(answer, includeUsage) : responseEvents(answer);
  for (const event of events) {
    if (res.destroyed) return;
    res.write(chat ? `data: ${JSON.stringify(event)}\n\n` : `event: ${event.type as string}\ndata: ${JSON.stringify(event)}\n\n`);
    if (intervalMs > 0) await sleep(intervalMs);
  }
  if (chat) res.write('data: [DONE]\n\n');
  res.end();
}
