// Organization variables (list, create, edit, delete) and one variable's history.

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
  select,
  showError,
  table,
  when,
} from './dom.js';

const TYPES = [
  { value: 1, label: 'Number' },
  { value: 2, label: 'Text' },
  { value: 3, label: 'Boolean' },
  { value: 4, label: 'Date' },
];
const typeName = (id) => (TYPES.find((t) => t.value === id) || { label: `Type ${id}` }).label;
const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** A value control for a type, and a reader that turns its content into the JSON value (or throws a sentence). */
function valueControl(typeId, value) {
  let el;
  if (typeId === 3)
    el = select(
      [
        { value: 'true', label: 'true' },
        { value: 'false', label: 'false' },
      ],
      value === false ? 'false' : 'true',
    );
  else if (typeId === 2) el = h('textarea', { rows: '2', value: value === undefined ? '' : String(value) });
  else
    el = h('input', {
      type: 'text',
      inputmode: typeId === 1 ? 'decimal' : null,
      autocomplete: 'off',
      value: value === undefined ? '' : String(value),
      placeholder: typeId === 4 ? '2026-12-01T12:00:00.000Z' : null,
    });
  const read = () => {
    const s = el.value;
    if (typeId === 1) {
      const n = Number(s.trim());
      if (s.trim() === '' || !Number.isFinite(n))
        throw new Error('A number variable needs a number, such as 42 or 3.5.');
      return n;
    }
    if (typeId === 3) return s === 'true';
    return s;
  };
  return { el, read };
}

/** A form part whose value control follows the type <select>. */
function typedValue(typeId, value) {
  const type = select(TYPES, typeId);
  const slot = h('div');
  let ctl;
  const redraw = (v) => {
    ctl = valueControl(Number(type.value), v);
    slot.replaceChildren(
      field('Value', ctl.el, Number(type.value) === 4 ? 'An instant in UTC: YYYY-MM-DDTHH:mm:ss.sssZ.' : null),
    );
  };
  type.addEventListener('change', () => redraw(undefined));
  redraw(value);
  return { type, slot, read: () => ctl.read(), typeId: () => Number(type.value) };
}

export async function variablesPage(o) {
  if (o.sub.length) return history(o, o.sub[0]);
  const vars = await loadPage(
    o,
    async () => (await api.get(`/organizations/${o.orgId}/variables`)).organizationVariables || [],
    { missing: api.lacks('varsRead', 'Variables') },
  );
  if (vars === undefined) return;
  const licensed = o.org.license?.customVariables;
  const canWrite = licensed && !api.lacks('varsWrite', '');
  const errors = h('div', { class: 'errors' });
  const editSlot = h('div');
  const enc = encodeURIComponent;
  const rows = vars.map((v) => {
    const actions = [];
    if (!v.isSystem) {
      actions.push(h('a', { href: `#/orgs/${o.orgId}/variables/${enc(v.name)}`, class: 'btn small link' }, 'History'));
      if (canWrite) {
        actions.push(
          button('Edit', () => editSlot.replaceChildren(editCard(o, v, editSlot)), 'small', {
            'aria-label': `Edit ${v.name}`,
          }),
        );
        const d = button(
          'Delete…',
          async () => {
            showError(errors, null);
            const ok = await confirmDialog({
              title: 'Delete this variable?',
              body: [
                h(
                  'p',
                  null,
                  'Scenarios that use ',
                  h('code', null, v.name),
                  ' will no longer find it. Its history stays readable.',
                ),
              ],
              confirmLabel: 'Delete variable',
              danger: true,
            });
            if (!ok) return;
            try {
              await busy(d, () => api.del(`/organizations/${o.orgId}/variables/${enc(v.name)}`, { confirmed: 'true' }));
              flash(`Deleted ${v.name}.`);
              o.reload();
            } catch (err) {
              showError(errors, err, `${v.name} was not deleted`);
            }
          },
          'small danger-text',
          { 'aria-label': `Delete ${v.name}` },
        );
        actions.push(d);
      }
    }
    return h(
      'tr',
      { data: { name: v.name } },
      h('td', null, h('code', null, v.name), v.isSystem ? h('span', { class: 'badge' }, 'system') : null),
      h('td', null, typeName(v.typeId)),
      h('td', { class: 'value' }, show(v.value)),
      h('td', { class: 'actions-cell' }, actions),
    );
  });
  const notes = [];
  if (!licensed)
    notes.push(
      notice(
        `The plan ${o.org.productName || ''} does not include custom variables: only the system variables exist. ` +
          'Plans from Pro up include them (Plan & billing).',
        'info',
      ),
    );
  else if (api.lacks('varsWrite', '')) notes.push(notice(api.lacks('varsWrite', 'Changing variables'), 'warn'));
  o.el.replaceChildren(
    notes,
    editSlot,
    card(
      `Variables (${vars.length})`,
      errors,
      table(['Name', 'Type', 'Value', 'Actions'], rows, { class: 'variables', 'aria-label': 'Variables' }),
    ),
    canWrite ? createCard(o) : null,
  );
}

