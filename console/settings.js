// Feature controls and two-factor enforcement of an organization.

import * as api from './api.js';
import { busy, button, card, confirmDialog, flash, h, loadPage, notice, showError } from './dom.js';

const en = (x) => (x && typeof x === 'object' ? x.en || Object.values(x)[0] || '' : x || '');

export async function featuresPage(o) {
  const r = await loadPage(o, () => api.get(`/organizations/${o.orgId}/feature-controls`));
  if (r === undefined) return;
  const controls = r.featureControls || [];
  const missing = api.lacks('featuresWrite', 'Changing feature controls');
  const canWrite = !missing && o.can('organization edit');
  const errors = h('div', { class: 'errors' });
  const items = controls.map((c) => {
    const box = h('input', {
      type: 'checkbox',
      role: 'switch',
      checked: !!c.enabled,
      disabled: !canWrite,
      id: `feature-${c.id}`,
      'aria-describedby': `feature-${c.id}-desc`,
    });
    box.addEventListener('change', async () => {
      showError(errors, null);
      const enabled = box.checked;
      if (!enabled) {
        const ok = await confirmDialog({
          title: `Turn off ${en(c.label)}?`,
          body: en(c.warning_message) || 'Members lose this feature.',
          confirmLabel: 'Turn off',
          danger: true,
        });
        if (!ok) {
          box.checked = true;
          return;
        }
      }
      try {
        await busy(box, () => api.patch(`/organizations/${o.orgId}/feature-controls`, { id: c.id, enabled }));
        flash(`${en(c.label)} is ${enabled ? 'on' : 'off'}.`);
      } catch (err) {
        box.checked = !enabled;
        showError(errors, err, `${en(c.label)} was not changed`);
      }
    });
    return h(
      'li',
      { class: 'switch-row', data: { name: c.name } },
      box,
      h(
        'div',
        null,
        h('label', { for: box.id, class: 'switch-label' }, en(c.label)),
        h(
          'p',
          { class: 'hint', id: `feature-${c.id}-desc` },
          en(c.description),
          c.warning_message ? h('span', { class: 'warn-text' }, ` When off: ${en(c.warning_message)}`) : null,
        ),
      ),
    );
  });
  o.el.replaceChildren(
    card(
      'Feature controls',
      missing
        ? notice(missing, 'warn')
        : !o.can('organization edit')
          ? notice('Only the Owner and Admins can switch features.', 'info')
          : null,
      errors,
      h('ul', { class: 'switches', 'aria-label': 'Feature controls' }, items),
    ),
  );
}

export async function securityPage(o) {
  const { org } = o;
  const lic = org.license || {};
  const errors = h('div', { class: 'errors' });
  const missing = api.lacks('orgsWrite', 'Changing two-factor enforcement');
  const on = !!org.tfaEnforced;
  const toggle = button(
    on ? 'Stop enforcing two-factor authentication' : 'Enforce two-factor authentication',
    async () => {
      showError(errors, null);
      if (!on) {
        const ok = await confirmDialog({
          title: 'Enforce two-factor authentication?',
          body:
            'Members without two-factor authentication lose access to this organization until they set it up ' +
            '(orgd users tfa --email … on). You need it yourself first.',
          confirmLabel: 'Enforce',
        });
        if (!ok) return;
      }
      try {
        await busy(toggle, () => api.patch(`/organizations/${o.orgId}/tfa-enforcement`, { enable: !on }));
        flash(on ? 'Two-factor authentication is no longer enforced.' : 'Two-factor authentication is now enforced.');
        o.reload();
      } catch (err) {
        showError(errors, err, 'Not changed');
      }
    },
    on ? '' : 'primary',
  );
  const allowed = o.can('organization edit');
  toggle.disabled = !!missing || !allowed;
  o.el.replaceChildren(
    card(
      'Two-factor authentication',
      h(
        'p',
        { class: 'status-line' },
        'Status: ',
        h('strong', { class: on ? 'status-on' : 'status-off', id: 'tfa-status' }, on ? 'Enforced' : 'Not enforced'),
      ),
      h(
        'p',
        null,
        'When enforced, members who have not set up two-factor authentication cannot use this organization.',
      ),
      lic.tfaEnforcement
        ? null
        : notice(
            `The plan ${org.productName || ''} does not include two-factor enforcement (Teams and Enterprise do).`,
            'info',
          ),
      missing
        ? notice(missing, 'warn')
        : !allowed
          ? notice('Only the Owner and Admins can change this.', 'info')
          : null,
      errors,
      h('div', { class: 'actions' }, toggle),
    ),
  );
}
