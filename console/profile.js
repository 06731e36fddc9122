// #/profile, for a person signed in with a password: a password change (the current one needed; other
// sessions end) and the list of their sessions with "Sign out everywhere".

import * as api from './api.js';
import { busy, errorBox, field, flash, h } from './dom.js';
import { profileCard as twoFactorCard } from './factors.js';
import * as session from './session.js';

export async function render(ctx) {
  document.title = 'Profile · orgd console';
  const { sessions } = await session.auth('GET', '/auth/sessions');
  const twoFactor = await twoFactorCard(ctx);
  if (!ctx.alive()) return;
  ctx.main.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Profile'),
    h('p', { class: 'lead' }, `${api.me().name} · ${api.me().email}`),
    passwordCard(ctx),
    twoFactor,
    sessionsCard(sessions),
  );
}

function passwordCard(ctx) {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Change password');
  const form = h(
    'form',
    { class: 'card', method: 'post', action: '/console', novalidate: true },
    h('h2', null, 'Password'),
    field('Current password', current),
    field('New password', next, '12 to 128 characters. Your other sessions end when it changes.'),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    try {
      const body = { currentPassword: current.value, newPassword: next.value };
      const done = await busy(submit, () => session.auth('POST', '/auth/password', body));
      flash(`Password changed. ${done.endedSessions} other session(s) ended.`);
      ctx.reload();
    } catch (err) {
      errors.append(errorBox(err, 'The password was not changed'));
    }
  });
  return form;
}

function sessionsCard(sessions) {
  const rows = sessions.map((s) =>
    h(
      'tr',
      null,
      h('td', null, s.userAgent || 'unknown browser', s.current ? ' (this one)' : ''),
      h('td', null, s.created),
      h('td', null, s.lastSeen),
    ),
  );
  const out = h('button', { type: 'button', class: 'btn' }, 'Sign out everywhere');
  out.addEventListener('click', async () => {
    await busy(out, () => session.auth('POST', '/auth/sign-out-everywhere'));
    api.signOut();
    window.dispatchEvent(new CustomEvent('orgd:signedout', { detail: 'every session of yours was ended.' }));
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'Sessions'),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', null, 'Browser'), h('th', null, 'Signed in'), h('th', null, 'Last seen'))),
      h('tbody', null, ...rows),
    ),
    h('div', { class: 'actions' }, out),
  );
}
