import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory of a process now, in MB. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak and the samples. */
export function watchRss(pid: number, everyMs = 50) {
  let peak = 0;
  const timer = setInterval(() => {
    try { peak = Math.max(peak, rssMb(pid)); } catch { /* exited */ }
  }, everyMs);
  return { stop: () => { clearInterval(timer); return peak; }, now: () => rssMb(pid), get peak() { return peak; } };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The flags of the bench's child processes: the same as `npm start`'s, plus EVALD_BENCH_NODE_ARGS, e.g.
 * --cpu-prof to profile a scenario.
 */
const nodeArgs = () => ['--max-semi-space-size=4', ...(process.env.EVALD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];

/** Runs one of the built bench scripts (`dist/bench/<name>.js`) in a fresh process; its standard output. */
export function runScript(name: string, args: string[]): Promise<string> {
  const script = join(import.meta.dirname, `${name}.js`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs(), script, ...args], (err, stdout, stderr) => {
      if (err) reject(new Error(`${name} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Starts the built server (`dist/cli/main.js serve`) as a child (under `wrapper`, if given) and waits for /health. */
export async function startEvald(env: Record<string, string>, wrapper: string[] = []): Promise<{ child: ChildProcess; url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const main = join(import.meta.dirname, '..', 'cli', 'main.js');
  // `wrapper` runs the server under another command (taskset), which passes signals on by exec'ing it.
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs(), main, 'serve'];
  const child = spawn(command!, args, {
    env: { ...process.env, EVALD_LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (i > 600 || child.exitCode !== null) throw new Error('evald did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return { child, url, stop };
}

/** Sends `total` requests made by `make` with `concurrency` in flight; requests/s and latency percentiles. */
export function load(total: number, concurrency: number, make: (i: number) => Promise<Response>) {
  return loadCalls(total, concurrency, async (i) => {
    const res = await make(i);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`request ${i} answered ${res.status}`);
  });
}

/** Makes `total` calls of `make` with `concurrency` in flight; calls/s and latency percentiles. */
export async function loadCalls(total: number, concurrency: number, make: (i: number) => Promise<void>) {
  const latencies = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      await make(i);
      latencies[i] = performance.now() - t;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const pct = (p: number) => latencies[Math.min(total - 1, Math.floor(total * p))]!;
  return { rps: total / seconds, p50: pct(0.5), p99: pct(0.99) };
}

/** CPU seconds used by a process and its live descendants (read from /proc; children that exited are not counted). */
export function cpuSecondsOfTree(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      total += cpuSeconds(p);
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // cutime + cstime: children that exited and were waited for.
      total += (Number(stat[13]) + Number(stat[14])) / TICKS_PER_SECOND;
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ').filter(Boolean)) visit(Number(child));
    } catch { /* exited */ }
  };
  visit(pid);
  return total;
}
