import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GradeError } from '../grader.js';
import type { PythonOptions } from './options.js';
import type { Launcher, Spawned } from './sandbox.js';

interface InFlight {
  id: number;
  resolve(score: number): void;
  reject(error: unknown): void;
  release(): void;
}

interface Answer { id?: unknown; score?: unknown; error?: { code?: unknown; message?: unknown } }

const STDERR_TAIL = 2000;
const CODE = /^python_[a-z_]{1,40}$/;

/**
 * One long-lived sandboxed interpreter that has compiled one source and grades one item at a time. Any
 * failure that is not the grader's own answer (timeout, flood, garbage on the channel, death, abort) kills
 * it: a worker is never reused after something went wrong inside it.
 */
export class PythonWorker {
  private readonly process: Spawned;
  private readonly child: ChildProcessWithoutNullStreams;
  private current: InFlight | null = null;
  private seq = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private outputBytes = 0;
  private stderrTail = '';
  private exited = false;
  private killed = false;
  private exitReason: string | null = null;
  private readonly closed: Promise<void>;

  constructor(launcher: Launcher, source: string, private readonly options: PythonOptions, onClose: (worker: PythonWorker) => void) {
    this.process = launcher.spawn(options);
    this.child = this.process.child;
    this.closed = new Promise((resolve) => {
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        this.exited = true;
        this.fail(new GradeError('python_crashed', `the python worker ${why} while grading this item${this.tail()}`));
        this.process.cleanup();
        onClose(this);
        resolve();
      };
      this.child.on('error', (error) => { if (this.child.pid === undefined) finish(`could not start (${error.message})`); });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        // Whatever still holds the pipes (an orphan of the unsandboxed mode) must not keep us waiting.
        setTimeout(() => { this.child.stdout.destroy(); this.child.stderr.destroy(); }, 1000).unref();
        // bwrap reports its sandbox's death by signal N as exit code 128 + N.
        const killedBy = signal ?? (code !== null && code > 128 ? `signal ${code - 128}` : null);
        const oom = killedBy === 'SIGKILL' || killedBy === 'signal 9' ? ' (perhaps out of memory)' : '';
        this.exitReason = killedBy ? `was killed by ${killedBy}${oom}` : `exited with code ${code}`;
      });
      this.child.on('close', () => finish(this.exitReason ?? 'exited'));
    });
    this.child.stdin.on('error', () => { /* EPIPE after a death; 'close' reports it */ });
    this.child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    this.child.stdin.write(`${JSON.stringify({ source })}\n`);
  }

  /** Whether it can take another item. */
  get alive(): boolean {
    return !this.exited && !this.killed;
  }

  /** Grades one item; rejects with a GradeError, or with `signal.reason` when aborted. */
  grade(sample: unknown, item: unknown, signal: AbortSignal): Promise<number> {
    if (!this.alive || this.current) return Promise.reject(new Error('python worker is not idle'));
    const id = ++this.seq;
    let request: string;
    try {
      request = `${JSON.stringify({ id, sample: sample ?? null, item: item ?? null })}\n`;
    } catch (error) {
      return Promise.reject(new GradeError('python_invalid_input', `the item cannot be sent to python: ${(error as Error).message}`));
    }
    this.outputBytes = 0;
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.kill(new GradeError('python_timeout', `grade() did not finish within ${this.options.timeoutMs / 1000} s`));
      }, this.options.timeoutMs);
      const onAbort = () => this.kill(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      const release = () => { clearTimeout(timeout); signal.removeEventListener('abort', onAbort); };
      this.current = { id, resolve, reject, release };
      if (signal.aborted) return onAbort();
      this.child.stdin.write(request);
    });
  }

  /** Kills the sandbox (its pid namespace goes with it); the item in flight is rejected with `reason`. */
  kill(reason: unknown = new GradeError('python_closed', 'the python grader was shut down')): Promise<void> {
    this.fail(reason);
    if (!this.killed && !this.exited) this.process.kill();
    this.killed = true;
    return this.closed;
  }

  private fail(error: unknown): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    current.release();
    current.reject(error);
  }

  private onStdout(chunk: Buffer): void {
    this.outputBytes += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...this.pending, chunk.subarray(start, nl)]).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      this.onLine(line);
      if (!this.alive) return;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
    }
    this.checkFlood();
  }

  private onStderr(chunk: Buffer): void {
    this.outputBytes += chunk.length;
    this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    this.checkFlood();
  }

  private checkFlood(): void {
    if (this.outputBytes > this.options.maxOutputBytes || this.pendingBytes > this.options.maxOutputBytes) {
      this.kill(new GradeError('python_output_too_large',
        `the grader wrote more than ${this.options.maxOutputBytes} bytes of output for one item`));
    }
  }

  private onLine(line: string): void {
    const current = this.current;
    let answer: Answer | null = null;
    try {
      answer = JSON.parse(line) as Answer | null;
    } catch { /* handled below */ }
    if (!current || !answer || answer.id !== current.id) {
      this.kill(new GradeError('python_protocol_error', 'the python worker wrote something other than an answer to its channel'));
      return;
    }
    const { score, error } = answer;
    if (typeof score === 'number' && Number.isFinite(score)) {
      this.current = null;
      current.release();
      current.resolve(score);
    } else if (typeof error?.code === 'string' && CODE.test(error.code) && typeof error.message === 'string') {
      this.fail(new GradeError(error.code, error.message.slice(0, 4000)));
    } else {
      this.kill(new GradeError('python_protocol_error', 'the python worker sent a malformed answer'));
    }
  }

  private tail(): string {
    const text = this.stderrTail.trim();
    return text ? `; its last output was:\n${text.slice(-1000)}` : '';
  }
}
