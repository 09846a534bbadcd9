/** One `chat.completion.chunk` as it arrives (only the fields assembling reads are typed). */
interface Chunk {
  id?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  usage?: unknown;
  choices?: Array<{
    index?: number;
    finish_reason?: string | null;
    logprobs?: unknown;
    delta?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
    };
  }>;
}

interface ToolCall { id: string; type: string; function: { name: string; arguments: string } }
interface Choice { content: string | null; refusal: string | null; toolCalls: ToolCall[]; finish: string | null; role: string }

/**
 * Rebuilds the `chat.completion` a streamed answer amounts to, chunk by chunk: content and refusal
 * deltas concatenated, tool calls merged by their index, the last usage seen (sent in a final chunk when
 * `stream_options.include_usage` is set).
 */
export class ChatStreamAssembler {
  #head: Chunk = {};
  #choices = new Map<number, Choice>();
  #usage: unknown = null;

  add(chunk: Chunk): void {
    if (this.#head.id === undefined && chunk.id !== undefined) {
      this.#head = { id: chunk.id, created: chunk.created, model: chunk.model, system_fingerprint: chunk.system_fingerprint, service_tier: chunk.service_tier };
    }
    if (chunk.usage) this.#usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      const index = c.index ?? 0;
      let choice = this.#choices.get(index);
      if (!choice) {
        choice = { content: null, refusal: null, toolCalls: [], finish: null, role: 'assistant' };
        this.#choices.set(index, choice);
      }
      const d = c.delta ?? {};
      if (d.role) choice.role = d.role;
      if (typeof d.content === 'string') choice.content = (choice.content ?? '') + d.content;
      if (typeof d.refusal === 'string') choice.refusal = (choice.refusal ?? '') + d.refusal;
      for (const t of d.tool_calls ?? []) {
        const at = t.index ?? choice.toolCalls.length;
        const call = (choice.toolCalls[at] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (t.id) call.id = t.id;
        if (t.type) call.type = t.type;
        if (t.function?.name) call.function.name += t.function.name;
        if (t.function?.arguments) call.function.arguments += t.function.arguments;
      }
      if (c.finish_reason) choice.finish = c.finish_reason;
    }
  }

  /** The assembled answer, shaped as the same call without `stream` would have returned it. */
  result(): Record<string, unknown> {
    const choices = [...this.#choices.entries()].sort(([a], [b]) => a - b).map(([index, c]) => ({
      index,
      message: {
        role: c.role,
        content: c.content,
        refusal: c.refusal,
        ...(c.toolCalls.length ? { tool_calls: c.toolCalls.filter(Boolean) } : {}),
      },
      logprobs: null,
      finish_reason: c.finish ?? 'stop',
    }));
    return {
      id: this.#head.id,
      object: 'chat.completion',
      created: this.#head.created ?? Math.floor(Date.now() / 1000),
      model: this.#head.model,
      choices,
      usage: this.#usage,
      ...(this.#head.service_tier !== undefined ? { service_tier: this.#head.service_tier } : {}),
      ...(this.#head.system_fingerprint !== undefined ? { system_fingerprint: this.#head.system_fingerprint } : {}),
    };
  }
}
