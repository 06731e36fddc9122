// A bar chart drawn as inline SVG (no library): one bar per day, y axis with round ticks, a label every few days.

import { svg, uid } from './dom.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-28` → `Nov 28`, without Date (the day is already the organization's, no timezone to apply). */
export function dayLabel(date) {
  const [, m, d] = String(date).split('-');
  return `${MONTHS[Number(m) - 1] || m} ${Number(d)}`;
}

/** The smallest round step (1, 2, 2.5 or 5 × 10^n) at least `x`. */
function niceStep(x) {
  if (!(x > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= x) return m * e;
  return 10 * e;
}

/**
 * bars({points: [{date, value}], title, desc, format, unit, width}) → <svg>, `width` pixels wide (its text keeps
 * its size). `format` renders an axis or tooltip value.
 */
export function bars({ points, title, desc, format, unit, width }) {
  const W = Math.round(Math.min(1100, Math.max(300, width || 720)));
  const H = W < 500 ? 220 : 280;
  const m = { l: 58, r: 10, t: 14, b: 34 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const max = Math.max(0, ...points.map((p) => p.value));
  const ticks = 4;
  const step = max > 0 ? niceStep(max / ticks) : 1;
  const top = step * ticks;
  const y = (v) => m.t + ph - (v / top) * ph;
  const band = pw / Math.max(points.length, 1);
  const bw = Math.max(2, band * 0.72);
  const tid = uid('chart-title');
  const did = uid('chart-desc');
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-labelledby': `${tid} ${did}`,
    class: 'chart',
    preserveAspectRatio: 'xMidYMid meet',
  });
  root.append(svg('title', { id: tid }, title), svg('desc', { id: did }, desc));
  const grid = svg('g', { class: 'grid' });
  for (let i = 0; i <= ticks; i += 1) {
    const v = step * i;
    const yy = y(v);
    grid.append(
      svg('line', { x1: m.l, x2: W - m.r, y1: yy, y2: yy, class: i === 0 ? 'axis' : 'gridline' }),
      svg('text', { x: m.l - 8, y: yy + 4, class: 'tick', 'text-anchor': 'end' }, format(v)),
    );
  }
  root.append(grid);
  const g = svg('g', { class: 'bars' });
  points.forEach((p, i) => {
    const x = m.l + i * band + (band - bw) / 2;
    const hgt = Math.max(0, m.t + ph - y(p.value));
    const cls = ['bar', p.value > 0 ? 'filled' : 'zero', i === points.length - 1 ? 'today' : '']
      .filter(Boolean)
      .join(' ');
    g.append(
      svg(
        'rect',
        {
          x: x.toFixed(1),
          y: (m.t + ph - hgt).toFixed(1),
          width: bw.toFixed(1),
          height: hgt.toFixed(1),
          rx: 2,
          class: cls,
          'data-date': p.date,
          'data-value': p.value,
        },
        svg('title', null, `${p.date}: ${format(p.value)} ${unit}`),
      ),
    );
  });
  root.append(g);
  const labels = svg('g', { class: 'xlabels' });
  const every = band < 16 ? 10 : 5;
  points.forEach((p, i) => {
    const last = points.length - 1;
    if (i !== last && (last - i) % every !== 0) return;
    if (i !== last && last - i < every / 2) return;
    labels.append(
      svg(
        'text',
        { x: (m.l + i * band + band / 2).toFixed(1), y: H - m.b + 18, class: 'tick', 'text-anchor': 'middle' },
        dayLabel(p.date),
      ),
    );
  });
  root.append(labels);
  return root;
}
