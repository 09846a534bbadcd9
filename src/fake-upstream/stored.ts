type Json = Record<string, unknown>;

interface Kept { request: Json; answer: Json }

/** A page of `all` after the item with id `after`, in OpenAI's list envelope. */
function page(all: Json[], query: URLSearchParams, defaultOrder: 'asc' | 'desc'): Json {
  const order = query.get('order') ?? defaultOrder;
  const ordered = order === 'desc' ? [...all].reverse() : all;
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 100);
  const after = query.get('after');
  const start = after ? ordered.findIndex((x) => x.id === after) + 1 : 0;
  const data = ordered.slice(start, start + limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < ordered.length };
}

/**
 * What the fake keeps of calls made with `store` (chat: `store: true`; responses: unless `store: false`),
 * served back as OpenAI's stored-completions API (`GET /v1/chat/completions`, `/{id}`, `/{id}/messages`)
 * and `GET /v1/responses/{id}`, `/{id}/input_items`, so an import from "OpenAI" can be tested offline.
 */
export class StoredLogs {
  readonly chats = new Map<string, Kept>();
  readonly responses = new Map<string, Kept>();

  /** Keeps an answered call if its request asked for it to be stored. */
  remember(path: string, request: Json, answer: Json): void {
    if (path === '/v1/chat/completions' && request.store === true) this.chats.set(String(answer.id), { request, answer });
    if (path === '/v1/responses' && request.store !== false) this.responses.set(String(answer.id), { request, answer });
  }

  #chatObject({ request, answer }: Kept): Json {
    return {
      ...answer, metadata: request.metadata ?? {}, request_id: `req_${String(answer.id).slice(-12)}`, tool_choice: request.tool_choice ?? null,
      seed: request.seed ?? null, top_p: request.top_p ?? 1, temperature: request.temperature ?? 1, presence_penalty: 0, frequency_penalty: 0,
      input_user: request.user ?? null, tools: request.tools ?? null, response_format: request.response_format ?? null,
    };
  }

  /** Answers a GET of the stored-logs API, or undefined when the path is not one of them. */
  handle(method: string, url: string): { status: number; body: Json } | undefined {
    if (method !== 'GET') return undefined;
    const [path, search] = url.split('?') as [string, string | undefined];
    const query = new URLSearchParams(search ?? '');
    const notFound = (kind: string, id: string) => ({ status: 404, body: { error: { message: `No ${kind} found with id '${id}'.`, type: 'invalid_request_error', param: null, code: null } } });
    if (path === '/v1/chat/completions') {
      const metadata = [...query.entries()].flatMap(([k, v]) => { const m = /^metadata\[(.+)\]$/.exec(k); return m ? [[m[1]!, v] as const] : []; });
      const model = query.get('model');
      const all = [...this.chats.values()]
        .filter(({ request, answer }) => (!model || request.model === model || answer.model === model)
          && metadata.every(([k, v]) => (request.metadata as Json | undefined)?.[k] === v))
        .map((k) => this.#chatObject(k));
      return { status: 200, body: page(all, query, 'asc') };
    }
    let m = /^\/v1\/chat\/completions\/([^/]+)(\/messages)?$/.exec(path);
    if (m) {
      const kept = this.chats.get(m[1]!);
      if (!kept) return notFound('chat completion', m[1]!);
      if (!m[2]) return { status: 200, body: this.#chatObject(kept) };
      const messages = (kept.request.messages as Json[]).map((msg, i) => ({
        id: `${m![1]}-${i}`, role: msg.role, content: typeof msg.content === 'string' ? msg.content : null, name: msg.name ?? null,
        content_parts: Array.isArray(msg.content) ? msg.content : null,
      }));
      return { status: 200, body: page(messages, query, 'asc') };
    }
    m = /^\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(path);
    if (m) {
      const kept = this.responses.get(m[1]!);
      if (!kept) return notFound('response', m[1]!);
      if (!m[2]) return { status: 200, body: kept.answer };
      const input = kept.request.input;
      const items = (typeof input === 'string' ? [{ role: 'user', content: input }] : input as Json[]).map((item, i) => ({
        id: `msg_${i}_${m![1]}`, type: 'message', role: item.role, status: 'completed',
        content: typeof item.content === 'string' ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content,
      }));
      return { status: 200, body: page(items, query, 'desc') };
    }
    return undefined;
  }
}
