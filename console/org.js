// #/orgs/{id}/{tab}: one organization, its tabs, and the overview (plan, license, zone, timezone, teams, rename,
// delete).

import * as api from './api.js';
import {
  busy,
  button,
  bytes,
  card,
  confirmDialog,
  field,
  fillSelect,
  flash,
  h,
  loadPage,
  notice,
  num,
  orEmpty,
  showError,
} from './dom.js';

/** The tabs in order: the key in the address, the label, and the page that draws the tab (loaded when first shown). */
const TABS = [
  { key: 'overview', label: 'Overview', page: async () => overview },
  { key: 'members', label: 'Members', page: async () => (await import('./members.js')).membersPage },
  { key: 'invitations', label: 'Invitations', page: async () => (await import('./members.js')).invitationsPage },
  { key: 'teams', label: 'Teams', page: async () => (await import('./teams.js')).teamsPage },
  { key: 'variables', label: 'Variables', page: async () => (await import('./variables.js')).variablesPage },
  { key: 'usage', label: 'Usage', page: async () => (await import('./usage.js')).usagePage },
  { key: 'billing', label: 'Plan & billing', page: async () => (await import('./billing.js')).billingPage },
  { key: 'roles', label: 'Roles', page: async () => (await import('./roles.js')).rolesPage },
  { key: 'features', label: 'Features', page: async () => (await import('./settings.js')).featuresPage },
  { key: 'security', label: 'Security', page: async () => (await import('./settings.js')).securityPage },
  { key: 'audit', label: 'Audit log', page: async () => (await import('./audit.js')).auditPage },
];

export async function render(ctx, orgId, tab, sub) {
  const def = TABS.find((t) => t.key === tab);
  if (!def) {
    ctx.main.replaceChildren(
      h('h1', null, 'Page not found'),
      h('p', null, h('a', { href: `#/orgs/${orgId}` }, 'Back to the organization')),
    );
    return;
  }
  const loaded = await loadPage({ el: ctx.main, alive: ctx.alive }, () => load(orgId), {
    missing: api.lacks('orgsRead', 'Viewing an organization'),
    around: (node) => [
      h('h1', null, `Organization ${orgId}`),
      node,
      h('p', null, h('a', { href: '#/orgs' }, 'Back to the organizations')),
    ],
  });
  if (loaded === undefined) return;
  const { org, members, roles, tz } = loaded;
  const mine = members.find((m) => m.userId === api.me().id && !m.invitation);
  const myRole = mine ? roles.find((r) => r.id === mine.usersRoleId) : null;
  const perms = myRole?.permissions || [];
  const el = h('div', { class: 'tab-body' });
  const o = { ...ctx, org, orgId, tz, members, roles, myRole, perms, can: (p) => perms.includes(p), el, sub };
  document.title = `${def.label} · ${org.name} · orgd console`;
  ctx.main.replaceChildren(
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/orgs' }, 'Organizations'),
      ' / ',
      h('span', null, org.name),
    ),
    h(
      'div',
      { class: 'page-head org-head' },
      h('h1', { class: 'org-title' }, org.name),
      h(
        'p',
        { class: 'muted org-meta' },
        h('span', { class: 'badge plan' }, org.productName || 'No plan'),
        myRole ? h('span', { class: 'badge' }, `You: ${myRole.name}`) : null,
        h('span', null, `ID ${org.id}`),
        h('span', null, tz),
      ),
    ),
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Organization' },
      TABS.map(({ key, label }) =>
        h(
          'a',
          {
            href: `#/orgs/${orgId}/${key}`,
            'aria-current': key === tab ? 'page' : null,
            class: key === tab ? 'active' : null,
          },
          label,
        ),
      ),
    ),
    el,
  );
  const page = await def.page();
  if (ctx.alive()) await page(o);
}

/** The organization, its members and roles, and the name of its timezone. */
async function load(orgId) {
  const [org, members, roles] = await Promise.all([
    api.get(`/organizations/${orgId}`).then((r) => r.organization),
    api.get(`/organizations/${orgId}/user-organization-roles`).then((r) => r.userOrganizationRoles || []),
    api.roles(),
  ]);
  return { org, members, roles, tz: await api.timezoneCode(org.timezoneId) };
}

