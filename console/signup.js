// Open sign-up (`--signup open`): #/signup asks for the e-mail address (the answer is the same whether or not an
// account has it), #/signup/<token> is where the e-mailed link lands (the token stays in the fragment, never sent
// in a URL): the person chooses a name and password and is signed in.

import { busy, errorBox, field, h } from './dom.js';
import * as session from './session.js';
import { askForLink, PASSWORD_HINT } from './signin.js';

const page = (main, ...parts) => main.replaceChildren(h('div', { class: 'signin' }, ...parts));

/** Renders the page into `main`; `entered()` runs once the new account is signed in. */
export function render(main, token, entered) {
  document.title = 'Create account · orgd console';
  if (token) return chooseNameAndPassword(main, token, entered);
  askForLink(main, {
    id: 'signup-ask',
    path: '/auth/signup',
    autocomplete: 'email',
    title: 'Create account',
    lead: 'We e-mail you a link to confirm the address.',
    sent: (address) =>
      `A message is on its way to ${address}: follow its link to choose your name and password. ` +
      'It works once, for an hour.',
  });
}

async function chooseNameAndPassword(main, token, entered) {
  let link;
  try {
    link = await session.auth('POST', '/auth/signup/link', { token });
  } catch (err) {
    page(main, h('h1', { tabindex: '-1' }, 'Create account'), errorBox(err, 'This link cannot be used'));
    return;
  }
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create account');
  const form = h(
    'form',
    { class: 'signin-form', id: 'signup-finish', method: 'post', action: '/console', novalidate: true },
    field('E-mail', h('input', { type: 'email', value: link.email, readonly: true, autocomplete: 'username' })),
    field('Your name', name),
    field('Password', password, PASSWORD_HINT),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    try {
      const body = { token, name: name.value.trim(), password: password.value };
      await busy(submit, () => session.auth('POST', '/auth/signup/finish', body));
      password.value = '';
      entered();
    } catch (err) {
      errors.append(errorBox(err, 'Could not create the account'));
      (/name/i.test(err.detail) && !/password/i.test(err.detail) ? name : password).focus();
    }
  });
  page(main, h('h1', { tabindex: '-1' }, 'Create account'), form);
  name.focus();
}
