// The first Intl object in a fresh renderer costs 60–100 ms (ICU loads its locale data), so the formats are
// not made while the script loads: app.js calls prepareFormats() once a page's first requests are on their
// way, and spends that time while the server answers instead of before it asks.
let formats = null;

/** Makes the page's date and number formats, if they are not made yet. */
export function prepareFormats() {
  formats ??= {
    dateTime: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }),
    relative: new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }),
    integer: new Intl.NumberFormat(),
  };
  return formats;
}

/** A Unix time (seconds) as a local date and time. */
export const time = (seconds) => (typeof seconds === 'number' ? prepareFormats().dateTime.format(new Date(seconds * 1000)) : '—');

const UNITS = [['year', 31_536_000], ['month', 2_592_000], ['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]];

/** "3 minutes ago" for a Unix time (seconds). */
export function ago(seconds) {
  const diff = seconds - Date.now() / 1000;
  const [unit, size] = UNITS.find(([, size]) => Math.abs(diff) >= size) ?? UNITS[UNITS.length - 1];
  return prepareFormats().relative.format(Math.round(diff / size), unit);
}

/** 1234 → "1,234". */
export const num = (n) => (typeof n === 'number' ? prepareFormats().integer.format(n) : '—');

/** passed / total as "75%", or "—" when there is nothing to divide. */
export const pct = (part, total) => (total > 0 ? `${Math.round((100 * part) / total)}%` : '—');

const UUID_SUFFIX = /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A testing-criterion id is `<name>-<uuid>`; people want the name. */
export const criterionName = (id) => String(id).replace(UUID_SUFFIX, '');

/** Runs that may still change. */
export const isActive = (status) => status === 'queued' || status === 'in_progress';

/** A data source, in a few words: "completions · file_content (12 rows)". */
export function dataSourceLabel(ds) {
  if (!ds || typeof ds !== 'object') return '—';
  const source = ds.source;
  let detail = source?.type ?? '';
  if (source?.type === 'file_content' && Array.isArray(source.content)) detail += ` (${num(source.content.length)} rows)`;
  if (source?.type === 'file_id' && source.id) detail += ` ${source.id}`;
  return detail ? `${ds.type} · ${detail}` : String(ds.type);
}

/** A message's content as text: strings as they are, content parts by their text, anything else as JSON. */
export function contentText(content) {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(contentText).join('\n');
  if (typeof content === 'object' && typeof content.text === 'string') return content.text;
  return JSON.stringify(content, null, 2);
}

/** Seconds as "1 h 4 min", "3 min 20 s", "12 s". */
export function duration(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '—';
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.round(s)} s`;
}

/** A score: integers as they are, other numbers to 3 significant decimals. */
export const score = (x) => (typeof x !== 'number' ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/0+$/, ''));

/** An item's state with errored apart: an errored item has status fail and a sample.error. */
export const itemState = (item) => (item.sample?.error ? 'errored' : item.status === 'pass' ? 'passed' : 'failed');

/**
 * An item's rendered prompt as one line of text: its sample's input messages, else its row. System and
 * developer messages go last: they are usually the same on every row, and a truncated cell should show
 * what differs.
 */
export function inputText(item) {
  const input = item.sample?.input;
  if (Array.isArray(input) && input.length) {
    const shared = (m) => m.role === 'system' || m.role === 'developer';
    return [...input.filter((m) => !shared(m)), ...input.filter(shared)].map((m) => `${m.role ?? ''}: ${contentText(m.content)}`).join('  ');
  }
  return JSON.stringify(item.datasource_item ?? {});
}

/** An item's output as text. */
export function outputText(item) {
  const s = item.sample ?? {};
  if (typeof s.output_text === 'string') return s.output_text;
  if (Array.isArray(s.output)) return s.output.map((m) => contentText(m.content)).join('\n');
  return '';
}

/** Truncates to `n` characters with an ellipsis. */
export const clip = (text, n = 140) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
