import { describe, expect, it } from 'vitest';
import { ProgressDisplay, progressLine, type RunProgress } from './progress.js';

const p = (over: Partial<RunProgress> = {}): RunProgress => ({
  label: 'mini', status: 'in_progress', total: 200, done: 50, passed: 40, errored: 1, tokens: 12_345, startedMs: 0, ...over,
});

class Sink { text = ''; isTTY = false; write(s: string) { this.text += s; return true; } }

describe('progressLine', () => {
  it('shows done/total, pass rate, errored, tokens and an ETA from the rate so far', () => {
    expect(progressLine(p(), 10_000)).toBe('mini  50/200  pass 80.0%  errored 1  tokens 12.3k  in_progress  ETA 0:30');
    expect(progressLine(p({ status: 'completed', done: 200, passed: 150 }), 65_000, true))
      .toBe('mini  [####################] 200/200  pass 75.0%  errored 1  tokens 12.3k  completed in 1:05');
  });
});

describe('ProgressDisplay', () => {
  it('writes plain lines off a terminal only when a run passes a tenth or changes status', () => {
    const sink = new Sink();
    const display = new ProgressDisplay(sink as unknown as NodeJS.WriteStream);
    display.update([p({ done: 20 })], 1000);
    display.update([p({ done: 30 })], 2000);
    display.update([p({ done: 45 })], 3000);
    display.update([p({ done: 200, status: 'completed' })], 4000);
    expect(sink.text.trimEnd().split('\n').map((l) => l.split('  ')[1])).toEqual(['20/200', '45/200', '200/200']);
  });

  it('redraws its lines in place on a terminal', () => {
    const sink = new Sink();
    sink.isTTY = true;
    const display = new ProgressDisplay(sink as unknown as NodeJS.WriteStream);
    display.update([p(), p({ label: 'big' })], 1000);
    display.update([p(), p({ label: 'big' })], 2000);
    expect(sink.text.match(/\x1b\[2A/g)).toHaveLength(1);
    expect(sink.text.match(/\x1b\[2K/g)).toHaveLength(4);
  });
});
