import picomatch from 'picomatch';
import type { Usage } from '../domain/sample.js';
import { Limiter, type RetryPolicy } from '../engine/limiter.js';
import { loadProviderConfig, type ProviderConfig } from './config.js';
import { parseRetryAfter } from './classify.js';
import { createEmbeddings } from './embeddings.js';
import type { ForwardRequest, ForwardSink } from './forward.js';
import { HttpProvider } from './http-provider.js';
import { createChatCompletion, type ChatCompletion, type ChatCompletionRequest } from './openai-chat.js';
import { createResponse, type ResponseObject, type ResponsesRequest } from './openai-responses.js';
import { isProviderError, providerInfo, type Provider, type ProviderError, type ProviderHooks, type ProviderInfo, type ProviderSettings } from './provider.js';
import { RateBudget, type RateLimits } from './rate-budget.js';
import { estimateTokens, reportedTokens } from './token-estimate.js';

export { loadProviderConfig, ProviderConfigError, type ProviderConfig } from './config.js';

/** Knobs for tests and embedders; production uses the defaults. */
export interface RouterOptions {
  retry?: Partial<RetryPolicy>;
  /** Builds the provider for a settings entry (defaults to HttpProvider over undici). */
  createProvider?: (settings: ProviderSettings, hooks: ProviderHooks) => Provider;
}

/** Rate budgets kept where several processes can draw from them (the store's provider_budgets). */
export interface SharedBudgets {
  take(name: string, limits: RateLimits, want: { requests: number; tokens: number }, nowMs: number): Promise<{ requests: number; tokens: number }>;
}

interface Route {
  provider: Provider;
  info: ProviderInfo;
  limiter: Limiter;
  budget: RateBudget;
  globs: string[];
  matches: (model: string) => boolean;
}

/**
 * Told about upstream calls made through a router: every failed attempt (retried or not), and how each
 * call finally ended (`error` null on success). Calls stopped by their signal are not reported.
 */
export interface CallObserver {
  attemptFailed?(provider: ProviderInfo, error: ProviderError): void;
  finished?(provider: ProviderInfo, model: string, signal: AbortSignal, error: ProviderError | null): void;
}

// OpenAI's per-request ceiling for embeddings inputs.
const EMBEDDING_BATCH = 2048;
const ROUTE_CACHE_LIMIT = 1024;

/** A gateway body as JSON for the token estimate; anything unparseable estimates as an empty request. */
function parseBody(body: Buffer | null): unknown {
  if (!body) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
}
// How long a 429 without a wait hint holds the provider's other calls.
const RATE_LIMIT_PAUSE_MS = 1000;

/**
 * Sends each model's calls to its provider: the first configured provider whose `models` globs match,
 * else the default upstream. Each provider has its own Limiter, so every call made through the router
 * shares that provider's concurrency bound, adaptive back-off and retries.
 */
export class ProviderRouter {
  readonly #routes: Route[];
  readonly #fallback: Route;
  readonly #embeddingModel: string | undefined;
  readonly #cache = new Map<string, Route>();
  readonly #observers: CallObserver[] = [];

  constructor(config: ProviderConfig, options: RouterOptions = {}) {
    const create = options.createProvider ?? ((settings: ProviderSettings, hooks: ProviderHooks) => new HttpProvider(settings, hooks));
    const build = (settings: ProviderSettings): Route => {
      const budget = new RateBudget({ rpm: settings.rpm, tpm: settings.tpm });
      return {
        provider: create(settings, { onHeaders: (headers) => budget.observe(headers) }),
        info: providerInfo(settings),
        limiter: new Limiter(settings.maxConcurrency, options.retry),
        budget,
        globs: settings.models,
        // bash mode: `*` also crosses `/`, so `llama*` matches `llama/3.1` and `*` matches `org/model`.
        matches: picomatch(settings.models, { bash: true, dot: true }),
      };
    };
    this.#routes = config.providers.map(build);
    this.#fallback = build(config.defaultProvider);
    this.#embeddingModel = config.embeddingModel;
  }

  /** A router configured from the environment (see loadProviderConfig). */
  static fromEnv(env: Record<string, string | undefined> = process.env, options: RouterOptions = {}): ProviderRouter {
    return new ProviderRouter(loadProviderConfig(env), options);
  }

