/** Upstream model providers: configuration, routing by model glob, and the OpenAI-compatible calls. */
export { loadProviderConfig, ProviderConfigError, DEFAULT_BASE_URL, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, type ProviderConfig } from './config.js';
export { ProviderRouter, type RouterOptions } from './registry.js';
export { createModelAccess } from './model-access.js';
export { ProviderError, isProviderError, type Provider, type ProviderInfo, type ProviderSettings } from './provider.js';
export { HttpProvider } from './http-provider.js';
export { parseRetryAfter } from './classify.js';
export type { ChatCompletion, ChatCompletionRequest, ChatMessage, ChatContentPart } from './openai-chat.js';
export type { ResponseObject, ResponsesRequest, ResponsesInputItem, ResponseOutputItem } from './openai-responses.js';
export {
  MessageShapeError,
  normalizeMessage,
  normalizeContent,
  textOf,
  toChatMessage,
  toResponsesItems,
  type EvalContent,
  type EvalContentPart,
  type Message,
} from './messages.js';
