/** The `sample` namespace graders see: what the model produced for one item (or the row's `sample`). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface Choice {
  index: number;
  message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] | null; refusal?: string | null };
  finish_reason: string;
}

export interface Sample {
  model?: string;
  output_text?: string;
  output_json?: unknown;
  output_tools?: ToolCall[];
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
