// #/orgs: the caller's invitations, the organizations they belong to (search and paging), and a new organization.

import * as api from './api.js';
import {
  busy,
  button,
  card,
  errorBox,
  field,
  fillSelect,
  flash,
  h,
  loading,
  loadPage,
  notice,
  orEmpty,
  showError,
  table,
} from './dom.js';

const PAGE = 20;
const state = { q: '', page: 0 };
const COLS = ['id', 'name', 'productName', 'teams'];

export async function render(ctx) {
  document.title = 'Organizations · orgd console';
  const list = h('div', { class: 'org-list' }, loading());
  const invites = h('div');
  ctx.main.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Organizations'),
      h('p', { class: 'muted' }, 'Every organization you belong to on this server.'),
    ),
    invites,
    h('div', { class: 'grid two' }, h('div', null, searchBox(ctx, list), list), createCard(ctx)),
  );
  await Promise.all([myInvitations(ctx, invites), fill(ctx, list)]);
}

function searchBox(ctx, list) {
  const input = h('input', { type: 'search', value: state.q, autocomplete: 'off', placeholder: 'Name or id' });
  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = input.value.trim();
      state.page = 0;
      fill(ctx, list);
    }, 200);
  });
  return h(
    'form',
    { class: 'search', role: 'search', onSubmit: (e) => e.preventDefault() },
    field('Search organizations', input),
  );
}

let all = null; // every organization of the caller, fetched once per search
let filling = 0; // the latest fill: an earlier one still in flight (a slow first page, a search typed on) is dropped

async function fill(ctx, list) {
  const mine = ++filling;
  const alive = () => ctx.alive() && mine === filling;
  const page = await loadPage({ el: list, alive }, fetchPage, {
    missing: api.lacks('orgsRead', 'Listing organizations'),
  });
  if (page === undefined) return;
  const { rows, more, total } = page;
  const body = orEmpty(
    rows,
    state.q
      ? `No organization matches “${state.q}”.`
      : 'You belong to no organization yet. Create one, or accept an invitation.',
    () =>
      table(
        ['Name', 'Plan', 'Teams', 'ID'],
        rows.map((o) => [
          h('a', { href: `#/orgs/${o.id}`, class: 'org-name' }, o.name),
          o.productName || '—',
          Array.isArray(o.teams) ? o.teams.length : '—',
          h('span', { class: 'mono' }, o.id),
        ]),
        { class: 'orgs', 'aria-label': 'Organizations' },
      ),
  );
  const prev = button('Previous', () => {
    state.page -= 1;
    fill(ctx, list);
  });
  prev.disabled = state.page === 0;
  const next = button('Next', () => {
    state.page += 1;
    fill(ctx, list);
  });
  next.disabled = !more;
  const label =
    total === null ? `Page ${state.page + 1}` : `Page ${state.page + 1} · ${total} match${total === 1 ? '' : 'es'}`;
  list.replaceChildren(
    body,
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      prev,
      h('span', { class: 'muted', 'aria-live': 'polite' }, label),
      next,
    ),
  );
}

/** One page of the caller's organizations: with a search, filtered here from all of them (fetched once). */
async function fetchPage() {
  if (state.q) {
    // The API has no name filter: fetch the caller's organizations once (ids and names) and filter here.
    if (!all)
      all =
        (await api.get('/organizations', { 'cols[]': COLS, 'pg[limit]': 10000, 'pg[sortBy]': 'name' })).organizations ||
        [];
    const q = state.q.toLowerCase();
    const hits = all.filter((o) => String(o.name).toLowerCase().includes(q) || String(o.id) === q);
    const rows = hits.slice(state.page * PAGE, state.page * PAGE + PAGE);
    return { rows, more: hits.length > (state.page + 1) * PAGE, total: hits.length };
  }
  all = null;
  const r = await api.get('/organizations', {
    'cols[]': COLS,
    'pg[limit]': PAGE + 1,
    'pg[offset]': state.page * PAGE,
    'pg[sortBy]': 'name',
  });
  const got = r.organizations || [];
  return { rows: got.slice(0, PAGE), more: got.length > PAGE, total: null };
}

