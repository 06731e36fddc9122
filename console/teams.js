// Teams of an organization (list, create) and one team (its members' team roles, add, change, remove, delete).

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

export async function teamsPage(o) {
  if (o.sub.length && /^\d+$/.test(o.sub[0])) return team(o, Number(o.sub[0]));
  const teams = await loadPage(
    o,
    async () => (await api.get('/teams', { organizationId: o.orgId, 'pg[sortBy]': 'name' })).teams || [],
    { missing: api.lacks('teamsRead', 'Listing teams') },
  );
  if (teams === undefined) return;
  const rows = teams.map((t) => [
    h('a', { href: `#/orgs/${o.orgId}/teams/${t.id}` }, t.name),
    h('span', { class: 'mono' }, t.id),
  ]);
  o.el.replaceChildren(
    h(
      'div',
      { class: 'grid two' },
      card(`Teams (${teams.length})`, table(['Team', 'ID'], rows, { class: 'teams', 'aria-label': 'Teams' })),
      createCard(o),
    ),
  );
}

function createCard(o) {
  const missing = api.lacks('teamsWrite', 'Creating a team');
  if (missing) return card('New team', notice(missing, 'warn'));
  if (!o.can('team add')) return card('New team', notice('Creating teams needs the Owner or an Admin.', 'info'));
  const name = h('input', { type: 'text', required: true, maxlength: '128', autocomplete: 'off' });
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create team');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'New team' },
    field('Team name', name),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    try {
      const r = await busy(submit, () => api.post('/teams', { name: name.value.trim(), organizationId: o.orgId }));
      flash(`Created the team ${r.team.name}.`);
      o.go(`#/orgs/${o.orgId}/teams/${r.team.id}`);
    } catch (err) {
      showError(errors, err, 'The team was not created');
    }
  });
  return card('New team', form);
}

async function team(o, teamId) {
  const loaded = await loadPage(
    o,
    async () => {
      const [t, roles] = await Promise.all([
        api.get(`/teams/${teamId}`).then((r) => r.team),
        api.get(`/teams/${teamId}/user-team-roles`).then((r) => r.userTeamRoles || []),
      ]);
      if (api.lacks('usersRead', '')) return { t, roles, users: null };
      const r = await api.get('/users', { organizationId: o.orgId });
      return { t, roles, users: new Map((r.users || []).map((u) => [u.id, u])) };
    },
    { missing: api.lacks('teamsRead', 'Viewing a team') },
  );
  if (loaded === undefined) return;
  const { t, roles, users } = loaded;
  document.title = `${t.name} · ${o.org.name} · orgd console`;
  const teamRoles = o.roles.filter((r) => r.category === 'team');
  const nameOf = (id) => (users?.get(id) ? users.get(id).name : `User ${id}`);
  const errors = h('div', { class: 'errors' });
  const canWrite = !api.lacks('usersWrite', '');
  const setRole = async (userId, usersRoleId, what) => {
    showError(errors, null);
    try {
      await api.post(`/users/${userId}/user-team-roles/${teamId}`, usersRoleId ? { usersRoleId } : {});
      flash(what);
      o.reload();
    } catch (err) {
      showError(errors, err, `${nameOf(userId)}: not changed`);
    }
  };
  const rows = roles.map((r) => {
    let role = api.roleName(o.roles, r.usersRoleId);
    const actions = [];
    if (canWrite && r.changeable !== false) {
      const sel = select(
        teamRoles.map((x) => ({ value: x.id, label: x.name })),
        r.usersRoleId,
        { 'aria-label': `Team role of ${nameOf(r.userId)}` },
      );
      const save = button(
        'Save',
        () =>
          busy(save, () =>
            setRole(
              r.userId,
              Number(sel.value),
              `${nameOf(r.userId)} is now ${api.roleName(o.roles, Number(sel.value))} in ${t.name}.`,
            ),
          ),
        'small',
      );
      save.disabled = true;
      sel.addEventListener('change', () => {
        save.disabled = Number(sel.value) === r.usersRoleId;
      });
      role = h('div', { class: 'inline' }, sel, save);
      const rm = button(
        'Remove',
        () => busy(rm, () => setRole(r.userId, null, `${nameOf(r.userId)} left ${t.name}.`)),
        'small danger-text',
        { 'aria-label': `Remove ${nameOf(r.userId)} from the team` },
      );
      actions.push(rm);
    }
    return [nameOf(r.userId), role, actions];
  });
  const inTeam = new Set(roles.map((r) => r.userId));
  const candidates = users ? [...users.values()].filter((u) => !inTeam.has(u.id)) : [];
  let add = null;
  if (canWrite && candidates.length) {
    const who = select(
      candidates.map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` })),
      candidates[0].id,
    );
    const role = select(
      teamRoles.map((x) => ({ value: x.id, label: x.name })),
      3,
    );
    const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Add to team');
    add = h(
      'form',
      { class: 'row-form', 'aria-label': 'Add a member to the team' },
      field('Member', who),
      field('Team role', role),
      h('div', { class: 'actions' }, submit),
    );
    add.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, () =>
        setRole(Number(who.value), Number(role.value), `${nameOf(Number(who.value))} joined ${t.name}.`),
      );
    });
  }
  const del =
    canWrite && !api.lacks('teamsWrite', '')
      ? button(
          'Delete team…',
          async () => {
            showError(errors, null);
            const ok = await confirmDialog({
              title: 'Delete this team?',
              body: [h('p', null, 'The team ', h('strong', null, t.name), ' and its roles are deleted.')],
              confirmLabel: 'Delete team',
              danger: true,
            });
            if (!ok) return;
            try {
              await busy(del, () => api.del(`/teams/${teamId}`, { confirmed: 'true' }));
              flash(`Deleted the team ${t.name}.`);
              o.go(`#/orgs/${o.orgId}/teams`);
            } catch (err) {
              showError(errors, err, 'The team was not deleted');
            }
          },
          'danger',
        )
      : null;
  o.el.replaceChildren(
    h('p', null, h('a', { href: `#/orgs/${o.orgId}/teams` }, '← All teams')),
    card(
      `Team: ${t.name}`,
      api.lacks('usersWrite', 'Changing team roles')
        ? notice(api.lacks('usersWrite', 'Changing team roles'), 'warn')
        : null,
      errors,
      orEmpty(rows, 'Nobody is in this team.', () =>
        table(['Member', 'Team role', 'Actions'], rows, { class: 'team-roles', 'aria-label': 'Team members' }),
      ),
      add,
      del ? h('div', { class: 'actions end' }, del) : null,
    ),
  );
}
