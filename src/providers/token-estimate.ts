/** Tokens assumed for an answer when a request sets no max_completion_tokens / max_tokens / max_output_tokens. */
export const DEFAULT_COMPLETION_ESTIMATE = 256;

// About four characters a token for English text and JSON, the rule of thumb OpenAI's own docs give; the
// estimate only has to be close, since each answer's reported usage corrects it.
const CHARS_PER_TOKEN = 4;

const textLength = (value: unknown): number => {
  if (value === undefined || value === null) return 0;
  return typeof value === 'string' ? value.length : JSON.stringify(value).length;
};

const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/**
 * The tokens a call will count against a tokens-per-minute limit before its answer says: the prompt's
 * length estimate plus the most the answer may take (the request's own cap, else a default). `path` is the
 * upstream path (`/chat/completions`, `/responses`, `/embeddings`).
 */
export function estimateTokens(path: string, body: unknown): number {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (path.endsWith('/embeddings')) return Math.ceil(textLength(b.input) / CHARS_PER_TOKEN);
  const prompt = path.endsWith('/responses')
    ? textLength(b.input) + textLength(b.instructions) + textLength(b.tools)
    : textLength(b.messages) + textLength(b.tools);
  const answer = positive(b.max_completion_tokens) ?? positive(b.max_tokens) ?? positive(b.max_output_tokens) ?? DEFAULT_COMPLETION_ESTIMATE;
  return Math.ceil(prompt / CHARS_PER_TOKEN) + answer;
}

/** The total tokens an answer reports (chat, responses and embeddings shapes), or undefined. */
export function reportedTokens(answer: unknown): number | undefined {
  const usage = (answer as { usage?: Record<string, unknown> | null } | null)?.usage;
  if (!usage || typeof usage !== 'object') return undefined;
  const total = usage.total_tokens;
  if (typeof total === 'number' && Number.isFinite(total)) return total;
  const parts = [usage.prompt_tokens, usage.completion_tokens, usage.input_tokens, usage.output_tokens].filter((n): n is number => typeof n === 'number');
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : undefined;
}
