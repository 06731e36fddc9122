// A real OpenID Provider for orgd's single-sign-on tests: panva's oidc-provider (OpenID Certified), pinned in
// package-lock.json, on 127.0.0.1 at a free port, with one static client (confidential, PKCE required).
//
//   node provider.mjs            then write one line to its stdin: the client's redirect URI
//
// prints one line `issuer http://127.0.0.1:<port>` on stdout once it listens (the issuer is needed to start orgd,
// whose callback address is known only once orgd listens: hence the redirect URI afterwards, on stdin), serves
// once it has read the redirect URI, and runs until stdin closes or it is killed. The client is `orgd` with the
// secret `orgd-test-secret`.
//
// Who signs in: account `sub-<e-mail>` (or an id typed on the login page) is the person with that e-mail, verified.
// With AUTO_LOGIN=1 (the Rust tests, which drive it with an HTTP client) the login and consent pages complete by
// themselves as the account last set with `POST /_test/next-login` ({"email", "emailVerified", "amr"}); without
// it (the browser tests) the provider's own development pages ask for a login, any password, and "Continue".
import http from 'node:http';
import readline from 'node:readline';
import Provider from 'oidc-provider';

let next = { email: 'ann@example.com', emailVerified: true, amr: undefined };
// The account id is the `sub`; the provider signs people in as `sub-<e-mail>` (so that `sub` and e-mail differ,
// as they do at real providers), or as whatever is typed on its development login page.
const claimsOf = (id) => {
  const bare = id.replace(/^sub-/, '');
  const email = bare.includes('@') ? bare : `${bare}@example.test`;
  const verified = email === next.email ? next.emailVerified : true;
  return { sub: id, email, email_verified: verified, name: email.split('@')[0] };
};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
console.log(`issuer ${issuer}`);

const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const first = await stdin.next();
const redirectUri = first.done ? '' : first.value.trim();
if (!redirectUri) {
  console.error('expected the redirect URI on stdin');
  process.exit(2);
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'orgd',
    client_secret: 'orgd-test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  // The scope's claims go into the ID token as well (as Google's and most providers' do), not only user-info.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
  pkce: { required: () => true },
  features: { devInteractions: { enabled: process.env.AUTO_LOGIN !== '1' } },
  cookies: { keys: ['orgd-test-only'] },
});

// The test's control: who signs in next (AUTO_LOGIN), with which `amr`.
provider.use(async (ctx, next_) => {
  if (ctx.path !== '/_test/next-login' || ctx.method !== 'POST') return next_();
  const body = await new Promise((resolve) => {
    let data = '';
    ctx.req.on('data', (c) => { data += c; });
    ctx.req.on('end', () => resolve(JSON.parse(data || '{}')));
  });
  next = { email: body.email, emailVerified: body.emailVerified !== false, amr: body.amr };
  ctx.status = 204;
});

if (process.env.AUTO_LOGIN === '1') {
  provider.use(async (ctx, next_) => {
    if (!ctx.path.startsWith('/interaction/')) return next_();
    const d = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (d.prompt.name === 'login') {
      result = { login: { accountId: `sub-${next.email}`, ...(next.amr ? { amr: next.amr } : {}) } };
    } else {
      const grant = d.grantId ? await provider.Grant.find(d.grantId)
        : new provider.Grant({ accountId: d.session.accountId, clientId: d.params.client_id });
      if (d.prompt.details.missingOIDCScope) grant.addOIDCScope(d.prompt.details.missingOIDCScope.join(' '));
      if (d.prompt.details.missingOIDCClaims) grant.addOIDCClaims(d.prompt.details.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    // interactionResult (not interactionFinished, which writes the answer itself behind Koa's back and breaks a
    // kept-alive connection) gives the URL to go back to; Koa sends the redirect.
    ctx.status = 303;
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
  });
}

server.on('request', provider.callback());
console.log('ready');
// Exits when stdin closes: the test's end, or the test process gone.
while (!(await stdin.next()).done) { /* further lines are ignored */ }
process.exit(0);
