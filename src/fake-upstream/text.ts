/** FNV-1a 32-bit: a fast, stable hash for deterministic choices and embedding buckets. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A rough token count (OpenAI's rule of thumb: ~4 characters per token). */
export const countTokens = (text: string): number => (text.length === 0 ? 0 : Math.ceil(text.length / 4));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The text inside any content shape: a string, a part, or a list of parts of either API. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(contentText).filter(Boolean).join('\n');
  if (!isObject(content)) return '';
  if (typeof content.text === 'string') return content.text;
  if (typeof content.refusal === 'string') return content.refusal;
  return '';
}

/** A chat or responses message list as `{role, text}` pairs (tool results count as role `tool`). */
export function messageTexts(messages: unknown): Array<{ role: string; text: string }> {
  if (typeof messages === 'string') return [{ role: 'user', text: messages }];
  if (!Array.isArray(messages)) return [];
  return messages.filter(isObject).map((m) => {
    if (m.type === 'function_call_output') return { role: 'tool', text: typeof m.output === 'string' ? m.output : '' };
    if (m.type === 'function_call') return { role: 'assistant', text: `${String(m.name)}(${String(m.arguments)})` };
    return { role: typeof m.role === 'string' ? m.role : 'user', text: contentText(m.content) };
  });
}

/** The model name the fake reports: a dated snapshot, as the real API resolves aliases. */
export const snapshotName = (model: string): string => (/-\d{4}-\d{2}-\d{2}$/.test(model) ? model : `${model}-2024-07-18`);

let counter = 0;
const boot = Date.now().toString(36);
/** A unique id with the API's prefix, e.g. `chatcmpl-…`, `resp_…`. */
export const newId = (prefix: string): string => `${prefix}${boot}${(counter++).toString(36).padStart(6, '0')}`;