function createCard(o) {
  const name = h('input', {
    type: 'text',
    required: true,
    maxlength: '128',
    autocomplete: 'off',
    pattern: '[A-Za-z0-9$_]+',
  });
  const tv = typedValue(1, undefined);
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create variable');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'New variable', novalidate: true },
    field('Name', name, 'Letters, digits, $ and _.'),
    field('Type', tv.type),
    tv.slot,
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    let value;
    try {
      value = tv.read();
    } catch (err) {
      showError(errors, { detail: err.message });
      return;
    }
    try {
      const r = await busy(submit, () =>
        api.post(`/organizations/${o.orgId}/variables`, { name: name.value.trim(), typeId: tv.typeId(), value }),
      );
      flash(`Created ${r.organizationVariable.name}.`);
      o.reload();
    } catch (err) {
      showError(errors, err, 'The variable was not created');
    }
  });
  const c = card('New variable', form);
  c.classList.add('narrow');
  return c;
}

function editCard(o, v, slot) {
  const tv = typedValue(v.typeId, v.value);
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Save');
  const cancel = button('Cancel', () => slot.replaceChildren());
  const form = h(
    'form',
    { class: 'stack', 'aria-label': `Edit ${v.name}`, novalidate: true },
    field('Type', tv.type),
    tv.slot,
    errors,
    h('div', { class: 'actions' }, cancel, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    let value;
    try {
      value = tv.read();
    } catch (err) {
      showError(errors, { detail: err.message });
      return;
    }
    const body = { value };
    if (tv.typeId() !== v.typeId) body.typeId = tv.typeId();
    try {
      await busy(submit, () => api.patch(`/organizations/${o.orgId}/variables/${encodeURIComponent(v.name)}`, body));
      flash(`Saved ${v.name}.`);
      o.reload();
    } catch (err) {
      showError(errors, err, `${v.name} was not saved`);
    }
  });
  const c = card(`Edit ${v.name}`, form);
  c.classList.add('edit');
  setTimeout(() => {
    const first = form.querySelector('textarea, input, select:not(:first-child)') || form.querySelector('select');
    if (first) first.focus();
  });
  return c;
}

async function history(o, name) {
  const path = `/organizations/${o.orgId}/variables/${encodeURIComponent(name)}/history`;
  const entries = await loadPage(o, async () => (await api.get(path)).organizationVariableHistory || [], {
    missing: api.lacks('varsRead', 'Variable history'),
    around: (node) => [h('p', null, h('a', { href: `#/orgs/${o.orgId}/variables` }, '← All variables')), node],
  });
  if (entries === undefined) return;
  const action = (a) => String(a).replace(/^organization_variable_/, '');
  const rows = entries.map((e) => {
    const d = e.diffObject || {};
    const old = 'oldValue' in d ? show(d.oldValue) : '';
    return h(
      'tr',
      { data: { action: action(e.action) } },
      h('td', null, when(e.changed, o.tz)),
      h('td', null, h('span', { class: `badge ${action(e.action)}` }, action(e.action))),
      h('td', null, e.author || '—'),
      h('td', { class: 'value' }, show(d.value)),
      h('td', { class: 'value old' }, old),
      h('td', null, 'oldTypeId' in d ? `${typeName(d.oldTypeId)} → ${typeName(d.typeId)}` : typeName(d.typeId)),
    );
  });
  o.el.replaceChildren(
    h('p', null, h('a', { href: `#/orgs/${o.orgId}/variables` }, '← All variables')),
    card(
      ['History of ', h('code', null, name)],
      h('p', { class: 'hint' }, `Newest first; times in ${o.tz}.`),
      table(['When', 'Change', 'By', 'Value', 'Previous value', 'Type'], rows, {
        class: 'history',
        'aria-label': `History of ${name}`,
      }),
    ),
  );
}
