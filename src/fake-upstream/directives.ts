/** A fault for some attempts of one prompt: an HTTP status, or a dropped connection. */
export interface FaultDirective {
  fault: number | 'drop';
  /** How many attempts it covers; Infinity for "every remaining attempt". */
  times: number;
}

/** Everything the directives in one prompt ask for (see index.ts for the syntax). */
export interface Directives {
  faults: FaultDirective[];
  delay?: { ms: number; times: number };
  /** Send the answer's body one byte every `ms` (headers at once), as an upstream that drips its stream. */
  dripMs?: number;
  retryAfterMs?: number | null;
  retryAfterSeconds?: number;
  reply?: string;
  json?: string;
  tools: Array<{ name: string; arguments: string }>;
  /** `hosted=KIND[:NAME][(INPUT)]`: hosted tool call items in a /responses answer. */
  hosted?: Array<{ kind: string; name?: string; input?: string }>;
  refuse: boolean;
  score?: number;
  label?: string;
  cached?: number;
}

const BLOCK = /\[\[fake:([\s\S]*?)\]\]/g;
const COUNTED = /^(\d{3}|drop)\s*(?:x\s*(\d+))?$/i;

/** Whether a text has any directive (cheap pre-check before parsing). */
export const hasDirectives = (text: string): boolean => text.includes('[[fake:');

/** The text with every `[[fake:…]]` block removed and whitespace tidied. */
export const stripDirectives = (text: string): string => (hasDirectives(text) ? text.replace(BLOCK, ' ') : text).replace(/\s+/g, ' ').trim();

const times = (count: string | undefined): number => (count === undefined ? Infinity : Number(count));

function applyOne(d: Directives, raw: string): 'rest' | void {
  const directive = raw.trim();
  if (!directive) return;
  const counted = COUNTED.exec(directive);
  if (counted) {
    const what = counted[1]!.toLowerCase();
    d.faults.push({ fault: what === 'drop' ? 'drop' : Number(what), times: times(counted[2]) });
    return;
  }
  if (directive === 'refuse') {
    d.refuse = true;
    return;
  }
  const eq = directive.indexOf('=');
  if (eq < 0) return;
  const key = directive.slice(0, eq).trim().toLowerCase();
  const value = directive.slice(eq + 1);
  switch (key) {
    case 'delay': {
      const m = /^\s*(\d+)\s*(?:x\s*(\d+))?\s*$/.exec(value);
      if (m) d.delay = { ms: Number(m[1]), times: times(m[2]) };
      return;
    }
    case 'drip': {
      const m = /^\s*(\d+)\s*$/.exec(value);
      if (m) d.dripMs = Number(m[1]);
      return;
    }
    case 'retry-after-ms':
      d.retryAfterMs = value.trim() === 'none' ? null : Number(value);
      return;
    case 'retry-after':
      d.retryAfterSeconds = Number(value);
      return;
    case 'score':
      d.score = Number(value);
      return;
    case 'label':
      d.label = value.trim();
      return;
    case 'cached':
      d.cached = Number(value);
      return;
  }
  return 'rest';
}

// reply=, json=, tool= and hosted= take the rest of their block, so their values may contain ';'.
function applyRest(d: Directives, directive: string): void {
  const eq = directive.indexOf('=');
  const key = directive.slice(0, eq).trim().toLowerCase();
  const value = directive.slice(eq + 1);
  if (key === 'reply') d.reply = value;
  else if (key === 'json') d.json = value.trim();
  else if (key === 'tool') {
    const m = /^\s*([\w.-]+)\s*(?:\(([\s\S]*)\))?\s*$/.exec(value);
    if (m) d.tools.push({ name: m[1]!, arguments: m[2]?.trim() || '{}' });
  } else if (key === 'hosted') {
    const m = /^\s*([a-z_]+_call)\s*(?::\s*([\w.-]+))?\s*(?:\(([\s\S]*)\))?\s*$/.exec(value);
    if (m) (d.hosted ??= []).push({ kind: m[1]!, ...(m[2] ? { name: m[2] } : {}), ...(m[3] !== undefined ? { input: m[3].trim() } : {}) });
  }
}

/** Parses every `[[fake:…]]` block in `text`; blocks apply in order. */
export function parseDirectives(text: string): Directives {
  const d: Directives = { faults: [], tools: [], refuse: false };
  if (!hasDirectives(text)) return d;
  for (const block of text.matchAll(BLOCK)) {
    const body = block[1]!;
    let start = 0;
    while (start <= body.length) {
      const semi = body.indexOf(';', start);
      const end = semi < 0 ? body.length : semi;
      if (applyOne(d, body.slice(start, end)) === 'rest') {
        applyRest(d, body.slice(start).trim());
        break;
      }
      start = end + 1;
    }
  }
  return d;
}

/**
 * The fault for attempt `attempt` (1-based) of a prompt: faults consume attempts in the order written, so
 * `429x2;500x1` gives 429, 429, 500, then success.
 */
export function faultFor(faults: FaultDirective[], attempt: number): FaultDirective['fault'] | undefined {
  let covered = 0;
  for (const f of faults) {
    covered += f.times;
    if (attempt <= covered) return f.fault;
  }
  return undefined;
}
