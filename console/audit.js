// The audit log (GET /api/v2/audit-logs/v2/organization/{id}) with its filters and cursor paging. Servers
// without the endpoint answer 404: the page then says the log is not available here.

import * as api from './api.js';
import { busy, button, card, errorBox, field, h, loadPage, notice, orEmpty, select, when } from './dom.js';

const LIMIT = 50;

function unavailable(o) {
  o.el.replaceChildren(
    card(
      'Audit log',
      notice(
        'The audit log is not available on this server: it does not serve ' +
          'GET /api/v2/audit-logs/v2/organization/{organizationId}. ' +
          'Newer orgd versions record who changed what in an organization.',
        'info',
      ),
    ),
  );
}

export async function auditPage(o) {
  const base = `/audit-logs/v2/organization/${o.orgId}`;
  const filters = await loadPage(o, () => api.get(`${base}/filters`), {
    onError: (err) => {
      if (err.status !== 404) return false;
      unavailable(o);
      return true;
    },
    around: (node) => card('Audit log', node),
  });
  if (filters === undefined) return;
  const labels = new Map();
  for (const g of filters.events || []) for (const i of g.items || []) labels.set(i.value, i.label);
  const any = { value: '', label: 'Any' };
  const event = select(
    [
      any,
      ...(filters.events || []).map((g) => ({
        group: g.header,
        options: (g.items || []).map((i) => ({ value: i.value, label: i.label })),
      })),
    ],
    '',
  );
  const author = select(
    [
      any,
      ...(filters.users || []).map((u) => ({
        value: u.id,
        label: u.email ? `${u.name || u.id} <${u.email}>` : String(u.name || u.id),
      })),
    ],
    '',
  );
  const team = select([any, ...(filters.teams || []).map((t) => ({ value: t.id, label: t.name }))], '');
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const apply = h('button', { type: 'submit', class: 'btn primary' }, 'Apply');
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Audit log filters' },
    field('Event', event),
    field('Author', author),
    field('Team', team),
    field('From', from),
    field('To', to),
    h('div', { class: 'actions' }, apply),
  );
  const results = h('div');
  const tbody = h('tbody');
  const more = button('Load more', null);
  let last = null;

  const query = () => ({
    'event[]': event.value || null,
    'author[]': author.value || null,
    'team[]': team.value || null,
    dateFrom: from.value || null,
    dateTo: to.value || null,
    'pg[limit]': LIMIT,
    'pg[last]': last,
  });
  const row = (e) => {
    const actor = e.actor || {};
    const who = actor.anonymized
      ? `Deleted user ${actor.id}`
      : [actor.name || `User ${actor.id}`, actor.email ? h('span', { class: 'muted' }, ` <${actor.email}>`) : null];
    return h(
      'tr',
      { data: { event: e.eventName } },
      h('td', null, when(e.triggeredAt, o.tz)),
      h('td', null, labels.get(e.eventName) || e.eventName),
      h('td', null, who),
      h('td', null, e.team ? e.team.name || e.team.id : '—'),
      h('td', { class: 'mono' }, e.targetId === null || e.targetId === undefined ? '—' : String(e.targetId)),
    );
  };
  const load = async (reset) => {
    if (reset) {
      last = null;
      tbody.replaceChildren();
    }
    let r;
    try {
      r = await api.get(base, query());
    } catch (err) {
      if (err.status === 404 && reset) return unavailable(o);
      results.replaceChildren(errorBox(err));
      return;
    }
    const list = r.auditLogs || [];
    for (const e of list) tbody.append(row(e));
    if (list.length) last = list[list.length - 1].imtId;
    more.hidden = list.length < LIMIT;
    results.replaceChildren(
      orEmpty([...tbody.children], 'No entries match.', () =>
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'audit', 'aria-label': 'Audit log' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['When', 'Event', 'Actor', 'Team', 'Target'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            tbody,
          ),
        ),
      ),
      h('div', { class: 'actions' }, more),
    );
  };
  more.addEventListener('click', () => busy(more, () => load(false)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(apply, () => load(true));
  });
  o.el.replaceChildren(
    card('Audit log', h('p', { class: 'hint' }, `Newest first; times and dates in ${o.tz}.`), form, results),
  );
  await load(true);
}
