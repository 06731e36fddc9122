// #/orgs/{id}/roles: the organization's roles with their permissions, built-in and custom; an Owner or Admin
// (`organization custom roles edit`) creates and edits custom ones, on a plan that licenses them.

import * as api from './api.js';
import { busy, button, card, field, flash, h, loadPage, notice, orEmpty, select, showError, table } from './dom.js';

const EDIT = 'organization custom roles edit';
const CATEGORIES = [
  { value: 'organization', label: 'Organization' },
  { value: 'team', label: 'Team' },
];

export async function rolesPage(o) {
  const loaded = await loadPage(
    o,
    async () => {
      const [roles, perms] = await Promise.all([
        api.get('/users/roles', { organizationId: o.orgId, 'cols[]': '*' }),
        api.get('/users/roles/permissions'),
      ]);
      return { roles: roles.usersRoles || [], perms: perms.usersRolesPermissions || [] };
    },
    { missing: api.lacks('usersRead', 'Viewing roles') },
  );
  if (loaded === undefined) return;
  const { roles, perms } = loaded;
  const licensed = !!o.org.license?.customRoles;
  const canEdit = licensed && o.can(EDIT) && !api.lacks('usersWrite', '');
  const form = h('div');
  const edit = (role) => {
    form.replaceChildren(roleForm(o, perms, role));
    form.querySelector('input')?.focus();
  };
  const rows = roles.map((r) => [
    r.name,
    r.category === 'team' ? 'Team' : 'Organization',
    r.managementType === 'custom_managed' ? 'Custom' : 'Built-in',
    h('span', { class: 'perm-list' }, (r.permissions || []).join(', ') || '—'),
    canEdit && r.managementType === 'custom_managed'
      ? button('Edit', () => edit(r), 'link', { 'aria-label': `Edit ${r.name}` })
      : '',
  ]);
  o.el.replaceChildren(
    card(
      'Roles',
      licensed
        ? null
        : notice(`The plan ${o.org.productName || ''} does not include custom roles (Enterprise does).`, 'info'),
      licensed && !o.can(EDIT) ? notice('Only the Owner and Admins can create and edit custom roles.', 'info') : null,
      orEmpty(rows, 'No roles.', (list) =>
        table(['Role', 'Category', 'Kind', 'Permissions', ''], list, { 'aria-label': 'Roles' }),
      ),
      canEdit
        ? h(
            'div',
            { class: 'actions' },
            button('New custom role', () => edit(null), 'primary'),
          )
        : null,
    ),
    form,
  );
}

/** The form that creates a custom role (`role` null) or changes one: name, category, description, permissions. */
function roleForm(o, perms, role) {
  const errors = h('div', { class: 'errors' });
  const name = h('input', { type: 'text', maxlength: '50', autocomplete: 'off', value: role?.name || '' });
  const description = h('input', {
    type: 'text',
    maxlength: '500',
    autocomplete: 'off',
    value: role?.description || '',
  });
  const category = select(CATEGORIES, role?.category || 'organization', { disabled: !!role });
  const boxes = h('div', { class: 'perm-boxes' });
  const held = new Set(role?.permissions || []);
  const drawBoxes = () => {
    const shown = perms.filter((p) => p.roleCategory === category.value && !p.customRolesHidden);
    boxes.replaceChildren(
      h(
        'fieldset',
        null,
        h('legend', null, 'Permissions (their prerequisites are added)'),
        shown.map((p) =>
          h(
            'label',
            { class: 'check' },
            h('input', { type: 'checkbox', value: String(p.id), checked: held.has(p.name) }),
            ` ${p.name}`,
          ),
        ),
      ),
    );
  };
  category.addEventListener('change', drawBoxes);
  drawBoxes();
  const save = button(
    role ? 'Save role' : 'Create role',
    async () => {
      showError(errors, null);
      const permissions = [...boxes.querySelectorAll('input:checked')].map((b) => Number(b.value));
      const body = {
        organizationId: o.orgId,
        name: name.value.trim(),
        description: description.value.trim() || null,
        permissions,
      };
      try {
        if (role) await busy(save, () => api.patch(`/users/custom-roles/${role.id}`, body));
        else await busy(save, () => api.post('/users/custom-roles', { ...body, category: category.value }));
        flash(role ? `${body.name} is saved.` : `${body.name} is created.`);
        o.reload();
      } catch (err) {
        showError(errors, err, role ? 'Not saved' : 'Not created');
      }
    },
    'primary',
  );
  return card(
    role ? `Edit ${role.name}` : 'New custom role',
    errors,
    field('Name', name),
    field('Category', category, role ? 'A role keeps its category.' : null),
    field('Description', description),
    boxes,
    h('div', { class: 'actions' }, save),
  );
}
