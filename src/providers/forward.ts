import type { Dispatcher } from 'undici';

/** What a gateway call sends upstream: the client's body bytes as they came, never re-encoded. */
export interface ForwardRequest {
  method: 'GET' | 'POST';
  /** Path below the provider's base URL, e.g. `/chat/completions`. */
  path: string;
  body: Buffer | null;
  /** The client's `accept` (text/event-stream for streams); the provider's key and user agent are its own. */
  accept?: string | undefined;
}

/**
 * Where an upstream answer goes as it arrives. `onData` returns false when the receiver is full; the call
 * then pauses until `resume` (given with the headers) is called, so a slow client slows the upstream read
 * instead of making evald buffer the answer.
 */
export interface ForwardSink {
  onHeaders(status: number, headers: Record<string, string | string[]>, resume: () => void): void;
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** The call failed before or during the answer (network error, timeout, abort). */
  onError(error: Error): void;
}

/**
 * One forwarded call as an undici dispatch handler: a pipe from the upstream socket to a sink, with
 * back-pressure through the dispatch controller's pause/resume. It keeps nothing of the answer.
 */
export class ForwardCall implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #finished = false;

  constructor(readonly sink: ForwardSink, readonly signal: AbortSignal, readonly onDone: () => void) {}

  abort(reason: unknown): void {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    if (this.#controller) this.#controller.abort(error);
    else this.#fail(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.signal.aborted) this.abort(this.signal.reason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>): void {
    if (statusCode < 200) return;
    this.sink.onHeaders(statusCode, headers, () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#finished) return;
    if (!this.sink.onData(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.onDone();
    this.sink.onEnd();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #fail(error: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.onDone();
    this.sink.onError(error);
  }
}
