// Password sign-in: the session cookie (HttpOnly, so this script never sees it) is sent only to /auth/*, and
// POST /auth/token turns it into an API token held in memory (api.js), sent to /api/v2 like any other token.
// The browser adds Origin to these POSTs; orgd refuses them from any other origin (docs/people.md).

import * as api from './api.js';

export async function auth(method, path, body) {
  const init = {
    method,
    headers: { Accept: 'application/json' },
    cache: 'no-store',
    credentials: 'same-origin',
    redirect: 'error',
    referrerPolicy: 'no-referrer',
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new api.ApiError(0, { message: 'Network error', detail: 'The server could not be reached.' });
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = new api.ApiError(res.status, data);
    if (res.status === 429) err.retryAfter = res.headers.get('Retry-After');
    throw err;
  }
  return data || {};
}

/** Mints the console's token from the session and signs the console in with it, unless the session
 * is at another step (`next` says which). */
async function enter(state) {
  if (state.next !== 'console') return state;
  const { token } = await auth('POST', '/auth/token');
  await api.signIn(token, true);
  return state;
}

/** E-mail and password: opens a session, then enters the console when no other step is owed. */
export async function signIn(email, password) {
  return enter(await auth('POST', '/auth/sign-in', { email, password }));
}

/** After a reload: a live session cookie gives a fresh token; null without one. */
export async function resume() {
  const state = await auth('GET', '/auth/session');
  return state.signedIn ? enter(state) : null;
}

/** Ends the session on the server (its tokens with it). */
export async function signOut() {
  try {
    await auth('POST', '/auth/sign-out');
  } finally {
    api.signOut();
  }
}
