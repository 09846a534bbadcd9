import { GradeError, type ModelAccess } from '../graders/grader.js';
import { MessageShapeError, normalizeMessage, toChatMessage } from './messages.js';
import { chatUsage, type ChatCompletionRequest } from './openai-chat.js';
import { isProviderError } from './provider.js';
import type { ProviderRouter } from './registry.js';

/**
 * Failures reach graders as GradeErrors (so an unhandled one errors the item with a meaningful code),
 * carrying the ProviderError as `cause`. The code is the provider's: `rate_limit_exceeded`, `timeout`,
 * `upstream_server_error`, `provider_unreachable`, `connection_error`, or the upstream's 4xx code.
 * A message the upstream cannot take is `invalid_input_messages`. Aborts reject with the signal's reason.
 */
async function asGradeErrors<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof GradeError) throw err;
    const code = isProviderError(err) ? err.code : err instanceof MessageShapeError ? 'invalid_input_messages' : 'model_error';
    throw Object.assign(new GradeError(code, err instanceof Error ? err.message : String(err)), { cause: err });
  }
}

const set = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The ModelAccess graders use: chat (structured output via response_format) and embeddings, via the router. */
export function createModelAccess(router: ProviderRouter): ModelAccess {
  return {
    chat(request, signal) {
      return asGradeErrors(signal, async () => {
        const body: ChatCompletionRequest = {
          model: request.model,
          messages: request.messages.map((m) => toChatMessage(normalizeMessage(m))),
          ...set('response_format', request.response_format),
          ...set('temperature', request.temperature),
          ...set('top_p', request.top_p),
          ...set('seed', request.seed),
          ...set('max_completion_tokens', request.max_completion_tokens),
          ...set('reasoning_effort', request.reasoning_effort),
        };
        const completion = await router.chat(body, signal);
        const message = completion.choices[0]?.message;
        return {
          text: typeof message?.content === 'string' ? message.content : null,
          refusal: typeof message?.refusal === 'string' ? message.refusal : null,
          model: completion.model ?? request.model,
          usage: chatUsage(completion.usage),
          finishReason: completion.choices[0]?.finish_reason ?? 'stop',
        };
      });
    },
    embed(request, signal) {
      return asGradeErrors(signal, () => router.embed(request, signal));
    },
  };
}
