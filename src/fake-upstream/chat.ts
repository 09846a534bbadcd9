import { answer, type OutputFormat } from './answer.js';
import { audioAnswer, wantsAudio } from './audio.js';
import { BadRequest, checkParams, isObject, optionalInt, requireModel, type Endpoint } from './endpoint.js';
import { messageTexts, newId, snapshotName } from './text.js';

const PARAMS = new Set([
  'model', 'messages', 'temperature', 'top_p', 'n', 'stream', 'stream_options', 'stop', 'max_tokens', 'max_completion_tokens',
  'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'user', 'seed', 'tools', 'tool_choice',
  'parallel_tool_calls', 'response_format', 'reasoning_effort', 'store', 'metadata', 'service_tier', 'modalities', 'audio',
  'prediction', 'web_search_options', 'verbosity', 'prompt_cache_key', 'safety_identifier', 'functions', 'function_call',
]);

// Which content part types each role may carry in Chat Completions.
const PARTS: Record<string, ReadonlySet<string>> = {
  user: new Set(['text', 'image_url', 'input_audio', 'file']),
  system: new Set(['text']),
  developer: new Set(['text']),
  assistant: new Set(['text', 'refusal']),
  tool: new Set(['text']),
};

function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
  messages.forEach((m, i) => {
    const param = `messages.[${i}]`;
    if (!isObject(m) || typeof m.role !== 'string' || !(m.role in PARTS)) throw new BadRequest(`Invalid value for '${param}.role'.`, `${param}.role`);
    const content = m.content;
    if (content === null || content === undefined) {
      if (m.role === 'assistant' && Array.isArray(m.tool_calls)) return;
      throw new BadRequest(`Missing required parameter: '${param}.content'.`, `${param}.content`);
    }
    if (typeof content === 'string') return;
    if (!Array.isArray(content)) throw new BadRequest(`Invalid type for '${param}.content'.`, `${param}.content`);
    content.forEach((part, j) => {
      const type = isObject(part) ? part.type : undefined;
      if (typeof type !== 'string' || !PARTS[m.role as string]!.has(type)) {
        throw new BadRequest(`Invalid value: '${String(type)}'. Supported values for ${m.role} messages are: ${[...PARTS[m.role as string]!].join(', ')}.`, `${param}.content.[${j}].type`);
      }
    });
  });
}

function outputFormat(format: unknown): OutputFormat {
  if (format === undefined || format === null) return { type: 'text' };
  if (!isObject(format)) throw new BadRequest("Invalid type for 'response_format'.", 'response_format');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type === 'json_schema' && isObject(format.json_schema) && typeof format.json_schema.name === 'string') {
    return { type: 'json_schema', schema: format.json_schema.schema ?? {} };
  }
  throw new BadRequest("Invalid 'response_format': expected text, json_object or json_schema with a name.", 'response_format');
}

function checkTools(tools: unknown): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools) || !tools.every((t) => isObject(t) && t.type === 'function' && isObject(t.function) && typeof t.function.name === 'string')) {
    throw new BadRequest("Invalid 'tools': each tool must be {type:'function', function:{name, …}}.", 'tools');
  }
}

/** POST /v1/chat/completions. */
export const chatCompletions: Endpoint = (body) => {
  checkParams(body, PARAMS, 'chat');
  const model = requireModel(body);
  checkMessages(body.messages);
  checkTools(body.tools);
  const format = outputFormat(body.response_format);
  const audio = wantsAudio(body);
  const n = optionalInt(body, 'n') ?? 1;
  const maxTokens = optionalInt(body, 'max_completion_tokens') ?? optionalInt(body, 'max_tokens');
  const messages = messageTexts(body.messages);
  return {
    model,
    promptText: messages.map((m) => m.text).join('\n'),
    respond(directives) {
      const a = answer(messages, format, directives, maxTokens);
      const toolCalls = a.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
      // With audio output the words come as the audio's transcript and `content` is null, as the real API answers.
      const spoken = audio && a.text !== null ? audioAnswer(a.text, audio.format) : null;
      const message = {
        role: 'assistant', content: spoken ? null : a.text, refusal: a.refusal, annotations: [],
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}), ...(spoken ? { audio: spoken } : {}),
      };
      return {
        id: newId('chatcmpl-'),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: snapshotName(model),
        choices: Array.from({ length: n }, (_, index) => ({ index, message, logprobs: null, finish_reason: a.finishReason })),
        usage: {
          prompt_tokens: a.promptTokens,
          completion_tokens: a.completionTokens * n,
          total_tokens: a.promptTokens + a.completionTokens * n,
          prompt_tokens_details: { cached_tokens: a.cachedTokens, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
        system_fingerprint: 'fp_fake0001',
      };
    },
  };
};
