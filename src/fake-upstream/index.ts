/**
 * # Fake upstream
 *
 * A local OpenAI-compatible server for tests, demos and benchmarks. It answers
 * `POST /v1/chat/completions`, `POST /v1/responses` and `POST /v1/embeddings` with the real response
 * shapes (ids, `created`, a dated model snapshot such as `gpt-4o-mini-2024-07-18`, usage including
 * `prompt_tokens_details.cached_tokens` / `input_tokens_details.cached_tokens`), and rejects what the real
 * API rejects (unknown parameters, e.g. `seed` on /responses; wrong content part types for a role; a
 * missing model; `max_output_tokens` below 16) with the real 400 error envelope.
 *
 * `stream: true` is answered with server-sent events as OpenAI sends them (`stream.ts`): chat
 * `chat.completion.chunk`s (a final usage chunk with `stream_options.include_usage`) then `data: [DONE]`;
 * response events from `response.created` to `response.completed`. `streamIntervalMs` spaces the events.
 *
 * Calls made with `store` (chat: `store: true`; responses: unless `store: false`) are kept in memory and
 * served back as OpenAI's stored-logs API (`stored.ts`): `GET /v1/chat/completions` (after, limit, order,
 * model, `metadata[k]=v`), `/v1/chat/completions/{id}`, `/{id}/messages`, `GET /v1/responses/{id}` and
 * `/{id}/input_items`; `stored` on the returned handle holds them.
 *
 * Any bearer key is accepted (or none) unless `apiKey` is set; every Authorization value is recorded in
 * `stats.authorizations` so a test can check the key was sent. Any model is served unless `models` lists the
 * ones to serve; any other gets the real 404 `model_not_found`.
 *
 * ## Default behaviour (deterministic)
 *
 * - Text: the last user message echoed back, with directives removed (`OK` if that leaves nothing).
 * - `json_schema` output (`response_format` / `text.format`): a value that conforms to the schema. Every
 *   number is 1 (clamped into `minimum`/`maximum`), enums pick an option by a hash of the prompt, strings
 *   are `"fake <field>"`, every property is filled, arrays have one item (or `minItems`).
 * - `json_object` output: `{"answer": "<echo>"}`.
 * - Embeddings: a hashed bag of words, L2-normalised (texts sharing words have a higher cosine); 3072
 *   dimensions for text-embedding-3-large, 1536 for -3-small/ada-002, else 256, or `dimensions`.
 *   `encoding_format: "base64"` is honoured (the openai SDK asks for it by default).
 * - A token limit (`max_completion_tokens`, `max_tokens`, `max_output_tokens`) truncates the answer at
 *   ~4 characters per token and reports `finish_reason: "length"` / `status: "incomplete"`.
 *
 * ## Directives
 *
 * Put `[[fake:…]]` anywhere in the prompt text (any message, any API, also embeddings input). One block
 * may hold several directives separated by `;`; several blocks may appear. `reply=`, `json=`, `tool=` and
 * `hosted=` take the rest of their block (so their value may contain `;`, but not `]]`). A chat request with
 * `modalities` including `audio` is answered with `message.audio` (see audio.ts).
 *
 * | directive                | effect                                                                        |
 * |--------------------------|-------------------------------------------------------------------------------|
 * | `429x2`                  | the first 2 attempts of this prompt get 429 (with retry-after headers)       |
 * | `500x1`, `503x3`, `400`… | any status 400–599; `xN` = first N attempts, no `xN` = every attempt          |
 * | `dropx1`                 | the connection is destroyed after the request is read, without a response    |
 * | `delay=300` / `delay=300x1` | extra latency (ms) for every attempt / the first N attempts                |
 * | `drip=1000`              | headers at once, then the body one byte every 1000 ms (a stalled stream)      |
 * | `retry-after-ms=50`      | this prompt's 429s send `retry-after-ms: 50` (and `retry-after: 1`)            |
 * | `retry-after=2`          | this prompt's 429s send only `retry-after: 2` (seconds)                       |
 * | `retry-after-ms=none`    | this prompt's 429s send no wait hint                                          |
 * | `reply=some text`        | answer exactly this text (also under structured output: test parse errors)    |
 * | `json={"a":1}`           | answer this JSON under json_schema / json_object output                       |
 * | `tool=name({"a":1})`     | answer with a tool call (repeat for several; arguments default to `{}`)       |
 * | `hosted=mcp_call:f({})`  | /responses: a hosted tool call item (any kind: web_search_call, …; see hosted.ts) |
 * | `refuse`                 | refuse: `content: null, refusal: "I'm sorry…"` / a `refusal` output part     |
 * | `score=0.7`              | every number in a generated json_schema value is 0.7 (clamped to the schema)  |
 * | `label=good`             | enums that contain `good` pick it; free strings named label/result/answer too |
 * | `cached=12`              | report 12 cached prompt tokens                                               |
 *
 * Fault directives consume attempts in the order written: `[[fake:429x2;500x1]]` gives 429, 429, 500,
 * then success. Attempts are counted per endpoint and distinct prompt text (all messages), so identical
 * prompts share a count; `stats.reset()` clears the counts.
 *
 * Rates (`rate429`, `rate500`, `rateDrop`, seeded by `seed`) inject the same faults at random, for load
 * tests. Injected 429s answer at once (as a real rate limiter does); everything else is answered
 * `latencyMs` + up to `jitterMs` after the request arrived. The fake's own time reading and answering a
 * request counts towards that, so a burst of calls does not stretch the latency one request after another.
 */
export { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions, type FakeUpstreamStats } from './server.js';
export { embedText } from './embeddings.js';
export { valueForSchema } from './schema-value.js';
export { parseDirectives, stripDirectives, type Directives } from './directives.js';
