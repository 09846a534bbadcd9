/**
 * Message content as one string, the way the Evals API types `sample.input[].content`: text parts joined
 * by newlines, an image as `<image>URL</image>`, audio as `<audio>`, a file as `<file>NAME</file>`. Takes
 * both part vocabularies (EvalItem `input_text`/`input_image`, Chat Completions `text`/`image_url`).
 */
export function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  const parts = Array.isArray(content) ? content : [content];
  return parts.map(flattenPart).join('\n');
}

function flattenPart(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!part || typeof part !== 'object') return '';
  const p = part as Record<string, unknown>;
  switch (p.type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return typeof p.text === 'string' ? p.text : '';
    case 'refusal':
      return typeof p.refusal === 'string' ? p.refusal : '';
    case 'input_image':
    case 'image_url': {
      const image = p.image_url;
      const url = typeof image === 'string' ? image : image && typeof image === 'object' ? (image as { url?: unknown }).url : '';
      return `<image>${typeof url === 'string' ? url : ''}</image>`;
    }
    case 'input_audio':
      return '<audio>';
    case 'input_file':
    case 'file': {
      const file = (p.type === 'file' && p.file && typeof p.file === 'object' ? p.file : p) as { filename?: unknown; file_id?: unknown };
      const name = typeof file.filename === 'string' ? file.filename : typeof file.file_id === 'string' ? file.file_id : '';
      return `<file>${name}</file>`;
    }
    default:
      return '';
  }
}

/** Whether content holds anything but text (then flattening loses it, and the parts are kept beside). */
export function hasNonTextParts(content: unknown): boolean {
  if (!Array.isArray(content)) return content !== null && typeof content === 'object' && !isTextPart(content);
  return content.some((p) => typeof p === 'object' && p !== null && !isTextPart(p));
}

const isTextPart = (p: object): boolean => ['text', 'input_text', 'output_text', 'refusal'].includes((p as { type?: string }).type ?? '');
