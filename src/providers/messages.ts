import type { ToolCall } from '../domain/sample.js';
import type { ChatContentPart, ChatMessage } from './openai-chat.js';
import type { ResponsesInputItem, ResponsesInputPart } from './openai-responses.js';

/** An EvalItem content part (API §4.2), plus `input_file` from EasyInputMessage. */
export type EvalContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string }
  | { type: 'input_image'; image_url: string; detail?: string | null }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'input_file'; file_id?: string; file_data?: string; filename?: string };

/** EvalItem content: a string, one part, or a list of parts. */
export type EvalContent = string | EvalContentPart | EvalContentPart[];

/** A message in evald's one internal form, from which each upstream API's shape is made. */
export interface Message {
  role: string;
  /** A string stays a string (sent as plain text, which every compatible server accepts). */
  content: string | EvalContentPart[] | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** An input message that cannot be sent; becomes the item's `invalid_input_messages` error. */
export class MessageShapeError extends Error {
  override name = 'MessageShapeError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One content part in EvalItem form; also accepts Chat Completions parts (`text`, `image_url`, `file`). */
function normalizePart(part: unknown): EvalContentPart {
  if (typeof part === 'string') return { type: 'input_text', text: part };
  if (!isObject(part)) throw new MessageShapeError('a content part must be an object');
  switch (part.type) {
    case 'input_text':
    case 'text':
      if (typeof part.text !== 'string') break;
      return { type: 'input_text', text: part.text };
    case 'output_text':
      if (typeof part.text !== 'string') break;
      return { type: 'output_text', text: part.text };
    case 'refusal':
      if (typeof part.refusal !== 'string') break;
      return { type: 'output_text', text: part.refusal };
    case 'input_image': {
      const url = str(part.image_url) ?? (isObject(part.image_url) ? str(part.image_url.url) : undefined);
      if (url === undefined) break;
      return { type: 'input_image', image_url: url, detail: str(part.detail) ?? null };
    }
    case 'image_url': {
      const image = part.image_url;
      const url = str(image) ?? (isObject(image) ? str(image.url) : undefined);
      if (url === undefined) break;
      return { type: 'input_image', image_url: url, detail: isObject(image) ? (str(image.detail) ?? null) : null };
    }
    case 'input_audio': {
      const audio = part.input_audio;
      if (!isObject(audio) || typeof audio.data !== 'string' || typeof audio.format !== 'string') break;
      return { type: 'input_audio', input_audio: { data: audio.data, format: audio.format } };
    }
    case 'input_file':
    case 'file': {
      const file = part.type === 'file' && isObject(part.file) ? part.file : part;
      const out: EvalContentPart = { type: 'input_file' };
      for (const key of ['file_id', 'file_data', 'filename'] as const) if (typeof file[key] === 'string') out[key] = file[key];
      return out;
    }
  }
  throw new MessageShapeError(`unsupported or malformed content part of type ${JSON.stringify(part.type)}`);
}

/** Content in internal form: strings stay strings, a single part becomes a list. */
export function normalizeContent(content: unknown): string | EvalContentPart[] {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(normalizePart);
  return [normalizePart(content)];
}

/** A message object (EvalItem, EasyInputMessage or Chat Completions form) in internal form. */
export function normalizeMessage(value: unknown): Message {
  if (!isObject(value) || typeof value.role !== 'string') throw new MessageShapeError('a message needs a string `role`');
  if (value.type !== undefined && value.type !== 'message') throw new MessageShapeError(`items of type ${JSON.stringify(value.type)} are not messages`);
  const message: Message = { role: value.role, content: null };
  if (Array.isArray(value.tool_calls) && value.tool_calls.length > 0) message.tool_calls = value.tool_calls as ToolCall[];
  if (typeof value.tool_call_id === 'string') message.tool_call_id = value.tool_call_id;
  if (value.content === null || value.content === undefined) {
    if (!message.tool_calls) throw new MessageShapeError(`a ${value.role} message needs \`content\``);
    return message;
  }
  message.content = normalizeContent(value.content);
  return message;
}

const isText = (p: EvalContentPart): p is Extract<EvalContentPart, { text: string }> => p.type === 'input_text' || p.type === 'output_text';

/** The text of a message's content, or null when it holds anything other than text. */
export function textOf(content: Message['content']): string | null {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.every(isText) ? content.map((p) => p.text).join('\n') : null;
}

function toChatPart(part: EvalContentPart): ChatContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'input_image':
      return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
    case 'input_audio':
      return { type: 'input_audio', input_audio: part.input_audio };
    case 'input_file': {
      const { type: _type, ...file } = part;
      return { type: 'file', file };
    }
  }
}

/** The Chat Completions form; one text part is sent as a plain string for the widest compatibility. */
export function toChatMessage(message: Message): ChatMessage {
  const { content } = message;
  const out: ChatMessage = {
    role: message.role,
    content: content === null || typeof content === 'string' ? content : content.length === 1 && isText(content[0]!) ? content[0].text : content.map(toChatPart),
  };
  if (message.tool_calls) out.tool_calls = message.tool_calls;
  if (message.tool_call_id !== undefined) out.tool_call_id = message.tool_call_id;
  return out;
}

function toResponsesPart(part: EvalContentPart): ResponsesInputPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      // The Responses API takes output_text only inside assistant messages, which are sent as strings.
      return { type: 'input_text', text: part.text };
    case 'input_image':
      return { type: 'input_image', image_url: part.image_url, detail: part.detail ?? 'auto' };
    case 'input_audio':
      return { type: 'input_audio', input_audio: part.input_audio };
    case 'input_file':
      return part;
  }
}

/**
 * The Responses API form. Assistant turns become string messages (their typed form needs ids and statuses
 * we do not have), tool calls become function_call items and tool results function_call_output items.
 */
export function toResponsesItems(message: Message): ResponsesInputItem[] {
  const { role, content } = message;
  if (role === 'tool') {
    return [{ type: 'function_call_output', call_id: message.tool_call_id ?? '', output: textOf(content) ?? '' }];
  }
  const items: ResponsesInputItem[] = [];
  const text = textOf(content);
  if (role === 'assistant') {
    if (text === null) throw new MessageShapeError('an assistant message may only hold text');
    if (text !== '' || !message.tool_calls) items.push({ type: 'message', role, content: text });
  } else if (content !== null) {
    items.push({ type: 'message', role, content: text ?? (content as EvalContentPart[]).map(toResponsesPart) });
  }
  for (const call of message.tool_calls ?? []) {
    items.push({ type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return items;
}
