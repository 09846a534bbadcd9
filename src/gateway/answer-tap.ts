import { createParser, type EventSourceParser } from 'eventsource-parser';
import { ChatStreamAssembler } from './chat-stream.js';

/** Which OpenAI endpoint a gateway call is for. */
export type GatewayEndpoint = 'chat' | 'responses' | 'embeddings';

/** Token counts of one call, whatever the endpoint's own field names. */
export interface CallUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The usage of an answer object (chat / embeddings `prompt_tokens…`, responses `input_tokens…`). */
export function usageOf(answer: unknown): CallUsage | null {
  const u = (answer as { usage?: Record<string, unknown> } | null)?.usage;
  if (!u || typeof u !== 'object') return null;
  const prompt = n(u.prompt_tokens ?? u.input_tokens);
  const completion = n(u.completion_tokens ?? u.output_tokens);
  const details = (u.prompt_tokens_details ?? u.input_tokens_details) as { cached_tokens?: unknown } | undefined;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: n(u.total_tokens) || prompt + completion, cached_tokens: n(details?.cached_tokens) };
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads a copy of an answer while it is piped to the client, for the log and the usage count. What it
 * parses is only what those need: a non-streamed body once, at its end; of a chat stream, every chunk
 * when the answer is logged, else only the chunk carrying usage; of a responses stream, the terminal
 * event (which holds the whole response).
 */
export class AnswerTap {
  #chunks: Buffer[] = [];
  #parser: EventSourceParser | null = null;
  #decoder: TextDecoder | null = null;
  #chat: ChatStreamAssembler | null = null;
  #answer: Record<string, unknown> | null = null;
  #usage: CallUsage | null = null;

  constructor(readonly endpoint: GatewayEndpoint, readonly stream: boolean, readonly keep: boolean) {
    if (!stream) return;
    this.#decoder = new TextDecoder();
    if (endpoint === 'chat' && keep) this.#chat = new ChatStreamAssembler();
    this.#parser = createParser({ onEvent: (event) => this.#onEvent(event.event, event.data) });
  }

  onData(chunk: Buffer): void {
    if (this.#parser) this.#parser.feed(this.#decoder!.decode(chunk, { stream: true }));
    else this.#chunks.push(chunk);
  }

  /** The answer object (when kept and complete) and its usage (when the upstream reported it). */
  finish(): { answer: Record<string, unknown> | null; usage: CallUsage | null } {
    if (!this.stream) {
      const text = this.#chunks.length === 1 ? this.#chunks[0]!.toString('utf8') : Buffer.concat(this.#chunks).toString('utf8');
      this.#chunks = [];
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        return { answer: this.keep && parsed && typeof parsed === 'object' ? parsed : null, usage: usageOf(parsed) };
      } catch {
        return { answer: null, usage: null };
      }
    }
    if (this.#chat) this.#answer = this.#chat.result();
    return { answer: this.keep ? this.#answer : null, usage: this.#usage };
  }

  #onEvent(event: string | undefined, data: string): void {
    if (this.endpoint === 'chat') {
      if (data === '[DONE]') return;
      if (!this.#chat && !data.includes('"usage":{')) return;
      const chunk = parse(data);
      if (!chunk) return;
      this.#chat?.add(chunk);
      const usage = usageOf(chunk);
      if (usage) this.#usage = usage;
      return;
    }
    const type = event ?? /"type"\s*:\s*"([^"]+)"/.exec(data)?.[1];
    if (!type || !TERMINAL.has(type)) return;
    const parsed = parse(data) as { response?: Record<string, unknown> } | null;
    if (!parsed?.response) return;
    this.#answer = parsed.response;
    this.#usage = usageOf(parsed.response);
  }
}

function parse(data: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(data) as unknown;
    return value && typeof value === 'object' ? value as Record<string, unknown> : null;
  } catch {
    return null;
  }
}
