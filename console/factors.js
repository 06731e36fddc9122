// Two-factor in the console (docs/two-factor.md): the code after the password, enrolment (QR code from orgd's own
// origin, the secret as text, a first code, the recovery codes shown once), the profile's two-factor card, and
// the single-sign-on button of the sign-in page (docs/sso.md).

import { busy, errorBox, field, flash, h, notice } from './dom.js';
import * as session from './session.js';

/** A code field: six digits from the app, or (with `recovery`) a recovery code. */
function codeInput(recovery = false) {
  return recovery
    ? h('input', { type: 'text', name: 'code', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' })
    : h('input', {
        type: 'text',
        name: 'code',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9 ]*',
        maxlength: '7',
      });
}

/** A form posting `{code}` to `path`; `onAccepted(answer)` runs on success. */
function codeForm({ path, label, hint, button, onAccepted, recoveryToggle = false }) {
  let recovery = false;
  const slot = h('div');
  const errors = h('div', { class: 'errors' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, button);
  let input;
  const show = () => {
    input = codeInput(recovery);
    const text = recovery ? 'Recovery code' : label;
    const help = recovery ? 'One of the recovery codes you saved; each works once.' : hint;
    slot.replaceChildren(field(text, input, help));
  };
  show();
  const toggle = recoveryToggle
    ? h('button', { type: 'button', class: 'btn link' }, 'Use a recovery code instead')
    : null;
  toggle?.addEventListener('click', () => {
    recovery = !recovery;
    toggle.textContent = recovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
    show();
    input.focus();
  });
  const form = h(
    'form',
    { class: 'signin-form', method: 'post', action: '/console', novalidate: true },
    slot,
    errors,
    h('div', { class: 'actions' }, submit, toggle),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const code = input.value.trim();
    if (!code) {
      errors.append(errorBox({ detail: 'Enter the code first.' }));
      input.focus();
      return;
    }
    try {
      const answer = await busy(submit, () => session.auth('POST', path, { code }));
      input.value = '';
      await onAccepted(answer);
    } catch (err) {
      input.value = '';
      errors.append(errorBox(err, 'The code was not accepted'));
      input.focus();
    }
  });
  return form;
}

/** Enters the console once the session is at `full`: a fresh token from the session. */
async function enter(done) {
  const state = await session.resume();
  if (state?.next === 'console') done();
  else throw new Error('The session is not signed in yet; sign in again.');
}

function signOutButton(out) {
  const b = h('button', { type: 'button', class: 'btn' }, 'Cancel and sign out');
  b.addEventListener('click', () => busy(b, out));
  return b;
}

/** The page after the password when the session owes a second factor. */
export function codePage(main, { done, out }) {
  document.title = 'Two-factor authentication · orgd console';
  const form = codeForm({
    path: '/auth/second-factor',
    label: 'Authentication code',
    hint: 'The 6-digit code your authenticator app shows for orgd.',
    button: 'Verify',
    recoveryToggle: true,
    onAccepted: () => enter(done),
  });
  main.replaceChildren(
    h(
      'div',
      { class: 'signin' },
      h('h1', { tabindex: '-1' }, 'Two-factor authentication'),
      h('p', { class: 'lead' }, 'Your password was right. One more step: a code from your authenticator app.'),
      form,
      h('div', { class: 'actions' }, signOutButton(out)),
    ),
  );
  form.querySelector('input').focus();
}

/** The recovery codes, shown once, with a copy button; `onContinue` when the person has saved them. */
function recoveryCodes(codes, onContinue) {
  const text = codes.join('\n');
  const copy = h('button', { type: 'button', class: 'btn' }, 'Copy the codes');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      flash('The recovery codes were copied.');
    } catch {
      flash('Copying was refused by the browser: select the codes and copy them.', 'warn');
    }
  });
  const next = h('button', { type: 'button', class: 'btn primary' }, 'I saved them, continue');
  next.addEventListener('click', () => busy(next, onContinue));
  return h(
    'section',
    { class: 'recovery-codes', 'aria-labelledby': 'recovery-title' },
    h('h2', { id: 'recovery-title', tabindex: '-1' }, 'Recovery codes'),
    notice('Save these codes now: they are shown only this once. Each signs you in once without the app.', 'warn'),
    h('ul', { class: 'codes', 'aria-label': 'Recovery codes' }, ...codes.map((c) => h('li', null, h('code', null, c)))),
    h('div', { class: 'actions' }, copy, next),
  );
}

