// The console's entry: sign-in, the top bar and the hash router (#/orgs, #/orgs/12/members, …).

import * as api from './api.js';
import { busy, errorBox, field, flash, h, notice } from './dom.js';
import * as session from './session.js';
import { passwordForm } from './signin.js';

const main = document.getElementById('main');
const account = document.getElementById('account');
let generation = 0;

/** The page modules, loaded when first needed. */
const pages = {
  orgs: () => import('./orgs.js'),
  org: () => import('./org.js'),
  tokens: () => import('./tokens.js'),
  profile: () => import('./profile.js'),
};

function signInPage(message) {
  document.title = 'Sign in · orgd console';
  account.replaceChildren();
  const input = h('input', {
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    autocapitalize: 'off',
    placeholder: '3f0c1c8e-5d0e-4c8e-9a57-…',
  });
  const errors = h('div', { class: 'errors' });
  const sso = h('div', { class: 'sso-slot' });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Sign in with token');
  // The token field has no name: even if the script failed, the browser would submit nothing of it.
  const form = h(
    'form',
    { class: 'signin-form', method: 'post', action: '/console', novalidate: true },
    field(
      'API token',
      input,
      'The bootstrap token orgd printed on first start, or one from `orgd users add`. ' +
        'It is kept in this tab only and sent to /api/v2 as Authorization: Token …',
    ),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const tok = input.value.trim();
    errors.replaceChildren();
    if (!tok) {
      errors.append(errorBox({ detail: 'Paste an API token first.' }));
      input.focus();
      return;
    }
    try {
      await busy(submit, () => api.signIn(tok));
      input.value = '';
      if (!location.hash || location.hash === '#/')
        location.hash = '#/orgs'; // routes on hashchange
      else route();
    } catch (err) {
      errors.append(errorBox(err, 'Sign-in failed'));
      input.select();
    }
  });
  main.replaceChildren(
    h(
      'div',
      { class: 'signin' },
      h('h1', { tabindex: '-1' }, 'Sign in'),
      h(
        'p',
        { class: 'lead' },
        'The organization console of this orgd server: ' +
          'organizations, members, invitations, teams, variables, usage and billing.',
      ),
      message ? notice(message, 'warn') : null,
      passwordForm(entered, stepPage),
      sso,
      h('h2', null, 'Use an API token'),
      form,
      h(
        'p',
        { class: 'hint' },
        'The console uses the same API, permissions and error messages as every other client. ' +
          'Signing out, or closing the tab, forgets the token.',
      ),
    ),
  );
  main.querySelector('#password-signin input').focus();
  // The button is optional: a page left while it loads must not log an error.
  import('./factors.js')
    .then((f) => f.ssoButton())
    .then((button) => sso.replaceChildren(...(button ? [button] : [])))
    .catch(() => {});
  // "Create account" only where the server offers open sign-up (`--signup open`).
  session
    .auth('GET', '/auth/signup')
    .then((offer) => {
      if (offer.open)
        sso.after(h('p', { class: 'signup' }, h('a', { href: '#/signup', id: 'create-account' }, 'Create account')));
    })
    .catch(() => {});
}

/** Into the console once signed in. */
function entered() {
  if (!location.hash || location.hash === '#/')
    location.hash = '#/orgs'; // routes on hashchange
  else route();
}

/** A session still owing a step after the password: the code (`secondFactor`) or enrolment (`enrol`). */
async function stepPage(state) {
  account.replaceChildren();
  const f = await import('./factors.js');
  const out = async () => {
    await session.signOut().catch(() => api.signOut());
    signInPage();
  };
  if (state.next === 'enrol') await f.enrolPage(main, { done: entered, out });
  else f.codePage(main, { done: entered, out });
}

