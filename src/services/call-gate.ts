import { ApiError } from '../api/errors.js';

/**
 * At most `concurrency` holders at once, up to `queue` more waiting in order; a caller beyond that is refused
 * with a 429 at once, and a waiting caller whose signal aborts leaves the line. For `/graders/run`, so that
 * many concurrent calls with a python grader do not start as many sandboxes.
 */
export class CallGate {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly concurrency: number, readonly queue: number, readonly what: string) {}

  /** Resolves with the function that gives the place back, once it is this caller's turn. */
  async enter(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    if (this.#active < this.concurrency) return this.#take();
    if (this.#waiting.length >= this.queue) {
      throw new ApiError(429, 'requests', `Too many ${this.what} at once: ${this.concurrency} run and ${this.queue} wait already. Retry in a moment.`, null, 'rate_limit_exceeded');
    }
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        this.#waiting.splice(this.#waiting.indexOf(turn), 1);
        reject(signal.reason);
      };
      this.#waiting.push(turn);
      signal.addEventListener('abort', leave, { once: true });
    });
    return this.#take();
  }

  get active(): number {
    return this.#active;
  }

  #take(): () => void {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#waiting.shift()?.();
    };
  }
}
