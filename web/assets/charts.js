// Charts as hand-made SVG: a histogram and a line over time are a few dozen elements, smaller than any library.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const fmt = (x) => (x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(2));

/** Bars of `bins` ({lower, upper, count}); with a `threshold`, bins at or above it are drawn as passing, the rest failing. */
export function histogram(bins, { threshold = null, label = 'histogram' } = {}) {
  const W = 300, H = 90, pad = 14;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = (W - 2) / Math.max(1, bins.length);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H + pad}`, class: 'chart histogram', role: 'img', 'aria-label': label });
  bins.forEach((b, i) => {
    const h = b.count ? Math.max(1, (b.count / max) * (H - 4)) : 0;
    const kind = threshold === null || b.lower === null ? 'bar-plain' : b.lower >= threshold - 1e-9 ? 'bar-pass' : 'bar-fail';
    root.append(svg('rect', { x: 1 + i * w, y: H - h, width: Math.max(1, w - 1), height: h, class: kind },
      svg('title', null, `${fmt(b.lower)}–${fmt(b.upper)}: ${b.count}`)));
  });
  root.append(svg('line', { x1: 0, x2: W, y1: H, y2: H, class: 'axis' }));
  if (bins.length) {
    root.append(svg('text', { x: 1, y: H + pad - 2, class: 'tick' }, fmt(bins[0].lower)));
    root.append(svg('text', { x: W - 1, y: H + pad - 2, class: 'tick', 'text-anchor': 'end' }, fmt(bins[bins.length - 1].upper)));
  }
  return root;
}

/**
 * Pass rate (0–1) per run, oldest first: `points` are {rate, label}. Runs are spaced evenly in their order, not
 * by their times, so runs made in the same second (a sweep of models) stay apart and a month's gap takes no room.
 */
export function trend(points, { label = 'pass rate per run' } = {}) {
  const W = 1000, H = 120, pad = 24;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H + pad}`, class: 'chart trend', role: 'img', 'aria-label': label });
  for (const y of [0, 0.5, 1]) {
    const py = H - y * (H - 8) - 4;
    root.append(svg('line', { x1: pad + 10, x2: W, y1: py, y2: py, class: 'grid' }), svg('text', { x: 0, y: py + 4, class: 'tick' }, `${y * 100}%`));
  }
  if (points.length === 0) return root;
  const n = points.length;
  const x = (i) => (n === 1 ? (W + pad) / 2 : pad + 16 + (i / (n - 1)) * (W - pad - 22));
  const y = (r) => H - r * (H - 8) - 4;
  root.append(svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.rate)}`).join(' '), class: 'line' }));
  points.forEach((p, i) => root.append(svg('circle', { cx: x(i), cy: y(p.rate), r: 4, class: 'dot' }, svg('title', null, `${p.label}: ${(p.rate * 100).toFixed(1)}%`))));
  return root;
}
