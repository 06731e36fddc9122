// Make's API-token endpoints (/users/me/api-tokens) driven by Make's own clients over orgd's HTTPS. Neither the
// pinned SDK (1.6.10) nor its repository's main branch (integromat/make-typescript-sdk @ 4654ed6) nor make-cli
// has a method for them, so the token is created, listed and deleted with the SDK's public `make.fetch` (the
// SDK's own request path: its headers, body encoding and MakeError), and then used, unchanged, by
// `new Make(token, zone)` and by make-cli `--api-key`, which must be refused once it is deleted.
//
// Run with ./run.sh (see there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Make, MakeError } from '@makehq/sdk';

import { BOOTSTRAP_TOKEN, addUser, explain, makeCli, startOrgd } from './harness.mjs';

let server;
let make;

before(async () => {
    server = await startOrgd('api-tokens');
    make = new Make(BOOTSTRAP_TOKEN, server.zone);
});

after(async () => {
    await server?.stop();
});

async function expectMakeError(promise, status) {
    let error;
    try {
        await promise;
    } catch (e) {
        error = e;
    }
    assert.ok(error instanceof MakeError, `expected a MakeError ${status}, got ${error?.name}: ${error?.message}`);
    assert.equal(error.statusCode, status, `status (message: ${error.message})`);
    return error;
}

describe('API tokens through the SDK and make-cli', () => {
    let made;

    it('the scope enum lists the scopes a token may hold', async () => {
        const answer = await make.fetch('/enums/user-api-token-scopes');
        const names = answer.userApiTokenScopes.map((s) => s.name);
        for (const s of ['organizations:read', 'teams:read', 'user:read', 'user:write', 'admin:write']) {
            assert.ok(names.includes(s), `${s} in ${names}`);
        }
    });

    it('creates a token: answered in full once, with its label, scopes and creation time', async () => {
        const body = { label: 'sdk test', scope: ['organizations:read', 'user:read'] };
        made = (await make.fetch('/users/me/api-tokens', { method: 'POST', body })).apiToken;
        assert.match(made.token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.deepEqual(made.scope, body.scope);
        assert.equal(made.label, 'sdk test');
        assert.match(made.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('the new token works in the SDK and in make-cli, within its scopes', async () => {
        const mine = new Make(made.token, server.zone);
        assert.equal((await mine.users.me()).email, 'admin@localhost');
        assert.deepEqual((await mine.users.currentAuthorization()).scope, made.scope);
        assert.ok(Array.isArray(await mine.organizations.list()));
        await expectMakeError(mine.organizations.create({ name: 'x', regionId: 1, timezoneId: 113, countryId: 1 }), 403);
        const args = ['users', 'me'];
        const r = await makeCli(server, args, { token: made.token });
        assert.equal(r.code, 0, explain(server, args, r));
        assert.equal(JSON.parse(r.stdout).email, 'admin@localhost');
    });

    it('lists it masked: the first segment only', async () => {
        const list = (await make.fetch('/users/me/api-tokens')).apiTokens;
        const mine = list.find((t) => t.created === made.created);
        assert.ok(mine, JSON.stringify(list));
        assert.equal(mine.token, `${made.token.split('-')[0]}-****-****-****-************`);
        assert.equal(mine.label, 'sdk test');
        assert.ok(!JSON.stringify(list).includes(made.token.slice(9)), 'no list shows more than the first segment');
    });

    it('refuses a scope the calling token lacks, and an unknown one, in Make error format', async () => {
        const narrow = await addUser(server, 'narrow@example.com', ['user:read', 'user:write']);
        const sdk = new Make(narrow, server.zone);
        const wider = { label: 'wider', scope: ['organizations:write'] };
        const e = await expectMakeError(sdk.fetch('/users/me/api-tokens', { method: 'POST', body: wider }), 403);
        assert.match(e.message, /organizations:write/);
        const unknown = { label: 'odd', scope: ['scenarios:run'] };
        const bad = await expectMakeError(sdk.fetch('/users/me/api-tokens', { method: 'POST', body: unknown }), 400);
        assert.match(bad.message, /unknown scope/);
    });

    it('deletes it by its creation time; the SDK and make-cli are refused from then on', async () => {
        const path = `/users/me/api-tokens/${encodeURIComponent(made.created)}`;
        const deleted = await make.fetch(path, { method: 'DELETE' });
        assert.equal(deleted.apiToken, `${made.token.split('-')[0]}-****-****-****-************`);
        await expectMakeError(new Make(made.token, server.zone).users.me(), 401);
        const args = ['users', 'me'];
        const r = await makeCli(server, args, { token: made.token });
        assert.equal(r.code, 2, explain(server, args, r));
        assert.match(r.stderr, /^Error \[401\]: Invalid or revoked API token\./, explain(server, args, r));
        const list = (await make.fetch('/users/me/api-tokens')).apiTokens;
        assert.ok(!list.some((t) => t.created === made.created), 'no longer listed');
        await expectMakeError(make.fetch(path, { method: 'DELETE' }), 404);
    });
});