async function myInvitations(ctx, slot) {
  if (api.lacks('usersRead', '')) return;
  let inv;
  try {
    inv = (await api.get('/users/me/organization-invitations')).userOrganizationInvitations || [];
  } catch (err) {
    if (ctx.alive()) slot.replaceChildren(errorBox(err, 'Your invitations'));
    return;
  }
  const open = inv.filter((i) => i.invitation === 'pending');
  if (!ctx.alive() || !open.length) return;
  const roles = await api.roles();
  const errors = h('div');
  const rows = open.map((i) => {
    const accept = button(
      'Accept',
      async () => {
        showError(errors, null);
        try {
          await busy(accept, () => api.post('/organizations/accept-invitation', { hash: i.hash }));
          flash(`You joined ${i.organizationName}.`);
          ctx.go(`#/orgs/${i.organizationId}`);
        } catch (err) {
          showError(errors, err, `Accepting the invitation to ${i.organizationName}`);
        }
      },
      'primary',
      { 'aria-label': `Accept the invitation to ${i.organizationName}` },
    );
    if (api.lacks('orgsWrite', '')) accept.disabled = true;
    return [h('strong', null, i.organizationName), api.roleName(roles, i.usersRoleId), accept];
  });
  slot.replaceChildren(
    h(
      'section',
      { class: 'card invitations-for-me', 'aria-label': 'Your invitations' },
      h('h2', null, open.length === 1 ? 'You have an invitation' : `You have ${open.length} invitations`),
      api.lacks('orgsWrite', 'Accepting an invitation')
        ? notice(api.lacks('orgsWrite', 'Accepting an invitation'), 'warn')
        : null,
      errors,
      table(['Organization', 'Role', ''], rows),
    ),
  );
}

function createCard(ctx) {
  const missing = api.lacks('orgCreate', 'Creating an organization');
  if (missing) return card('New organization', notice(missing, 'warn'));
  const name = h('input', { type: 'text', required: true, maxlength: '128', autocomplete: 'off' });
  const tz = h('select', { required: true }, h('option', { value: '' }, 'Loading…'));
  const country = h('select', { required: true }, h('option', { value: '' }, 'Loading…'));
  const region = h('select', { required: true }, h('option', { value: '1' }, '1'));
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create organization');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'New organization' },
    field('Name', name, "Letters, digits, spaces and - . ( ) * + , @ _ / ' ; up to 128 characters."),
    field('Timezone', tz, 'Usage days are cut in this timezone.'),
    field('Country', country),
    field('Region', region),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  Promise.all([api.cached('/enums/timezones'), api.cached('/enums/countries'), api.cached('/enums/imt-regions')])
    .then(([t, c, r]) => {
      let mine = 'Etc/UTC';
      try {
        mine = Intl.DateTimeFormat().resolvedOptions().timeZone || mine;
      } catch {
        /* keep UTC */
      }
      const zones = t.timezones || [];
      const pick = zones.find((z) => z.code === mine) || zones.find((z) => z.code === 'Etc/UTC') || zones[0];
      fillSelect(
        tz,
        zones.map((z) => ({ value: z.id, label: z.name })),
        pick?.id,
      );
      const countries = c.countries || [];
      fillSelect(
        country,
        countries.map((x) => ({ value: x.id, label: x.name })),
        countries[0]?.id,
      );
      fillSelect(
        region,
        (r.imtRegions || []).map((x) => ({ value: x.id, label: x.name })),
        1,
      );
    })
    .catch((err) => errors.append(errorBox(err, 'Loading timezones and countries')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    const body = {
      name: name.value.trim(),
      regionId: Number(region.value),
      timezoneId: Number(tz.value),
      countryId: Number(country.value),
    };
    try {
      const r = await busy(submit, () => api.post('/organizations', body));
      all = null;
      flash(`Created ${r.organization.name}.`);
      ctx.go(`#/orgs/${r.organization.id}`);
    } catch (err) {
      showError(errors, err, 'The organization was not created');
    }
  });
  return card('New organization', form);
}