  #routeFor(model: string): Route {
    let route = this.#cache.get(model);
    if (!route) {
      route = this.#routes.find((r) => r.matches(model)) ?? this.#fallback;
      if (this.#cache.size >= ROUTE_CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(model, route);
    }
    return route;
  }

  /** The provider that serves `model`. */
  route(model: string): Provider {
    return this.#routeFor(model).provider;
  }

  /** The limiter in front of `model`'s provider (for metrics and tests). */
  limiterFor(model: string): Limiter {
    return this.#routeFor(model).limiter;
  }

  /** The rate budget of `model`'s provider (for metrics and tests). */
  budgetFor(model: string): RateBudget {
    return this.#routeFor(model).budget;
  }

  /**
   * Draws every provider's rate budget from `shared`, where other processes on the same database draw
   * theirs: together they respect each limit as one process would. A provider is known there by its name
   * and base URL.
   */
  shareBudgets(shared: SharedBudgets): void {
    for (const { provider, budget } of this.#all()) {
      const name = `${provider.name} ${provider.baseUrl}`;
      budget.share((limits, want) => shared.take(name, limits, want, Date.now()));
    }
  }

  /** Gives this process its share of every provider's concurrency when `processes` share the providers. */
  shareConcurrency(processes: number): void {
    for (const { provider, limiter } of this.#all()) limiter.resize(Math.ceil(provider.maxConcurrency / Math.max(1, processes)));
  }

  #all(): Route[] {
    return [...this.#routes, this.#fallback];
  }

  /** Every provider, the default last. */
  get providers(): Provider[] {
    return this.#all().map((r) => r.provider);
  }

  /** Every provider with the model globs it is configured for, the default last (for GET /v1/models). */
  get catalog(): Array<{ provider: Provider; globs: string[] }> {
    return [...this.#routes, this.#fallback].map((r) => ({ provider: r.provider, globs: r.globs }));
  }

  /**
   * Runs `call` against `model`'s provider under its concurrency bound and rate budget, with retries.
   * Every attempt is admitted by the budget with `tokens()` estimated tokens (read only when a limit is
   * known), corrected by the usage its answer reports (or by `used(answer)` where the answer is not an
   * API object); a 429's wait hint pauses the provider's every call.
   */
  call<T>(
    model: string,
    signal: AbortSignal,
    call: (provider: Provider, signal: AbortSignal) => Promise<T>,
    tokens: () => number = () => 0,
    used: (answer: T) => number | undefined = reportedTokens,
  ): Promise<T> {
    const route = this.#routeFor(model);
    const { provider, limiter, budget } = route;
    const attempt = async (s: AbortSignal): Promise<T> => {
      // No known limit (the common local setup): no admission step, not even a resolved promise.
      if (!budget.gating) return call(provider, s);
      const ticket = await budget.admit(tokens(), s);
      // The call's own headers go to the budget with its ticket: which calls the upstream had counted
      // when it answered depends on when this one was admitted.
      const scoped: Provider = {
        name: provider.name, baseUrl: provider.baseUrl, maxConcurrency: provider.maxConcurrency,
        timeoutMs: provider.timeoutMs, embeddingModel: provider.embeddingModel,
        post: (path, body, signal) => provider.post(path, body, signal, (headers) => budget.observe(headers, ticket)),
        close: () => provider.close(),
      };
      let answer: { value: T } | undefined;
      try {
        answer = { value: await call(scoped, s) };
        return answer.value;
      } catch (err) {
        const failure = err as { kind?: string; retryAfterMs?: number };
        if (failure?.kind === 'rate_limited') budget.pause(failure.retryAfterMs ?? RATE_LIMIT_PAUSE_MS);
        throw err;
      } finally {
        budget.settle(ticket, answer ? used(answer.value) : undefined);
      }
    };
    return this.#observers.length === 0 ? limiter.run(attempt, signal) : this.#observed(route, model, signal, attempt);
  }

  /** The public description of `model`'s provider (no key). */
  infoFor(model: string): ProviderInfo {
    return this.#routeFor(model).info;
  }

  /** Adds an observer of every call made through this router from now on. */
  observe(observer: CallObserver): void {
    this.#observers.push(observer);
  }

  #observed<T>(route: Route, model: string, signal: AbortSignal, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const observers = this.#observers;
    const observedAttempt = (s: AbortSignal) => attempt(s).catch((e: unknown) => {
      if (!s.aborted && isProviderError(e)) for (const o of observers) o.attemptFailed?.(route.info, e);
      throw e;
    });
    return route.limiter.run(observedAttempt, signal).then((value) => {
      for (const o of observers) o.finished?.(route.info, model, signal, null);
      return value;
    }, (e: unknown) => {
      if (!signal.aborted && isProviderError(e)) for (const o of observers) o.finished?.(route.info, model, signal, e);
      throw e;
    });
  }

  /**
   * Pipes a gateway call to `model`'s provider. It holds one of that provider's concurrency slots until the
   * answer has ended (a stream included), so gateway traffic and runs share the bound, and is admitted by
   * the same rate budget (its estimate is kept: the answer is piped, not read); it is not retried.
   */
  forward(model: string, request: ForwardRequest, sink: ForwardSink, signal: AbortSignal): void {
    const { provider, limiter, budget } = this.#routeFor(model);
    if (!provider.forward) return sink.onError(new Error(`provider ${provider.name} cannot forward calls`));
    limiter.run(async (s) => {
      const ticket = budget.gating ? await budget.admit(estimateTokens(request.path, parseBody(request.body)), s) : null;
      return new Promise<void>((resolve) => {
        const done = () => {
          if (ticket) budget.settle(ticket, undefined);
          resolve();
        };
        provider.forward!(request, {
          onHeaders: (status, headers, resume) => {
            if (ticket) {
              budget.observe(headers, ticket);
              if (status === 429) budget.pause(parseRetryAfter(headers) ?? RATE_LIMIT_PAUSE_MS);
            }
            sink.onHeaders(status, headers, resume);
          },
          onData: (chunk) => sink.onData(chunk),
          onEnd: () => { done(); sink.onEnd(); },
          onError: (e) => { done(); sink.onError(e); },
        }, s);
      });
    }, signal).catch((e: unknown) => sink.onError(e instanceof Error ? e : new Error(String(e))));
  }

  /** POST /chat/completions for `request.model`, with retries. */
  chat(request: ChatCompletionRequest, signal: AbortSignal): Promise<ChatCompletion> {
    return this.call(request.model, signal, (provider, s) => createChatCompletion(provider, request, s), () => estimateTokens('/chat/completions', request));
  }

  /** POST /responses for `request.model`, with retries. */
  respond(request: ResponsesRequest, signal: AbortSignal): Promise<ResponseObject> {
    return this.call(request.model, signal, (provider, s) => createResponse(provider, request, s), () => estimateTokens('/responses', request));
  }

  /**
   * Embeds `input` in order. The model actually used is the configured `embedding_model` if any, else the
   * requested one; it is routed like any model, and that provider's own `embedding_model` renames it last.
   */
  async embed(request: { model: string; input: string[] }, signal: AbortSignal): Promise<{ vectors: number[][]; model: string; usage: Usage }> {
    const wanted = this.#embeddingModel ?? request.model;
    const { provider } = this.#routeFor(wanted);
    const model = provider.embeddingModel ?? wanted;
    const result = { vectors: [] as number[][], model, usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cached_tokens: 0 } };
    for (let start = 0; start < request.input.length; start += EMBEDDING_BATCH) {
      const input = request.input.slice(start, start + EMBEDDING_BATCH);
      const batch = await this.call(
        wanted,
        signal,
        (scoped, s) => createEmbeddings(scoped, { model, input, encoding_format: 'float' }, s),
        () => estimateTokens('/embeddings', { input }),
        (answer) => answer.usage.total_tokens,
      );
      result.vectors.push(...batch.vectors);
      result.model = batch.model;
      result.usage.prompt_tokens += batch.usage.prompt_tokens;
      result.usage.total_tokens += batch.usage.total_tokens;
    }
    return result;
  }

  /** Closes every provider's connection pool. */
  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close()));
  }
}
