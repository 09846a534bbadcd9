import { answer, type OutputFormat } from './answer.js';
import { hostedItem } from './hosted.js';
import { BadRequest, checkParams, isObject, optionalInt, requireModel, type Endpoint } from './endpoint.js';
import { messageTexts, newId, snapshotName } from './text.js';

// No `seed` here: the real Responses API rejects it.
const PARAMS = new Set([
  'model', 'input', 'instructions', 'temperature', 'top_p', 'max_output_tokens', 'tools', 'tool_choice', 'parallel_tool_calls',
  'text', 'reasoning', 'store', 'metadata', 'previous_response_id', 'include', 'truncation', 'user', 'stream', 'background',
  'service_tier', 'prompt', 'prompt_cache_key', 'safety_identifier', 'max_tool_calls', 'top_logprobs', 'conversation',
  'stream_options',
]);

const INPUT_PARTS = new Set(['input_text', 'input_image', 'input_file', 'input_audio']);
const ASSISTANT_PARTS = new Set(['output_text', 'refusal']);

function checkInput(input: unknown): void {
  if (typeof input === 'string') return;
  if (!Array.isArray(input)) throw new BadRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  input.forEach((item, i) => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw new BadRequest(`Invalid type for '${param}'.`, param);
    const type = item.type ?? 'message';
    if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string') throw new BadRequest(`Invalid '${param}': function_call needs call_id, name, arguments.`, param);
      return;
    }
    if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || typeof item.output !== 'string') throw new BadRequest(`Invalid '${param}': function_call_output needs call_id and output.`, param);
      return;
    }
    if (type !== 'message') throw new BadRequest(`Invalid value: '${String(type)}'.`, `${param}.type`);
    if (!['user', 'system', 'developer', 'assistant'].includes(item.role as string)) throw new BadRequest(`Invalid value for '${param}.role'.`, `${param}.role`);
    if (typeof item.content === 'string') return;
    if (!Array.isArray(item.content)) throw new BadRequest(`Invalid type for '${param}.content'.`, `${param}.content`);
    const allowed = item.role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
    item.content.forEach((part, j) => {
      const partType = isObject(part) ? part.type : undefined;
      if (typeof partType !== 'string' || !allowed.has(partType)) {
        throw new BadRequest(`Invalid value: '${String(partType)}'. Supported values are: ${[...allowed].map((t) => `'${t}'`).join(', ')}.`, `${param}.content[${j}].type`);
      }
    });
  });
}

function outputFormat(text: unknown): OutputFormat {
  const format = isObject(text) ? text.format : undefined;
  if (format === undefined || format === null) return { type: 'text' };
  if (!isObject(format)) throw new BadRequest("Invalid type for 'text.format'.", 'text.format');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type === 'json_schema' && typeof format.name === 'string' && isObject(format.schema)) return { type: 'json_schema', schema: format.schema };
  throw new BadRequest("Invalid 'text.format': expected text, json_object or json_schema with name and schema.", 'text.format');
}

/** POST /v1/responses. */
export const responses: Endpoint = (body) => {
  checkParams(body, PARAMS, 'responses');
  const model = requireModel(body);
  checkInput(body.input);
  const format = outputFormat(body.text);
  const maxTokens = optionalInt(body, 'max_output_tokens', 16);
  const messages = messageTexts(body.input);
  if (typeof body.instructions === 'string') messages.unshift({ role: 'developer', text: body.instructions });
  return {
    model,
    promptText: messages.map((m) => m.text).join('\n'),
    respond(directives) {
      const a = answer(messages, format, directives, maxTokens);
      const output: unknown[] = a.toolCalls.map((t) => ({ type: 'function_call', id: newId('fc_'), call_id: t.id, name: t.name, arguments: t.arguments, status: 'completed' }));
      if (a.text !== null || a.refusal !== null) {
        const content = a.refusal !== null ? [{ type: 'refusal', refusal: a.refusal }] : [{ type: 'output_text', text: a.text, annotations: [], logprobs: [] }];
        output.unshift({ type: 'message', id: newId('msg_'), status: 'completed', role: 'assistant', content });
      }
      // Hosted calls run before the answer is written, so they come first, as the real API orders them.
      output.unshift(...(directives.hosted ?? []).map((h) => hostedItem(h.kind, h.name, h.input)));
      const incomplete = a.finishReason === 'length';
      return {
        id: newId('resp_'),
        object: 'response',
        created_at: Math.floor(Date.now() / 1000),
        status: incomplete ? 'incomplete' : 'completed',
        background: false,
        error: null,
        incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
        instructions: body.instructions ?? null,
        max_output_tokens: maxTokens ?? null,
        model: snapshotName(model),
        output,
        parallel_tool_calls: true,
        previous_response_id: null,
        reasoning: { effort: isObject(body.reasoning) ? (body.reasoning.effort ?? null) : null, summary: null },
        store: body.store ?? true,
        temperature: body.temperature ?? 1,
        text: { format: isObject(body.text) && body.text.format ? body.text.format : { type: 'text' } },
        tool_choice: body.tool_choice ?? 'auto',
        tools: body.tools ?? [],
        top_p: body.top_p ?? 1,
        truncation: 'disabled',
        usage: {
          input_tokens: a.promptTokens,
          input_tokens_details: { cached_tokens: a.cachedTokens },
          output_tokens: a.completionTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: a.promptTokens + a.completionTokens,
        },
        user: null,
        metadata: body.metadata ?? {},
      };
    },
  };
};
