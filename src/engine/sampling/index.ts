import { GradeError } from '../../graders/grader.js';
import { isProviderError } from '../../providers/provider.js';
import type { ProviderRouter } from '../../providers/registry.js';
import { MessageShapeError, type Message } from '../../providers/messages.js';
import { fromChatCompletion, toChatRequest } from './completions.js';
import { buildInputMessages, renderedInput, toSampleMessage } from './input-messages.js';
import { fromResponse, toResponsesRequest } from './responses.js';
import { errorSample, recordedParams, successSample } from './sample.js';
import type { CompletionsDataSource, ItemSample, ResponsesDataSource } from './types.js';

export type * from './types.js';
export { buildInputMessages } from './input-messages.js';

/**
 * Samples the data source's model for one item. Never rejects for the item's own problems: a bad template,
 * a bad item_reference or a call that still fails after the limiter's retries gives a sample whose
 * `error` is `{code, message}`, so the engine errors this item and the run goes on. Rejects only with
 * `signal.reason` when the signal aborts.
 */
export async function sampleItem(
  dataSource: CompletionsDataSource | ResponsesDataSource,
  item: unknown,
  router: ProviderRouter,
  signal: AbortSignal,
): Promise<ItemSample> {
  if (signal.aborted) throw signal.reason;
  const params = recordedParams(dataSource.sampling_params);
  const model = dataSource.model ?? '';
  let messages: Message[] = [];
  try {
    if (!model) throw new GradeError('invalid_data_source', `a ${dataSource.type} run needs a model to sample`);
    messages = buildInputMessages(dataSource.input_messages, item);
    const input = messages.map(toSampleMessage);
    const output =
      dataSource.type === 'completions'
        ? fromChatCompletion(await router.chat(toChatRequest(model, messages, dataSource.sampling_params, dataSource), signal), model)
        : fromResponse(await router.respond(toResponsesRequest(model, messages, dataSource.sampling_params), signal), model);
    return withParts(successSample(input, params, output), messages);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const input = messages.map(toSampleMessage);
    if (isProviderError(err) || err instanceof GradeError) {
      const attempts = isProviderError(err) && err.attempts && err.attempts > 1 ? ` (gave up after ${err.attempts} attempts)` : '';
      return withParts(errorSample(input, model, params, err.code, `${err.message}${attempts}`), messages);
    }
    if (err instanceof MessageShapeError) return withParts(errorSample(input, model, params, 'invalid_input_messages', err.message), messages);
    // A bug of ours must not take the whole run down either; it shows up on the item instead.
    return withParts(errorSample(input, model, params, 'sampling_error', err instanceof Error ? err.message : String(err)), messages);
  }
}

function withParts(sample: ItemSample, messages: Message[]): ItemSample {
  const rendered = renderedInput(messages);
  if (rendered) sample.rendered_input = rendered;
  return sample;
}
