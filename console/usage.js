// Usage of the last 30 days in the organization's timezone, as a chart and as a table.

import * as api from './api.js';
import { bars, dayLabel } from './chart.js';
import { bytes, card, h, loadPage, num, table } from './dom.js';

const METRICS = {
  operations: { label: 'Operations', unit: 'operations', format: (v) => num(Math.round(v * 100) / 100) },
  dataTransfer: { label: 'Data transfer', unit: '', format: (v) => bytes(v) },
};

export async function usagePage(o) {
  const data = await loadPage(
    o,
    async () => (await api.get(`/organizations/${o.orgId}/usage`, { organizationTimezone: 'true' })).data || [],
    { missing: api.lacks('orgsRead', 'Usage') },
  );
  if (data === undefined) return;
  let metric = 'operations';
  const chartSlot = h('div', { class: 'chart-box' });
  const summary = h('div', { class: 'stats' });
  const draw = () => {
    const m = METRICS[metric];
    const points = data.map((d) => ({ date: d.date, value: Number(d[metric]) || 0 }));
    const total = points.reduce((a, p) => a + p.value, 0);
    const peak = points.reduce((a, p) => (p.value > a.value ? p : a), { value: 0, date: null });
    const busiest = peak.date ? `; busiest day ${peak.date} with ${m.format(peak.value)} ${m.unit}` : '';
    const first = data.length ? data[0].date : '';
    const last = data.length ? data[data.length - 1].date : '';
    chartSlot.replaceChildren(
      bars({
        points,
        width: chartSlot.clientWidth,
        title: `${m.label} per day, ${first} to ${last}`,
        desc: `Days in ${o.tz}. Total ${m.format(total)} ${m.unit}${busiest}.`,
        format: m.format,
        unit: m.unit,
      }),
    );
    summary.replaceChildren(
      stat(`${m.label}, 30 days`, m.format(total)),
      stat('Busiest day', peak.date ? `${dayLabel(peak.date)} · ${m.format(peak.value)}` : '—'),
      stat('Daily average', m.format(total / Math.max(points.length, 1))),
    );
  };
  const switcher = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { class: 'visually-hidden' }, 'Metric'),
    Object.entries(METRICS).map(([key, m]) => {
      const input = h('input', {
        type: 'radio',
        name: 'metric',
        value: key,
        checked: key === metric,
        id: `metric-${key}`,
      });
      input.addEventListener('change', () => {
        metric = key;
        draw();
      });
      return [input, h('label', { for: `metric-${key}` }, m.label)];
    }),
  );
  const rows = data.map((d) => [d.date, num(d.operations), bytes(d.dataTransfer)]);
  o.el.replaceChildren(
    card(
      'Usage, last 30 days',
      h(
        'p',
        { class: 'hint' },
        `Each bar is one day in the organization's timezone, ${o.tz}; the last bar is today. ` +
          'Usage is booked by scenarios, or by ',
        h('code', null, 'orgd usage add'),
        '.',
      ),
      switcher,
      summary,
      chartSlot,
      h(
        'details',
        { class: 'data-table' },
        h('summary', null, 'Show the numbers'),
        table(['Day', 'Operations', 'Data transfer'], rows, { class: 'usage', 'aria-label': 'Usage per day' }),
      ),
    ),
  );
  draw();
  // Drawn at the box's own width, so the labels keep their size on a phone; redrawn when the width changes.
  let drawnAt = chartSlot.clientWidth;
  new ResizeObserver(() => {
    if (chartSlot.isConnected && Math.abs(chartSlot.clientWidth - drawnAt) > 24) {
      drawnAt = chartSlot.clientWidth;
      draw();
    }
  }).observe(chartSlot);
}

function stat(label, value) {
  return h(
    'div',
    { class: 'stat' },
    h('span', { class: 'stat-label' }, label),
    h('span', { class: 'stat-value' }, value),
  );
}
