// Password reset: #/reset asks for the e-mail address (the answer is the same whether or not an account has it),
// #/reset/<token> is where the e-mailed link lands (the token stays in the fragment, never sent in a URL) and
// sets a new password. Afterwards the person signs in as usual, two-factor included.

import { busy, errorBox, field, h, notice } from './dom.js';
import * as session from './session.js';
import { askForLink, PASSWORD_HINT } from './signin.js';

const page = (main, ...parts) => main.replaceChildren(h('div', { class: 'signin' }, ...parts));

/** Renders the page into `main`: the request form without a token, the new-password form with one. */
export function render(main, token) {
  document.title = 'Reset password · orgd console';
  if (token) newPassword(main, token);
  else
    askForLink(main, {
      id: 'reset-ask',
      path: '/auth/reset',
      autocomplete: 'username',
      title: 'Forgot your password?',
      lead: 'We e-mail you a link.',
      sent: (address) =>
        `If ${address} belongs to an account with a password, a link to choose a new one is on its way. ` +
        'It works once, for an hour.',
    });
}

function newPassword(main, token) {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Set the new password');
  const form = h(
    'form',
    { class: 'signin-form', id: 'reset-password', method: 'post', action: '/console', novalidate: true },
    field('New password', password, PASSWORD_HINT),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    try {
      await busy(submit, () => session.auth('POST', '/auth/reset/password', { token, password: password.value }));
      password.value = '';
      page(
        main,
        h('h1', { tabindex: '-1' }, 'Password changed'),
        notice('Your password is changed and every session of yours has ended.', 'ok'),
        h('p', null, h('a', { href: '#/orgs', class: 'btn primary', id: 'reset-sign-in' }, 'Sign in')),
      );
    } catch (err) {
      errors.append(errorBox(err, 'Could not change the password'));
      password.focus();
    }
  });
  page(main, h('h1', { tabindex: '-1' }, 'Choose a new password'), form);
  password.focus();
}
