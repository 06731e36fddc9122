// The page an invitation e-mail links to (#/join/<hash>): the organization, who invited and the role; a new
// account chooses its name and password, an existing one signs in, then accepts.

import * as api from './api.js';
import { busy, errorBox, field, h, notice } from './dom.js';
import * as session from './session.js';
import { PASSWORD_HINT, passwordForm } from './signin.js';

/** Renders the join page into `main`; `entered(orgId)` runs once the person is in the organization. */
export async function render(main, hash, entered) {
  document.title = 'Join · orgd console';
  let offer;
  try {
    offer = await session.auth('GET', `/auth/invitation?hash=${encodeURIComponent(hash)}`);
  } catch (err) {
    main.replaceChildren(
      h(
        'div',
        { class: 'signin' },
        h('h1', { tabindex: '-1' }, 'Invitation'),
        errorBox(err, 'This link cannot be used'),
      ),
    );
    return;
  }
  const intro = h(
    'p',
    { class: 'lead' },
    `${offer.inviter || 'Someone'} invited ${offer.email} to ${offer.organization} as ${offer.role}.`,
  );
  const errors = h('div', { class: 'errors' });
  const accept = async (button, body) => {
    errors.replaceChildren();
    try {
      const done = await busy(button, () => session.auth('POST', '/auth/join', { hash, ...body }));
      await session.resume();
      entered(done.organizationId);
    } catch (err) {
      errors.append(errorBox(err, 'Could not join'));
    }
  };
  const parts = [h('h1', { tabindex: '-1' }, `Join ${offer.organization}`), intro];
  if (offer.account === 'new') parts.push(newAccount(offer, accept));
  else parts.push(...(await existingAccount(offer, accept, () => render(main, hash, entered))));
  main.replaceChildren(h('div', { class: 'signin' }, ...parts, errors));
}

function newAccount(offer, accept) {
  if (offer.accountCreation === false) {
    return notice(
      `This server does not create accounts. Ask its operator for an account for ${offer.email}, then open this link again.`,
      'warn',
    );
  }
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create account and join');
  const form = h(
    'form',
    { class: 'signin-form', method: 'post', action: '/console', novalidate: true },
    field('E-mail', h('input', { type: 'email', value: offer.email, readonly: true, autocomplete: 'username' })),
    field('Your name', name),
    field('Password', password, PASSWORD_HINT),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    accept(submit, { name: name.value.trim(), password: password.value });
  });
  return form;
}

async function existingAccount(offer, accept, again) {
  const state = await session.auth('GET', '/auth/session').catch(() => null);
  if (!state?.signedIn || state.next !== 'console') {
    return [h('p', null, `Sign in as ${offer.email} to accept.`), passwordForm(again)];
  }
  const button = h('button', { type: 'button', class: 'btn primary' }, 'Accept invitation');
  button.addEventListener('click', () => accept(button, {}));
  const who = h('p', null, `You are signed in as ${state.user.email}.`);
  const out = h('button', { type: 'button', class: 'btn' }, 'Sign out');
  out.addEventListener('click', async () => {
    await session.signOut().catch(() => api.signOut());
    again();
  });
  return [who, h('div', { class: 'actions' }, button, out)];
}
