import { GradeError } from '../../graders/grader.js';
import { MessageShapeError, normalizeMessage, textOf, type EvalContentPart, type Message } from '../../providers/messages.js';
import { isMissing, renderTemplate, resolvePath } from '../render-template.js';
import type { InputMessages, SampleMessage } from './types.js';
import { flattenContent } from '../../domain/flatten-content.js';

const render = (text: string, item: unknown): string => renderTemplate(text, { item });

/** Renders every text-bearing field of a part: text, image URL, audio data, file fields. */
function renderPart(part: EvalContentPart, item: unknown): EvalContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { ...part, text: render(part.text, item) };
    case 'input_image':
      return { ...part, image_url: render(part.image_url, item) };
    case 'input_audio':
      return { ...part, input_audio: { data: render(part.input_audio.data, item), format: part.input_audio.format } };
    case 'input_file': {
      const out = { ...part };
      for (const key of ['file_id', 'file_data', 'filename'] as const) if (out[key] !== undefined) out[key] = render(out[key], item);
      return out;
    }
  }
}

function shapeError(message: string): GradeError {
  return new GradeError('invalid_input_messages', message);
}

/**
 * The model input for one item, in internal form. A template is rendered against `{item}` (an unknown
 * variable throws GradeError `invalid_variable`); an item_reference must name a non-empty list of messages
 * in the item, which is sent as it is (it is data, not a template). Throws GradeError
 * `invalid_input_messages` when a message cannot be sent.
 */
export function buildInputMessages(input: InputMessages | null | undefined, item: unknown): Message[] {
  if (!input) throw shapeError('the data source has no input_messages, so there is nothing to send to the model');
  if (input.type === 'template') {
    return input.template.map((raw, index) => {
      let message: Message;
      try {
        message = normalizeMessage(raw);
      } catch (err) {
        throw shapeError(`input_messages.template[${index}]: ${(err as Error).message}`);
      }
      const { content } = message;
      if (typeof content === 'string') message.content = render(content, item);
      else if (content) message.content = content.map((part) => renderPart(part, item));
      return message;
    });
  }
  const path = input.item_reference.trim().replace(/^\{\{\s*(.*?)\s*\}\}$/, '$1');
  const value = path.startsWith('item') ? resolvePath({ item }, path) : undefined;
  if (value === undefined || isMissing(value)) {
    throw shapeError(`item_reference ${JSON.stringify(input.item_reference)} does not exist in this item`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw shapeError(`item_reference ${JSON.stringify(input.item_reference)} must be a non-empty list of messages`);
  }
  return value.map((raw, index) => {
    try {
      return normalizeMessage(raw);
    } catch (err) {
      if (!(err instanceof MessageShapeError)) throw err;
      throw shapeError(`${path}[${index}] is not a message: ${err.message}`);
    }
  });
}

/**
 * How a message is recorded in `sample.input`: its content as one string, as the API types it (text
 * joined, `<image>URL</image>`, `<audio>`, `<file>NAME</file>`); see renderedInput for the parts.
 */
export function toSampleMessage(message: Message): SampleMessage {
  const out: SampleMessage = { role: message.role, content: textOf(message.content) ?? flattenContent(message.content) };
  if (message.tool_calls) out.tool_calls = message.tool_calls;
  if (message.tool_call_id !== undefined) out.tool_call_id = message.tool_call_id;
  return out;
}

/** The input with its parts, kept on the sample only when flattening lost something (images, audio, files). */
export function renderedInput(messages: Message[]): Array<{ role: string; content: string | EvalContentPart[] }> | undefined {
  if (messages.every((m) => textOf(m.content) !== null)) return undefined;
  return messages.map((m) => ({ role: m.role, content: m.content ?? '' }));
}