function topBar() {
  const who = api.me();
  const out = h('button', { type: 'button', class: 'btn small', id: 'signout' }, 'Sign out');
  out.addEventListener('click', async () => {
    if (api.fromSession()) await session.signOut().catch(() => api.signOut());
    api.signOut();
    history.replaceState(null, '', '/console');
    flash('Signed out. The token is forgotten.');
    signInPage();
  });
  account.replaceChildren(
    h('a', { href: '#/orgs', class: 'nav-link' }, 'Organizations'),
    h('a', { href: '#/api-tokens', class: 'nav-link' }, 'API tokens'),
    api.fromSession() ? h('a', { href: '#/profile', class: 'nav-link' }, 'Profile') : null,
    h(
      'span',
      { class: 'who', title: who.email },
      h('span', { class: 'who-name' }, who.name),
      h('span', { class: 'who-email' }, who.email),
    ),
    out,
  );
}

/** Goes to `hash` (routing again when it is already there). */
function ctxGo(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Renders the page the hash names. A newer navigation makes older renders stop touching the page. */
async function route() {
  const gen = ++generation;
  const reset = (location.hash || '').match(/^#\/reset(?:\/([^/?]+))?$/);
  if (reset) {
    account.replaceChildren();
    const mod = await import('./reset.js');
    if (gen === generation) mod.render(main, reset[1] ? decodeURIComponent(reset[1]) : '');
    return;
  }
  const signup = (location.hash || '').match(/^#\/signup(?:\/([^/?]+))?$/);
  if (signup) {
    account.replaceChildren();
    const mod = await import('./signup.js');
    if (gen === generation)
      await mod.render(main, signup[1] ? decodeURIComponent(signup[1]) : '', () => ctxGo('#/orgs'));
    return;
  }
  const join = (location.hash || '').match(/^#\/join\/([^/?]+)/);
  if (join) {
    account.replaceChildren();
    const mod = await import('./join.js');
    if (gen === generation) await mod.render(main, decodeURIComponent(join[1]), (org) => ctxGo(`#/orgs/${org}`));
    return;
  }
  if (!api.token()) {
    // A reload forgets the session's token (memory only); the session cookie gets a fresh one.
    const state = await session.resume().catch(() => null);
    if (gen !== generation) return;
    if (state && state.next !== 'console') return stepPage(state);
    if (!state || !api.token()) return signInPage();
  }
  if (!api.me()) {
    try {
      await api.resume();
    } catch (err) {
      if (gen !== generation) return;
      if (!api.token()) return signInPage(err.detail);
      main.replaceChildren(errorBox(err, 'Could not load your account'));
      return;
    }
  }
  if (gen !== generation) return;
  topBar();
  const path = (location.hash || '#/orgs').replace(/^#\/?/, '').split('?')[0];
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const ctx = {
    main,
    alive: () => gen === generation,
    go: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
    reload: () => route(),
  };
  main.replaceChildren(h('p', { class: 'muted loading' }, 'Loading…'));
  try {
    if (parts.length === 0 || (parts[0] === 'orgs' && parts.length === 1)) {
      const mod = await pages.orgs();
      if (gen === generation) await mod.render(ctx);
    } else if (parts[0] === 'api-tokens' && parts.length === 1) {
      const mod = await pages.tokens();
      if (gen === generation) await mod.render(ctx);
    } else if (parts[0] === 'profile' && api.fromSession()) {
      const mod = await pages.profile();
      if (gen === generation) await mod.render(ctx);
    } else if (parts[0] === 'orgs' && /^\d+$/.test(parts[1])) {
      const mod = await pages.org();
      if (gen === generation) await mod.render(ctx, Number(parts[1]), parts[2] || 'overview', parts.slice(3));
    } else {
      main.replaceChildren(
        h('h1', { tabindex: '-1' }, 'Page not found'),
        h('p', null, h('a', { href: '#/orgs' }, 'Back to the organizations')),
      );
    }
  } catch (err) {
    if (gen === generation) main.replaceChildren(errorBox(err));
  }
  if (gen === generation) {
    const h1 = main.querySelector('h1');
    if (h1) h1.setAttribute('tabindex', '-1');
    if (h1 && (document.activeElement === document.body || !document.activeElement)) h1.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => route());
window.addEventListener('orgd:signedout', (e) => signInPage(`You were signed out: ${e.detail}`));
route();
