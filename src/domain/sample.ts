/** The `sample` namespace graders see: what the model produced for one item (or the row's `sample`). */
export interface ToolCall {
  /** A function call's `call_id`; a hosted call's `call_id` when it has one, else its item id. */
  id: string;
  /** `function`, or a hosted call's Responses item type (`mcp_call`, `web_search_call`, …). */
  type: string;
  function: { name: string; arguments: string };
}

/** Audio the model answered with (Chat Completions `message.audio`). */
export interface OutputAudio {
  data: string;
  transcript: string;
}

export interface Choice {
  index: number;
  message: {
    role: 'assistant';
    content: string | null;
    tool_calls?: ToolCall[] | null;
    refusal?: string | null;
    audio?: (OutputAudio & { id?: string; expires_at?: number }) | null;
  };
  finish_reason: string;
}

export interface Sample {
  model?: string;
  output_text?: string;
  output_json?: unknown;
  output_tools?: ToolCall[];
  output_audio?: OutputAudio;
  choices?: Choice[];
  [key: string]: unknown;
}

/** Token usage as the Evals API reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
}

export const zeroUsage = (): Usage => ({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 });
