import { GradeError } from '../grader.js';
import type { PythonOptions } from './options.js';
import type { Launcher } from './sandbox.js';
import { PythonWorker } from './worker.js';

interface Job {
  sample: unknown;
  item: unknown;
  signal: AbortSignal;
  resolve(score: number): void;
  reject(error: unknown): void;
  detach(): void;
}

/**
 * Up to `options.workers` sandboxed interpreters for one source, started on demand and kept for the whole
 * run, because starting an interpreter per item would dominate the cost of a cheap grader. A worker that
 * fails is dropped and the next queued item starts a fresh one; only the item it was serving is errored.
 */
export class PythonPool {
  private readonly workers = new Set<PythonWorker>();
  private idle: PythonWorker[] = [];
  private queue: Job[] = [];
  // One abort listener per signal, not per queued job: a run queues thousands of items on one signal.
  private readonly waiting = new Map<AbortSignal, { jobs: Set<Job>; onAbort(): void }>();
  private closed = false;

  constructor(private readonly launcher: Launcher, private readonly source: string, private readonly options: PythonOptions) {}

  /** Scores one item; rejects with a GradeError (the item is errored) or the signal's reason. */
  grade(sample: unknown, item: unknown, signal: AbortSignal): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const job: Job = { sample, item, signal, resolve, reject, detach: () => this.unwatch(job) };
      this.watch(job);
      this.queue.push(job);
      this.pump();
    });
  }

  private watch(job: Job): void {
    let entry = this.waiting.get(job.signal);
    if (!entry) {
      const jobs = new Set<Job>();
      const onAbort = () => {
        this.waiting.delete(job.signal);
        this.queue = this.queue.filter((queued) => !jobs.has(queued));
        for (const aborted of jobs) aborted.reject(job.signal.reason);
      };
      entry = { jobs, onAbort };
      this.waiting.set(job.signal, entry);
      job.signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.jobs.add(job);
  }

  private unwatch(job: Job): void {
    const entry = this.waiting.get(job.signal);
    if (!entry?.jobs.delete(job) || entry.jobs.size > 0) return;
    this.waiting.delete(job.signal);
    job.signal.removeEventListener('abort', entry.onAbort);
  }

  /** Kills every worker and errors whatever was still queued or in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.detach();
      job.reject(closedError());
    }
    await Promise.all([...this.workers].map((worker) => worker.kill(closedError())));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? this.start();
      if (!worker) return;
      const job = this.queue.shift()!;
      job.detach();
      worker.grade(job.sample, job.item, job.signal).then(job.resolve, job.reject).finally(() => {
        if (worker.alive && !this.closed) this.idle.push(worker);
        this.pump();
      });
    }
  }

  private start(): PythonWorker | null {
    if (this.workers.size >= this.options.workers) return null;
    try {
      const worker = new PythonWorker(this.launcher, this.source, this.options, (gone) => {
        this.workers.delete(gone);
        this.idle = this.idle.filter((w) => w !== gone);
        this.pump();
      });
      this.workers.add(worker);
      return worker;
    } catch (error) {
      // Starting failed outright (e.g. no scratch dir), which will not fix itself: error what is waiting.
      for (const job of this.queue.splice(0)) {
        job.detach();
        job.reject(new GradeError('python_crashed', `could not start a python worker: ${(error as Error).message}`));
      }
      return null;
    }
  }
}

const closedError = () => new GradeError('python_closed', 'the python grader was shut down before this item was graded');
