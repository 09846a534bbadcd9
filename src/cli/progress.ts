/** What the progress display shows of one run; `total` is the row count known before the run. */
export interface RunProgress {
  label: string;
  status: string;
  total: number | null;
  done: number;
  passed: number;
  errored: number;
  tokens: number;
  startedMs: number;
}

const compact = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n));

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** One line: done/total, pass rate, errored, tokens, ETA (from the rate so far) and status. */
export function progressLine(p: RunProgress, nowMs: number, bar = false): string {
  const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
  const elapsed = (nowMs - p.startedMs) / 1000;
  const finished = !['queued', 'in_progress'].includes(p.status);
  let eta = '';
  if (!finished && p.total && p.done > 0 && elapsed > 0) eta = `  ETA ${clock(((p.total - p.done) * elapsed) / p.done)}`;
  const width = 20;
  const drawn = bar ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : '';
  const rate = p.done ? `${((p.passed / p.done) * 100).toFixed(1)}%` : '-';
  return `${p.label}  ${drawn}${p.done}/${p.total ?? '?'}  pass ${rate}  errored ${p.errored}  tokens ${compact(p.tokens)}  ${finished ? `${p.status} in ${clock(elapsed)}` : p.status}${eta}`;
}

/**
 * Live lines on a terminal (redrawn in place), plain lines otherwise: one per run whenever its status
 * changes or it passes another tenth of its rows, so a CI log stays short.
 */
export class ProgressDisplay {
  private drawn = 0;
  private lastBucket = new Map<string, string>();

  constructor(private readonly out: NodeJS.WriteStream, private readonly live = Boolean(out.isTTY)) {}

  update(runs: RunProgress[], nowMs = Date.now()): void {
    if (this.live) {
      let text = this.drawn ? `\x1b[${this.drawn}A` : '';
      for (const p of runs) text += `\x1b[2K${progressLine(p, nowMs, true)}\n`;
      this.out.write(text);
      this.drawn = runs.length;
      return;
    }
    for (const p of runs) {
      const bucket = `${p.status}:${p.total ? Math.floor((10 * p.done) / p.total) : p.done}`;
      if (this.lastBucket.get(p.label) === bucket) continue;
      this.lastBucket.set(p.label, bucket);
      this.out.write(`${progressLine(p, nowMs)}\n`);
    }
  }
}
