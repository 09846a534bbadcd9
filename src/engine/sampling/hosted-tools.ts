import type { ToolCall } from '../../domain/sample.js';

type Item = Record<string, unknown>;

const json = (value: unknown): string => JSON.stringify(value ?? {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

// Per hosted kind: the tool name it called and its input, as a chat-completions function call. The
// arguments are JSON text (as a function call's are) so templates can follow paths into them.
const KINDS: Record<string, (item: Item) => { name: string; arguments: string }> = {
  mcp_call: (i) => ({ name: str(i.name) ?? '', arguments: str(i.arguments) ?? json(i.arguments) }),
  custom_tool_call: (i) => ({ name: str(i.name) ?? '', arguments: str(i.input) ?? '' }),
  web_search_call: (i) => ({ name: 'web_search', arguments: json(i.action) }),
  file_search_call: (i) => ({ name: 'file_search', arguments: json({ queries: i.queries ?? [] }) }),
  code_interpreter_call: (i) => ({ name: 'code_interpreter', arguments: json({ code: i.code ?? null, container_id: i.container_id ?? null }) }),
  image_generation_call: (i) => ({ name: 'image_generation', arguments: json(i.revised_prompt === undefined ? {} : { revised_prompt: i.revised_prompt }) }),
  computer_call: (i) => ({ name: 'computer', arguments: json(i.action) }),
  local_shell_call: (i) => ({ name: 'local_shell', arguments: json(i.action) }),
};

/** Kinds whose call waits for the caller's answer, so the turn ends in `tool_calls` as a function call does. */
export const CLIENT_EXECUTED = new Set(['function_call', 'custom_tool_call', 'computer_call', 'local_shell_call']);

/** Whether a Responses output item is a tool call other than a function call (hosted or custom). */
export function isHostedCall(item: Item): boolean {
  const type = str(item.type);
  return type !== undefined && type !== 'function_call' && type.endsWith('_call');
}

/**
 * A hosted call in `sample.output_tools`'s one shape: `{id, type, function: {name, arguments}}`, where
 * `type` is the item's own type. A `*_call` kind evald does not know yet keeps its fields (but id, type,
 * status) as the arguments, and its type without `_call` as the name.
 */
export function hostedToolCall(item: Item): ToolCall {
  const type = str(item.type) ?? '';
  const known = KINDS[type];
  let fn: { name: string; arguments: string };
  if (known) fn = known(item);
  else {
    const { id: _id, type: _type, status: _status, ...rest } = item;
    fn = { name: type.replace(/_call$/, ''), arguments: json(rest) };
  }
  return { id: str(item.call_id) ?? str(item.id) ?? '', type, function: fn };
}

/**
 * A Chat Completions tool call in the same shape: function calls as they are, a custom tool's call
 * (`{type: "custom", custom: {name, input}}`) with its input as the arguments.
 */
export function chatToolCall(call: ToolCall): ToolCall {
  const custom = (call as { custom?: { name?: unknown; input?: unknown } }).custom;
  if (call.function || !custom) return call;
  return { id: call.id, type: call.type, function: { name: str(custom.name) ?? '', arguments: str(custom.input) ?? '' } };
}
