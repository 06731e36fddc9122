// The one way the console talks to orgd: the public /api/v2 endpoints with `Authorization: Token <token>`.
// A pasted token lives in this tab's sessionStorage only: never in a URL, a cookie, storage that outlives the tab, or
// a log. A token minted by a password sign-in's session (session.js) lives in this module's memory only.

const KEY = 'orgd.console.token';
const BASE = '/api/v2';

/** Make's error body {message, detail, code, suberrors} with the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    super(String(b.detail || b.message || `HTTP ${status}`));
    this.status = status;
    this.title = String(b.message || '');
    this.detail = String(b.detail || b.message || `The server answered HTTP ${status}.`);
    this.code = String(b.code || '');
    this.suberrors = Array.isArray(b.suberrors) ? b.suberrors : [];
    this.retryAfter = null;
  }
}

let session = null; // {me, scopes}
let minted = null; // the token the console's session minted (POST /auth/token): memory only
const memo = new Map();

export function token() {
  if (minted) return minted;
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function me() {
  return session?.me;
}

export function scopes() {
  return session?.scopes || [];
}

/** Encodes a query: {'cols[]': ['id', 'name'], 'pg[limit]': 10}; null and undefined values are left out. */
function encode(query) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v === null || v === undefined || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) p.append(k, String(one));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function send(method, path, { query, body, tok } = {}) {
  const t = tok || token();
  if (!t)
    throw new ApiError(401, { message: 'User is not logged in.', detail: 'Sign in with an API token.', code: 'IM015' });
  const headers = { Authorization: `Token ${t}`, Accept: 'application/json' };
  const init = {
    method,
    headers,
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
    referrerPolicy: 'no-referrer',
  };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path + encode(query), init);
  } catch {
    throw new ApiError(0, {
      message: 'Network error',
      detail: 'The server could not be reached. Check that orgd is running.',
      code: 'NETWORK',
    });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 429) err.retryAfter = res.headers.get('Retry-After');
    if (res.status === 401 && !tok) {
      signOut();
      window.dispatchEvent(new CustomEvent('orgd:signedout', { detail: err.detail }));
    }
    throw err;
  }
  return data || {};
}

export const get = (path, query) => send('GET', path, { query });
export const post = (path, body, query) => send('POST', path, { body: body === undefined ? {} : body, query });
export const patch = (path, body) => send('PATCH', path, { body });
export const del = (path, query) => send('DELETE', path, { query });

/** A GET remembered for the rest of the session (enums, roles, the price list). */
export function cached(path, query) {
  const key = path + encode(query);
  if (!memo.has(key)) {
    const p = get(path, query);
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return memo.get(key);
}

/** Checks a token and keeps it for this tab: in sessionStorage when pasted, in memory when a session minted it. */
export async function signIn(tok, fromSession = false) {
  const who = await send('GET', '/users/me', { tok });
  const auth = await send('GET', '/users/me/current-authorization', { tok });
  if (fromSession) minted = tok;
  else sessionStorage.setItem(KEY, tok);
  session = { me: who.authUser, scopes: auth.authorization?.scope || [] };
  return session;
}

/** Restores the session of this tab after a reload. */
export async function resume() {
  if (!token()) return null;
  const who = await get('/users/me');
  const auth = await get('/users/me/current-authorization');
  session = { me: who.authUser, scopes: auth.authorization?.scope || [] };
  return session;
}

/** Whether the token in use came from a password sign-in's session. */
export function fromSession() {
  return minted !== null;
}

export function signOut() {
  minted = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* storage unavailable: nothing kept */
  }
  session = null;
  memo.clear();
}

// The scopes each group of endpoints accepts (any one of them suffices), as the OpenAPI document lists them.
export const NEEDS = {
  orgsRead: ['organizations:read'],
  orgsWrite: ['organizations:write'],
  orgCreate: ['organizations:write', 'admin:write'],
  usersRead: ['user:read'],
  usersWrite: ['user:write'],
  teamsRead: ['teams:read'],
  teamsWrite: ['teams:write'],
  varsRead: ['organization-variables:read', 'organizations-variables:read'],
  varsWrite: ['organization-variables:write', 'organizations-variables:write'],
  transfer: ['organization:read', 'organizations:read'],
  featuresWrite: ['organizations:write', 'organization:read'],
};

/** Null when the token has one of the scopes of `need`, else a sentence saying what is missing. */
export function lacks(need, what) {
  const want = NEEDS[need] || [need];
  const have = scopes();
  if (want.some((s) => have.includes(s))) return null;
  const held = have.length ? have.join(', ') : 'no scopes';
  return `${what} needs an API token with the scope ${want.join(' or ')}; this token has ${held}.`;
}

// Role names and permissions for tokens without user:read (GET /users/roles needs it); the same table the server
// serves from src/domain/roles.rs.
const FALLBACK_ROLES = [
  [
    11,
    'Owner',
    'organization',
    [
      'access all teams',
      'organization app install',
      'organization delete',
      'organization edit',
      'organization user add and edit',
      'organization view',
      'payment edit',
      'payments get',
      'team add',
    ],
  ],
  [
    12,
    'Admin',
    'organization',
    [
      'organization app install',
      'organization delete',
      'organization edit',
      'organization user add and edit',
      'organization view',
      'payment edit',
      'payments get',
      'team add',
    ],
  ],
  [13, 'Member', 'organization', ['organization view']],
  [14, 'Accountant', 'organization', ['organization view', 'payments get']],
  [15, 'App Developer', 'organization', ['organization view', 'organization app install']],
  [1, 'Team Admin', 'team', []],
  [3, 'Team Member', 'team', []],
  [4, 'Team Monitoring', 'team', []],
  [5, 'Team Restricted Member', 'team', []],
  [6, 'Team Operator', 'team', []],
].map(([id, name, category, permissions]) => ({ id, name, category, permissions }));

/** Every role with its permissions: from GET /users/roles, or the built-in table without user:read. */
export async function roles() {
  if (lacks('usersRead', '')) return FALLBACK_ROLES;
  const r = await cached('/users/roles');
  return r.usersRoles || FALLBACK_ROLES;
}

export function roleName(list, id) {
  const r = list.find((x) => x.id === id);
  return r ? r.name : `Role ${id}`;
}

/** Timezone id → IANA name, from GET /enums/timezones. */
export async function timezoneCode(id) {
  try {
    const r = await cached('/enums/timezones');
    const tz = (r.timezones || []).find((t) => t.id === id);
    return tz ? tz.code : 'Etc/UTC';
  } catch {
    return 'Etc/UTC';
  }
}
