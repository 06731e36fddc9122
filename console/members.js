// Members (roles, change role, remove, transfer ownership) and invitations (invite, pending list) of an
// organization.

import * as api from './api.js';
import {
  busy,
  button,
  card,
  confirmDialog,
  field,
  flash,
  h,
  loadPage,
  notice,
  orEmpty,
  select,
  showError,
  table,
} from './dom.js';

const OWNER = 11;
// E-mails this tab invited, by organization and user id: the API names pending invitees by id only.
const invited = new Map();

async function people(o) {
  if (api.lacks('usersRead', '')) return null;
  const r = await api.get('/users', { organizationId: o.orgId, 'cols[]': ['id', 'name', 'email'] });
  return new Map((r.users || []).map((u) => [u.id, u]));
}

const orgRoles = (o) => o.roles.filter((r) => r.category === 'organization' && r.id !== OWNER);

/** A role <select> with a Save button that is enabled once the choice differs. */
function roleEditor(o, label, current, onSave) {
  const sel = select(
    orgRoles(o).map((r) => ({ value: r.id, label: r.name })),
    current,
    { 'aria-label': label },
  );
  const save = button('Save', () => busy(save, () => onSave(Number(sel.value))), 'small');
  save.disabled = true;
  sel.addEventListener('change', () => {
    save.disabled = Number(sel.value) === current;
  });
  return h('div', { class: 'inline' }, sel, save);
}

export async function membersPage(o) {
  const users = await loadPage(o, () => people(o));
  if (users === undefined) return;
  const errors = h('div', { class: 'errors' });
  const active = o.members.filter((m) => !m.invitation);
  const me = api.me().id;
  const iAmOwner = o.myRole && o.myRole.id === OWNER;
  const canEdit = o.can('organization user add and edit') && !api.lacks('usersWrite', '');
  const canTransfer = iAmOwner && !api.lacks('transfer', '');
  const nameOf = (id) => {
    const u = users?.get(id);
    return u ? u.name : `User ${id}`;
  };
  const rows = active.map((m) => {
    const u = users?.get(m.userId);
    const who = h(
      'div',
      { class: 'person' },
      h('span', { class: 'person-name' }, nameOf(m.userId)),
      m.userId === me ? h('span', { class: 'badge' }, 'you') : null,
    );
    let role = h(
      'span',
      { class: m.usersRoleId === OWNER ? 'badge owner' : 'badge' },
      api.roleName(o.roles, m.usersRoleId),
    );
    const actions = [];
    if (canEdit && m.usersRoleId !== OWNER) {
      role = roleEditor(o, `Role of ${nameOf(m.userId)}`, m.usersRoleId, async (id) => {
        showError(errors, null);
        try {
          await api.post(`/users/${m.userId}/user-organization-roles/${o.orgId}`, { usersRoleId: id });
          flash(`${nameOf(m.userId)} is now ${api.roleName(o.roles, id)}.`);
          o.reload();
        } catch (err) {
          showError(errors, err, `The role of ${nameOf(m.userId)} was not changed`);
        }
      });
    }
    if (canTransfer && m.usersRoleId !== OWNER) {
      const t = button(
        'Make owner…',
        async () => {
          showError(errors, null);
          const ok = await confirmDialog({
            title: 'Transfer ownership?',
            body: [
              h(
                'p',
                null,
                h('strong', null, nameOf(m.userId)),
                ' becomes the Owner of ',
                h('strong', null, o.org.name),
                '. You become an Admin; only the new Owner can give ownership back.',
              ),
            ],
            confirmLabel: 'Transfer ownership',
            danger: true,
          });
          if (!ok) return;
          try {
            await busy(t, () =>
              api.post(`/organizations/${o.orgId}/user-organization-roles/transfer`, { userId: m.userId }),
            );
            flash(`${nameOf(m.userId)} is now the Owner of ${o.org.name}.`);
            o.reload();
          } catch (err) {
            showError(errors, err, 'Ownership was not transferred');
          }
        },
        'small',
        { 'aria-label': `Make ${nameOf(m.userId)} the owner` },
      );
      actions.push(t);
    }
    if (canEdit && m.usersRoleId !== OWNER) {
      const r = button(
        'Remove…',
        async () => {
          showError(errors, null);
          const self = m.userId === me;
          const ok = await confirmDialog({
            title: self ? 'Leave this organization?' : 'Remove this member?',
            body: [
              h('p', null, h('strong', null, nameOf(m.userId)), ` loses access to ${o.org.name} and all its teams.`),
            ],
            confirmLabel: self ? 'Leave' : 'Remove member',
            danger: true,
          });
          if (!ok) return;
          try {
            await busy(r, () => api.post(`/users/${m.userId}/user-organization-roles/${o.orgId}`, {}));
            flash(`${nameOf(m.userId)} was removed from ${o.org.name}.`);
            if (self) o.go('#/orgs');
            else o.reload();
          } catch (err) {
            showError(errors, err, `${nameOf(m.userId)} was not removed`);
          }
        },
        'small danger-text',
        { 'aria-label': `Remove ${nameOf(m.userId)}` },
      );
      actions.push(r);
    }
    return h(
      'tr',
      { data: { userId: m.userId } },
      h('td', null, who),
      h('td', null, u ? u.email : '—'),
      h('td', null, role),
      h('td', { class: 'actions-cell' }, actions),
    );
  });
  const hints = [];
  const noNames = api.lacks('usersRead', 'Showing names and e-mails');
  if (noNames) hints.push(notice(noNames, 'warn'));
  const noWrite = api.lacks('usersWrite', 'Changing roles and removing members');
  if (noWrite) hints.push(notice(noWrite, 'warn'));
  else if (!o.can('organization user add and edit'))
    hints.push(notice('Only the Owner and Admins can change roles or remove members.', 'info'));
  const pending = o.members.length - active.length;
  o.el.replaceChildren(
    card(
      `Members (${active.length})`,
      hints,
      errors,
      table(['Member', 'E-mail', 'Role', 'Actions'], rows, { class: 'members', 'aria-label': 'Members' }),
      h(
        'p',
        { class: 'hint' },
        pending ? `${pending} pending invitation${pending === 1 ? '' : 's'} · ` : '',
        h('a', { href: `#/orgs/${o.orgId}/invitations` }, 'Invite someone'),
      ),
    ),
  );
}

