import { z } from 'zod';

export const Role = z.enum(['user', 'assistant', 'system', 'developer']);

const InputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const OutputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const InputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string(),
  detail: z.enum(['high', 'low', 'auto']).nullish(),
});
const InputAudio = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string(), format: z.enum(['mp3', 'wav']) }),
});
const InputFile = z.looseObject({ type: z.literal('input_file') });

/** One content item of an `EvalItem`: text, output text, image or audio. */
export const ContentItem = z.union([
  z.string(),
  z.discriminatedUnion('type', [InputText, OutputText, InputImage, InputAudio]),
]);
/** Content parts a run template's `EasyInputMessage` may also carry (`input_file`). */
const RunContentItem = z.union([
  z.string(),
  z.discriminatedUnion('type', [InputText, OutputText, InputImage, InputAudio, InputFile]),
]);

export type ContentItem = z.infer<typeof ContentItem> | z.infer<typeof InputFile>;

/** `EvalItem` as stored: `{type:"message", role, content}` with content an item or a list of items. */
export interface EvalItem {
  type: 'message';
  role: string;
  content: ContentItem | ContentItem[];
}

// SimpleInputMessage {role: any string, content: string} and EvalItem {role enum, content item(s)} share a
// shape, so one schema takes both; a role outside the enum is only allowed with plain string content.
const messageSchema = (content: z.ZodType) =>
  z.looseObject({
    type: z.literal('message').optional(),
    role: z.string(),
    content: z.union([content, z.array(content)]),
  }).superRefine((m, ctx) => {
    if (typeof m.content !== 'string' && !Role.safeParse(m.role).success) {
      ctx.addIssue({ code: 'custom', path: ['role'], message: `role must be one of user, assistant, system, developer` });
    }
  });

/** A grader or template input message as submitted (`CreateEvalItem`). */
export const InputMessage = messageSchema(ContentItem);
/** A run template message (`EasyInputMessage` | `EvalItem`). */
export const RunInputMessage = messageSchema(RunContentItem);

/** Rewrites a submitted message into stored `EvalItem` form: plain text becomes `{type:"input_text", text}`. */
export function normaliseMessage(m: { role: string; content: unknown }): EvalItem {
  const content = typeof m.content === 'string' ? { type: 'input_text' as const, text: m.content } : (m.content as EvalItem['content']);
  return { type: 'message', role: m.role, content };
}
