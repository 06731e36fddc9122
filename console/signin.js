// The e-mail and password form of the sign-in page (the API-token form stays below it for scripts and operators).

import { busy, errorBox, field, h, notice } from './dom.js';
import * as session from './session.js';

/** What every new password must be (identity::password's policy), said the same on every page that sets one. */
export const PASSWORD_HINT =
  '12 to 128 characters; a passphrase of a few words works well. Very common passwords are refused.';

/** The form; `done()` runs once the console is signed in, `step(state)` when the session owes another step. */
export function passwordForm(done, step) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin-form', id: 'password-signin', method: 'post', action: '/console', novalidate: true },
    field('E-mail', email),
    field('Password', password),
    errors,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/reset', id: 'forgot-password' }, 'Forgot password?')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    if (!email.value.trim() || !password.value) {
      errors.append(errorBox({ detail: 'Enter your e-mail address and your password.' }));
      (email.value.trim() ? password : email).focus();
      return;
    }
    try {
      const state = await busy(submit, () => session.signIn(email.value.trim(), password.value));
      password.value = '';
      if (state.next === 'console') done();
      else if (step) step(state);
      else errors.append(notice(`One more step before the console: ${state.next}.`, 'warn'));
    } catch (err) {
      password.value = '';
      const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '';
      errors.append(errorBox({ ...err, detail: err.detail + wait }, 'Sign-in failed'));
      password.focus();
    }
  });
  return form;
}

/**
 * The "e-mail → send the link" page of password reset and open sign-up, rendered into `main`: `o.id` names the
 * form, `o.path` is where the address goes (the answer is the same whether or not an account has it),
 * `o.autocomplete`, `o.title` and `o.lead` are the page's words, `o.sent(address)` what it says once sent.
 */
export function askForLink(main, o) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: o.autocomplete, required: true });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Send the link');
  const form = h(
    'form',
    { class: 'signin-form', id: o.id, method: 'post', action: '/console', novalidate: true },
    field('E-mail', email),
    errors,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/orgs' }, 'Back to sign-in')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const address = email.value.trim();
    if (!address) return errors.append(errorBox({ detail: 'Enter your e-mail address.' }));
    try {
      await busy(submit, () => session.auth('POST', o.path, { email: address }));
      form.replaceWith(notice(o.sent(address)));
    } catch (err) {
      const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '';
      errors.append(errorBox({ ...err, detail: err.detail + wait }, 'Could not send the link'));
    }
  });
  main.replaceChildren(
    h('div', { class: 'signin' }, h('h1', { tabindex: '-1' }, o.title), h('p', { class: 'lead' }, o.lead), form),
  );
  email.focus();
}