export async function invitationsPage(o) {
  const errors = h('div', { class: 'errors' });
  const list = o.members.filter((m) => m.invitation);
  const known = invited.get(o.orgId) || new Map();
  const canEdit = o.can('organization user add and edit') && !api.lacks('usersWrite', '');
  const label = (id) => (known.get(id) ? `${known.get(id)} (user ${id})` : `Invited user ${id}`);
  const rows = list.map((m) => {
    let role = api.roleName(o.roles, m.usersRoleId);
    const actions = [];
    if (canEdit) {
      role = roleEditor(o, `Role of ${label(m.userId)}`, m.usersRoleId, async (id) => {
        showError(errors, null);
        try {
          await api.post(`/users/${m.userId}/user-organization-roles/${o.orgId}`, { usersRoleId: id });
          flash(`The invitation now offers ${api.roleName(o.roles, id)}.`);
          o.reload();
        } catch (err) {
          showError(errors, err, 'The invitation was not changed');
        }
      });
      const w = button(
        'Withdraw',
        async () => {
          showError(errors, null);
          try {
            await busy(w, () => api.post(`/users/${m.userId}/user-organization-roles/${o.orgId}`, {}));
            flash('The invitation was withdrawn.');
            o.reload();
          } catch (err) {
            showError(errors, err, 'The invitation was not withdrawn');
          }
        },
        'small danger-text',
        { 'aria-label': `Withdraw the invitation of ${label(m.userId)}` },
      );
      actions.push(w);
    }
    return h(
      'tr',
      null,
      h('td', null, label(m.userId)),
      h('td', null, role),
      h('td', null, h('span', { class: `badge ${m.invitation}` }, m.invitation)),
      h('td', { class: 'actions-cell' }, actions),
    );
  });
  o.el.replaceChildren(
    h(
      'div',
      { class: 'grid two' },
      card(
        `Pending invitations (${list.length})`,
        errors,
        orEmpty(rows, 'No open invitations.', () =>
          table(['Invitee', 'Role', 'Status', 'Actions'], rows, {
            class: 'pending',
            'aria-label': 'Pending invitations',
          }),
        ),
        h(
          'p',
          { class: 'hint' },
          'orgd sends no e-mail: invitees see their invitations when they sign in to this console ' +
            '(or at GET /api/v2/users/me/organization-invitations). Invitations expire after a few days.',
        ),
      ),
      inviteCard(o),
    ),
  );
}

function inviteCard(o) {
  const missing = api.lacks('orgsWrite', 'Inviting');
  if (missing) return card('Invite someone', notice(missing, 'warn'));
  if (!o.can('organization user add and edit'))
    return card('Invite someone', notice('Only the Owner and Admins can invite.', 'info'));
  const email = h('input', { type: 'email', required: true, autocomplete: 'off', maxlength: '254' });
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', maxlength: '128' });
  const role = select(
    orgRoles(o).map((r) => ({ value: r.id, label: r.name })),
    13,
  );
  const note = h('textarea', { rows: '2', maxlength: '1000' });
  const teams = (o.org.teams || []).map((t) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: String(t.id), name: 'team' }), ' ', t.name),
  );
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Send invitation');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Invite someone' },
    field('E-mail', email),
    field('Name', name, 'How the invitee is called until they sign in.'),
    field('Role', role),
    teams.length
      ? h('fieldset', { class: 'field' }, h('legend', null, 'Teams'), h('div', { class: 'checks' }, teams))
      : null,
    field('Note (optional)', note),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  email.addEventListener('change', () => {
    if (!name.value && email.value.includes('@'))
      name.value = email.value
        .split('@')[0]
        .replace(/[^\p{L}\p{N} ._-]/gu, ' ')
        .trim();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    const teamsId = [...form.querySelectorAll('input[name=team]:checked')].map((c) => Number(c.value));
    const body = { email: email.value.trim(), name: name.value.trim(), usersRoleId: Number(role.value) };
    if (teamsId.length) body.teamsId = teamsId;
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const r = await busy(submit, () => api.post(`/organizations/${o.orgId}/invite`, body));
      const id = r.userOrganizationRole?.userId;
      if (!invited.has(o.orgId)) invited.set(o.orgId, new Map());
      if (id) invited.get(o.orgId).set(id, body.email);
      flash(`Invited ${body.email} as ${api.roleName(o.roles, body.usersRoleId)}.`);
      o.reload();
    } catch (err) {
      showError(errors, err, 'No invitation was sent');
    }
  });
  return card('Invite someone', form);
}
