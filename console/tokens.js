// #/api-tokens: the signed-in person's own API tokens (Make's /users/me/api-tokens): create one with scopes chosen
// from GET /enums/user-api-token-scopes, copy it the one time it is shown, list them masked, revoke one.

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
  orEmpty,
  showError,
  table,
  when,
} from './dom.js';
import * as session from './session.js';

const LIST = '/users/me/api-tokens';

export async function render(ctx) {
  document.title = 'API tokens · orgd console';
  const el = h('div');
  ctx.main.replaceChildren(
    h('h1', null, 'API tokens'),
    h(
      'p',
      { class: 'lead' },
      'Tokens let scripts and Make clients (make-cli, the SDK) call this server as you. ' +
        'A token can hold only scopes that the token this console signed in with holds.',
    ),
    el,
  );
  const page = { el, alive: ctx.alive };
  const loaded = await loadPage(page, () => Promise.all([api.get(LIST), api.cached('/enums/user-api-token-scopes')]), {
    missing: api.lacks('usersRead', 'Listing your API tokens'),
  });
  if (loaded === undefined) return;
  const [list, enumAnswer] = loaded;
  const scopes = (enumAnswer.userApiTokenScopes || []).map((s) => s.name);
  const reveal = h('div', { 'aria-live': 'polite' });
  el.replaceChildren(reveal, createCard(ctx, scopes, reveal), listCard(ctx, list.apiTokens || []));
}

/** The form that creates a token; the new token is shown in `reveal`. */
function createCard(ctx, scopes, reveal) {
  const missing = api.lacks('usersWrite', 'Creating an API token');
  if (missing) return card('Create a token', h('p', { class: 'muted' }, missing));
  const label = h('input', { type: 'text', maxlength: '100', autocomplete: 'off', required: true });
  const held = api.scopes();
  const boxes = scopes.map((name) => {
    const box = h('input', { type: 'checkbox', value: name, disabled: !held.includes(name) });
    const why = held.includes(name) ? null : h('span', { class: 'muted' }, ' (your token lacks it)');
    return h('label', { class: 'check' }, box, ' ', h('code', null, name), why);
  });
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create token');
  const form = h(
    'form',
    { class: 'token-form', novalidate: true },
    field('Label', label, 'What the token is for, e.g. "CI deploy". Up to 100 characters.'),
    h('fieldset', { class: 'scopes' }, h('legend', null, 'Scopes'), boxes),
    errors,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(errors, null);
    const chosen = [...form.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
    try {
      const made = await busy(submit, () => api.post(LIST, { label: label.value, scope: chosen }));
      showOnce(reveal, made.apiToken);
      form.reset();
      await refreshList(ctx);
    } catch (err) {
      if (err.status === 403 && err.detail.startsWith(REAUTH)) askPassword(errors, () => form.requestSubmit());
      else showError(errors, err, 'Not created');
    }
  });
  return card('Create a token', form);
}

/** The server's 403 when the console's session last proved the password more than 15 minutes ago. */
const REAUTH = 'Re-authentication required';

/** Asks for the password again (POST /auth/reauthenticate, by the session cookie), then runs `retry`. */
function askPassword(slot, retry) {
  const pw = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const why = h('div', { class: 'errors' });
  const go = h('button', { type: 'submit', class: 'btn primary' }, 'Confirm password');
  const form = h(
    'form',
    { class: 'reauth-form', novalidate: true },
    h('p', null, 'Creating a token needs your password again: it was last entered more than 15 minutes ago.'),
    field('Password', pw),
    why,
    h('div', { class: 'actions' }, go),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await busy(go, () => session.auth('POST', '/auth/reauthenticate', { password: pw.value }));
    } catch (err) {
      showError(why, err, 'Not confirmed');
      pw.select();
      return;
    }
    slot.replaceChildren();
    retry();
  });
  slot.replaceChildren(form);
  pw.focus();
}

/** The new token, in full, with a copy button: the only time the server shows it. */
function showOnce(reveal, tok) {
  const value = h('input', {
    type: 'text',
    readonly: true,
    value: tok.token,
    class: 'token-value',
    spellcheck: 'false',
  });
  const copy = button('Copy', async () => {
    try {
      await navigator.clipboard.writeText(tok.token);
      flash('Token copied.');
    } catch {
      value.select();
      flash('Copying was refused: the token is selected, copy it with Ctrl+C.', 'warn');
    }
  });
  const done = button('Done', () => reveal.replaceChildren(), 'primary');
  reveal.replaceChildren(
    h(
      'div',
      { class: 'alert ok new-token', role: 'status' },
      h('p', null, h('strong', null, `Token "${tok.label}" created.`), ' Copy it now: it is not shown again.'),
      field('New token', value),
      h('div', { class: 'actions' }, copy, done),
    ),
  );
  value.focus();
  value.select();
}

async function refreshList(ctx) {
  const slot = document.getElementById('token-list');
  if (!slot || !ctx.alive()) return;
  const list = await api.get(LIST);
  if (ctx.alive()) slot.replaceWith(listCard(ctx, list.apiTokens || []));
}

function listCard(ctx, tokens) {
  const mine = (api.token() || '').split('-')[0];
  const canRevoke = !api.lacks('usersWrite', '');
  const rows = tokens.map((t) => {
    const current = mine && t.token.startsWith(`${mine}-`);
    const revoke = canRevoke
      ? button('Revoke', () => revokeToken(ctx, t, current), 'danger small', {
          'aria-label': `Revoke ${t.label || t.token}`,
        })
      : null;
    return [
      t.label || h('span', { class: 'muted' }, '(no label)'),
      h('code', null, t.token),
      t.scope.join(', '),
      h('span', { title: t.created }, when(t.created)),
      [current ? h('span', { class: 'badge' }, 'this console') : null, revoke],
    ];
  });
  const body = orEmpty(tokens, 'You have no API tokens.', () =>
    table(['Label', 'Token', 'Scopes', 'Created', ''], rows, { class: 'tokens' }),
  );
  const section = card('Your tokens', body);
  section.id = 'token-list';
  return section;
}

async function revokeToken(ctx, t, current) {
  const ok = await confirmDialog({
    title: `Revoke "${t.label || t.token}"?`,
    body: [
      'Every client using this token is refused from its next request on. This cannot be undone.',
      current ? 'The console itself signed in with this token: revoking it signs you out.' : null,
    ].filter(Boolean),
    confirmLabel: 'Revoke',
    danger: true,
  });
  if (!ok) return;
  try {
    await api.del(`${LIST}/${encodeURIComponent(t.created)}`);
    flash(`Token "${t.label}" revoked.`);
    if (!current) await refreshList(ctx);
    else ctx.reload();
  } catch (err) {
    flash(err.detail, 'error');
  }
}
