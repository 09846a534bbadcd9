import { describe, expect, it } from 'vitest';
import { faultFor, parseDirectives, stripDirectives } from './directives.js';

describe('fake upstream directives', () => {
  it('parses counted faults, in order, across blocks and separators', () => {
    const d = parseDirectives('a [[fake:429x2; 500x1]] b [[fake:dropx1]] [[fake:503]]');
    expect(d.faults).toEqual([
      { fault: 429, times: 2 },
      { fault: 500, times: 1 },
      { fault: 'drop', times: 1 },
      { fault: 503, times: Infinity },
    ]);
    expect([1, 2, 3, 4, 5, 99].map((n) => faultFor(d.faults, n))).toEqual([429, 429, 500, 'drop', 503, 503]);
  });

  it('lets reply=, json= and tool= take the rest of their block', () => {
    const d = parseDirectives('[[fake:score=0.5;reply=a; b]] [[fake:tool=f({"x":"1;2"})]] [[fake:json={"k":1}]]');
    expect(d).toMatchObject({ score: 0.5, reply: 'a; b', json: '{"k":1}', tools: [{ name: 'f', arguments: '{"x":"1;2"}' }] });
  });

  it('reads hosted tool calls, with an optional name and input', () => {
    expect(parseDirectives('[[fake:hosted=web_search_call]] [[fake:hosted=mcp_call:lookup({"q":"a;b"})]]').hosted).toEqual([
      { kind: 'web_search_call' }, { kind: 'mcp_call', name: 'lookup', input: '{"q":"a;b"}' },
    ]);
  });

  it('reads delays, wait hints, labels, refusals and cached tokens', () => {
    expect(parseDirectives('[[fake:delay=300x1;retry-after-ms=none;label=good;refuse;cached=7]]')).toMatchObject({
      delay: { ms: 300, times: 1 }, retryAfterMs: null, label: 'good', refuse: true, cached: 7,
    });
    expect(parseDirectives('[[fake:retry-after=2]]').retryAfterSeconds).toBe(2);
    expect(parseDirectives('[[fake:drip=1000]]').dripMs).toBe(1000);
  });

  it('finds nothing in ordinary text and strips blocks from echoes', () => {
    expect(parseDirectives('plain [[not:fake]] text')).toEqual({ faults: [], tools: [], refuse: false });
    expect(stripDirectives('Hello  [[fake:429x1]] world ')).toBe('Hello world');
  });
});