async function overview(o) {
  const { org, tz } = o;
  const lic = org.license || {};
  const yes = (b) => (b ? 'Yes' : 'No');
  const facts = [
    ['Plan', `${org.productName || '—'} (${org.serviceName || '—'})`],
    ['Zone', org.zone],
    ['Timezone', tz],
    ['Two-factor enforcement', org.tfaEnforced ? 'Enforced' : 'Not enforced'],
    ['Operations this month', `${num(org.operations)} of ${num(lic.operations)}`],
    ['Data transfer this month', `${bytes(org.transfer)} of ${bytes(lic.transfer)}`],
    ['Month resets', org.nextReset ? org.nextReset.slice(0, 10) : '—'],
  ];
  const license = [
    ['Users', num(lic.users)],
    ['Teams', num(lic.teams)],
    ['API requests per minute', num(lic.apiLimit)],
    ['Custom variables', yes(lic.customVariables)],
    ['Two-factor enforcement', yes(lic.tfaEnforcement)],
    ['Log retention (days)', num(lic.retention)],
  ];
  const dl = (rows) =>
    h(
      'dl',
      { class: 'facts' },
      rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    );
  const teams = orEmpty(org.teams || [], 'No teams.', (list) =>
    h(
      'ul',
      { class: 'plain' },
      list.map((t) => h('li', null, h('a', { href: `#/orgs/${org.id}/teams/${t.id}` }, t.name))),
    ),
  );
  o.el.replaceChildren(
    h('div', { class: 'grid two' }, card('Organization', dl(facts)), card('License', dl(license))),
    card('Teams', teams, h('p', null, h('a', { href: `#/orgs/${org.id}/teams` }, 'Manage teams'))),
    h('div', { class: 'grid two' }, editCard(o), deleteCard(o)),
  );
}

function editCard(o) {
  const { org } = o;
  const missing = api.lacks('orgsWrite', 'Renaming an organization');
  if (missing) return card('Settings', notice(missing, 'warn'));
  if (!o.can('organization edit'))
    return card('Settings', notice('Renaming and changing settings needs the Owner or an Admin.', 'info'));
  const name = h('input', { type: 'text', value: org.name, required: true, maxlength: '128', autocomplete: 'off' });
  const tz = h('select', null, h('option', { value: String(org.timezoneId) }, o.tz));
  const country = h('select', null, h('option', { value: String(org.countryId) }, String(org.countryId)));
  api
    .cached('/enums/timezones')
    .then((r) =>
      fillSelect(
        tz,
        (r.timezones || []).map((z) => ({ value: z.id, label: z.name })),
        org.timezoneId,
      ),
    )
    .catch(() => {});
  api
    .cached('/enums/countries')
    .then((r) =>
      fillSelect(
        country,
        (r.countries || []).map((c) => ({ value: c.id, label: c.name })),
        org.countryId,
      ),
    )
    .catch(() => {});
  const errors = h('div');
  const save = h('button', { type: 'submit', class: 'btn primary' }, 'Save');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Organization settings' },
    field('Name', name),
    field('Timezone', tz),
    field('Country', country),
    errors,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    const body = {};
    if (name.value.trim() !== org.name) body.name = name.value.trim();
    if (Number(tz.value) !== org.timezoneId) body.timezoneId = Number(tz.value);
    if (Number(country.value) !== org.countryId) body.countryId = Number(country.value);
    if (!Object.keys(body).length) {
      flash('Nothing changed.', 'info');
      return;
    }
    try {
      const r = await busy(save, () => api.patch(`/organizations/${org.id}`, body));
      flash(body.name ? `Renamed to ${r.organization.name}.` : 'Saved.');
      o.reload();
    } catch (err) {
      showError(errors, err, 'Not saved');
    }
  });
  return card('Settings', form);
}

function deleteCard(o) {
  const { org } = o;
  if (api.lacks('orgsWrite', '') || !o.can('organization delete')) return null;
  const errors = h('div');
  const del = button(
    'Delete organization…',
    async () => {
      showError(errors, null);
      const ok = await confirmDialog({
        title: 'Delete this organization?',
        body: [
          h(
            'p',
            null,
            'This deletes ',
            h('strong', null, org.name),
            ', its teams, members, invitations and variables. It cannot be undone.',
          ),
        ],
        confirmLabel: 'Delete organization',
        danger: true,
        typeToConfirm: org.name,
      });
      if (!ok) return;
      try {
        await busy(del, () => api.del(`/organizations/${org.id}`, { confirmed: 'true' }));
        flash(`Deleted ${org.name}.`);
        o.go('#/orgs');
      } catch (err) {
        showError(errors, err, 'Not deleted');
      }
    },
    'danger',
  );
  return h(
    'section',
    { class: 'card danger-zone', 'aria-label': 'Danger zone' },
    h('h2', null, 'Danger zone'),
    h('p', null, 'Deleting an organization removes everything in it.'),
    errors,
    h('div', { class: 'actions' }, del),
  );
}
