import type { LogRecord } from '../storage/index.js';

type Json = Record<string, unknown>;

/** Request fields a stored chat completion returns beside the answer, with OpenAI's values when unset. */
function chatRequestFields(req: Json) {
  return {
    tool_choice: req.tool_choice ?? null,
    seed: req.seed ?? null,
    top_p: req.top_p ?? 1,
    temperature: req.temperature ?? 1,
    presence_penalty: req.presence_penalty ?? 0,
    frequency_penalty: req.frequency_penalty ?? 0,
    input_user: req.user ?? null,
    tools: req.tools ?? null,
    response_format: req.response_format ?? null,
  };
}

/** A stored chat completion as `GET /chat/completions/{id}` returns it: the answer, its metadata, its request's parameters. */
export function chatLogToWire(log: LogRecord): Json {
  const answer = JSON.parse(log.response) as Json;
  return { ...answer, object: 'chat.completion', id: log.id, ...chatRequestFields(JSON.parse(log.request) as Json), metadata: JSON.parse(log.metadata) };
}

/** A stored response as `GET /responses/{id}` returns it. */
export function responseLogToWire(log: LogRecord): Json {
  return { ...(JSON.parse(log.response) as Json), id: log.id, metadata: JSON.parse(log.metadata) };
}

const textOfParts = (parts: unknown[]): string | null => {
  const texts = parts.filter((p): p is { text: string } => typeof (p as { text?: unknown })?.text === 'string').map((p) => p.text);
  return texts.length ? texts.join('') : null;
};

/** The request's messages as `GET /chat/completions/{id}/messages` lists them (ids `<completion id>-<index>`). */
export function chatMessagesOf(log: LogRecord): Json[] {
  const messages = (JSON.parse(log.request) as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return [];
  return messages.map((m: Json, i) => {
    const parts = Array.isArray(m.content) ? m.content : null;
    const out: Json = {
      id: `${log.id}-${i}`,
      role: m.role,
      content: parts ? textOfParts(parts) : (m.content ?? null),
      name: m.name ?? null,
      content_parts: parts,
    };
    if (m.tool_calls !== undefined) out.tool_calls = m.tool_calls;
    if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
    return out;
  });
}

/**
 * A response request's input as `GET /responses/{id}/input_items` lists it: a string input is one user
 * message; a message's string content becomes one input_text (output_text for assistant) part; every item
 * gets an id (its own, or `msg_<response id>_<index>`).
 */
export function inputItemsOf(log: LogRecord): Json[] {
  const input = (JSON.parse(log.request) as { input?: unknown }).input;
  const items: Json[] = typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : [];
  const base = log.id.replace(/^resp_/, '');
  return items.map((item, i) => {
    const isMessage = item.type === undefined || item.type === 'message';
    if (!isMessage) return { ...item, id: item.id ?? `item_${base}_${i}` };
    const partType = item.role === 'assistant' ? 'output_text' : 'input_text';
    const content = typeof item.content === 'string' ? [{ type: partType, text: item.content }] : item.content;
    return { id: item.id ?? `msg_${base}_${i}`, type: 'message', role: item.role, content, status: item.status ?? 'completed' };
  });
}

/** A keyset page over a list held in memory, by the items' ids, as the list endpoints page. */
export function pageOf<T extends { id?: unknown }>(all: T[], after: string | undefined, limit: number, order: 'asc' | 'desc') {
  const ordered = order === 'asc' ? all : [...all].reverse();
  const start = after ? ordered.findIndex((x) => x.id === after) + 1 : 0;
  const data = ordered.slice(start, start + limit);
  return {
    object: 'list' as const,
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data[data.length - 1]?.id as string | undefined) ?? null,
    has_more: start + limit < ordered.length,
  };
}
