import { ApiError } from '../api/errors.js';
import { forbiddenKey, parsePath, templateProblem, type TemplateRules } from '../domain/template.js';
import type { EvalItem } from '../schemas/messages.js';

/** A template somewhere in a request, with the request path `param` names when it is refused. */
export interface PlacedTemplate {
  param: string;
  text: string;
}

/** The templates a grader renders: its input/reference strings, or the texts of its input messages. */
export function graderTemplates(grader: Record<string, unknown>, base: string): PlacedTemplate[] {
  const out: PlacedTemplate[] = [];
  for (const key of ['input', 'reference'] as const) {
    const value = grader[key];
    if (typeof value === 'string') out.push({ param: `${base}.${key}`, text: value });
  }
  if (Array.isArray(grader.input)) out.push(...messageTemplates(grader.input as EvalItem[], `${base}.input`));
  const subs = grader.graders;
  if (subs && typeof subs === 'object') {
    if (typeof (subs as { type?: unknown }).type === 'string') out.push(...graderTemplates(subs as Record<string, unknown>, `${base}.graders`));
    else if (Array.isArray(subs)) subs.forEach((g, i) => out.push(...graderTemplates(g as Record<string, unknown>, `${base}.graders[${i}]`)));
    else for (const [k, g] of Object.entries(subs)) out.push(...graderTemplates(g as Record<string, unknown>, `${base}.graders.${k}`));
  }
  return out;
}

/** The rendered fields of messages in EvalItem form: text, an image's URL, audio data. */
export function messageTemplates(messages: Array<{ content: unknown }>, base: string): PlacedTemplate[] {
  const out: PlacedTemplate[] = [];
  messages.forEach((m, i) => {
    const param = `${base}[${i}].content`;
    if (Array.isArray(m.content)) m.content.forEach((part, k) => out.push(...partTemplates(part, `${param}[${k}]`)));
    else out.push(...partTemplates(m.content, param));
  });
  return out;
}

function partTemplates(part: unknown, param: string): PlacedTemplate[] {
  if (typeof part === 'string') return [{ param, text: part }];
  if (!part || typeof part !== 'object') return [];
  const p = part as { text?: unknown; image_url?: unknown; input_audio?: { data?: unknown }; file_id?: unknown; file_data?: unknown; filename?: unknown };
  const found: PlacedTemplate[] = [];
  for (const [field, value] of [['text', p.text], ['image_url', p.image_url], ['input_audio.data', p.input_audio?.data],
    ['file_id', p.file_id], ['file_data', p.file_data], ['filename', p.filename]] as const) {
    if (typeof value === 'string') found.push({ param: `${param}.${field}`, text: value });
  }
  return found;
}

/** Refuses (400, `param` naming it) the first template that can render for no row. */
export function checkTemplates(templates: PlacedTemplate[], rules: TemplateRules): void {
  for (const t of templates) {
    const problem = templateProblem(t.text, rules);
    if (problem) throw ApiError.invalid(t.param, `This template cannot render for any row: ${problem}.`, 'invalid_template');
  }
}

/** Refuses an item_reference naming a key the item schema forbids. */
export function checkItemReference(reference: string, itemSchema: unknown, param: string): void {
  const parsed = parsePath(reference.trim().replace(/^\{\{\s*(.*?)\s*\}\}$/, '$1'));
  if (!parsed) throw ApiError.invalid(param, `item_reference ${JSON.stringify(reference)} is not a path such as "item.messages".`, 'invalid_template');
  const bad = forbiddenKey(itemSchema, parsed.keys);
  if (bad) {
    throw ApiError.invalid(param, `item_reference ${JSON.stringify(reference)}: the item schema has no property '${bad.key}'${bad.at ? ` in ${bad.at}` : ''} and allows no others (additionalProperties: false).`, 'invalid_template');
  }
}