/** Enrolment into `slot`: a new secret, its QR code and text, the first code, then the recovery codes. */
async function enrol(slot, onContinue) {
  const e = await session.auth('POST', '/auth/tfa/enrol');
  const show = (codes) => {
    slot.replaceChildren(recoveryCodes(codes, onContinue));
    slot.querySelector('h2').focus();
  };
  const form = codeForm({
    path: '/auth/tfa/confirm',
    label: 'Code from the app',
    hint: 'The 6-digit code the app shows after you added orgd.',
    button: 'Turn on two-factor',
    onAccepted: (answer) => show(answer.recoveryCodes),
  });
  slot.replaceChildren(
    h('p', null, 'Scan this QR code with an authenticator app, or type the key into it.'),
    // A fresh address each time: the image is the pending secret's, which changes with every enrolment.
    h('img', {
      class: 'tfa-qr',
      src: `${e.qr}?${Date.now()}`,
      alt: 'QR code of the two-factor secret',
      width: 200,
      height: 200,
    }),
    field('Key', h('input', { type: 'text', readonly: true, value: e.secret, class: 'mono', spellcheck: 'false' })),
    form,
  );
}

/** The only page of a session at `enrol`: an organization of the person requires two-factor. */
export async function enrolPage(main, { done, out }) {
  document.title = 'Set up two-factor authentication · orgd console';
  const slot = h('div');
  main.replaceChildren(
    h(
      'div',
      { class: 'signin' },
      h('h1', { tabindex: '-1' }, 'Set up two-factor authentication'),
      notice('An organization you belong to requires two-factor authentication before you can continue.', 'warn'),
      slot,
      h('div', { class: 'actions' }, signOutButton(out)),
    ),
  );
  main.querySelector('h1').focus();
  try {
    await enrol(slot, () => enter(done));
  } catch (err) {
    slot.replaceChildren(errorBox(err, 'Enrolment could not start'));
  }
}

/** The profile's two-factor card. */
export async function profileCard(ctx) {
  const tfa = await session.auth('GET', '/auth/tfa');
  const body = h('div');
  const card = h('section', { class: 'card', id: 'two-factor' }, h('h2', null, 'Two-factor authentication'), body);
  if (tfa.tfaStatus !== 1) {
    const start = h('button', { type: 'button', class: 'btn primary' }, 'Set up two-factor authentication');
    start.addEventListener('click', () =>
      busy(start, () => enrol(body, async () => ctx.reload())).catch((err) => body.append(errorBox(err))),
    );
    body.append(h('p', null, 'Off: signing in needs only your password.'), h('div', { class: 'actions' }, start));
    return card;
  }
  body.append(
    h('p', null, `On. Recovery codes left: ${tfa.recoveryCodesLeft}.`),
    h('h3', null, 'New recovery codes'),
    codeForm({
      path: '/auth/tfa/recovery-codes',
      label: 'Current code for new recovery codes',
      hint: 'The old recovery codes stop working.',
      button: 'New recovery codes',
      onAccepted: (answer) => body.replaceChildren(recoveryCodes(answer.recoveryCodes, async () => ctx.reload())),
    }),
    h('h3', null, 'Turn off'),
    tfa.required
      ? notice('An organization you belong to requires two-factor authentication: it cannot be turned off.')
      : codeForm({
          path: '/auth/tfa/disable',
          label: 'Current code to turn off',
          button: 'Turn off two-factor',
          onAccepted: () => {
            flash('Two-factor authentication is off.');
            ctx.reload();
          },
        }),
  );
  return card;
}

/** The single-sign-on button when orgd has a provider (`--oidc-issuer`), else nothing. A link, not a form: the
 * console's CSP (`form-action 'self'`) would stop a form's redirect to the provider. */
export async function ssoButton() {
  const sso = await session.auth('GET', '/auth/oidc').catch(() => ({ enabled: false }));
  if (!sso.enabled) return null;
  return h('p', { class: 'sso' }, h('a', { class: 'btn sso-link', href: sso.start, id: 'sso' }, sso.label));
}
