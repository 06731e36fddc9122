// The official SDK's privateSpaces (list, get, update; @makehq/sdk 1.6.10, unchanged) against a fresh orgd over
// orgd's own HTTPS, as sdk.test.mjs runs the rest of it. orgd's default self-hosted plan licenses private spaces;
// the SDK has no call for the organization's private-space settings, so auto-creation is switched on over HTTP.
//
// The SDK's private-space MCP tools (src/mcp/make-tools.json) are called too, through orgd's MCP endpoint.
//
// Run with ./run.sh (see there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Make, MakeError } from '@makehq/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { BOOTSTRAP_TOKEN, CZECHIA, PRAGUE, REGION, addUser, bookSpaceUsage, join, rawCall, startOrgd } from './harness.mjs';

let server;
let make;

before(async () => {
    server = await startOrgd('sdk-private-spaces');
    make = new Make(BOOTSTRAP_TOKEN, server.zone);
});

after(async () => {
    await server?.stop();
});

/** Awaits `promise`, expects a MakeError with `status`, returns it. */
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

describe('Integration: Private spaces', () => {
    let organizationId;
    let spaceId;
    let member;

    it('Should give a member who joins a private space', async () => {
        const org = await make.organizations.create({
            name: 'SDK Private Spaces',
            regionId: REGION,
            timezoneId: PRAGUE,
            countryId: CZECHIA,
        });
        organizationId = org.id;
        const settings = { privateSpacesAutoCreationEnabled: true, defaultOperationsLimit: 1000 };
        const set = await rawCall(server, 'PATCH', `/organizations/${organizationId}/private-spaces-settings`, BOOTSTRAP_TOKEN, settings);
        assert.equal(set.status, 200, JSON.stringify(set.body));
        const token = await addUser(server, 'becca@example.com');
        await join(server, organizationId, 'becca@example.com', token, 13);
        member = new Make(token, server.zone);
    });

    it('Should list private spaces', async () => {
        const spaces = await make.privateSpaces.list(organizationId);
        assert.equal(spaces.length, 1);
        const [space] = spaces;
        assert.equal(space.type, 'personal');
        assert.equal(space.privateSpaceOwnerEmail, 'becca@example.com');
        assert.equal(space.operationsLimit, 1000);
        assert.equal(typeof space.transferLimit, 'string', 'a string on list, as Make sends it');
        assert.equal(typeof space.consumedTransfer, 'string');
        spaceId = space.id;
        assert.deepEqual(await make.privateSpaces.list(organizationId, { externalId: 'nobody' }), []);
        const named = await make.privateSpaces.list(organizationId, { cols: ['id', 'name'], pg: { sortBy: 'name', limit: 1 } });
        assert.deepEqual(Object.keys(named[0]), ['id', 'name']);
    });

    it('Should get a private space, for its owner too, and 404 for other members', async () => {
        const space = await make.privateSpaces.get(spaceId);
        assert.equal(space.id, spaceId);
        const own = await member.privateSpaces.get(spaceId, { cols: ['*'] });
        assert.equal(own.operations, '0', 'cols[]=* adds operations, transfer and centicredits');
        await expectMakeError(member.privateSpaces.list(organizationId), 403);
        const otherToken = await addUser(server, 'other@example.com');
        await join(server, organizationId, 'other@example.com', otherToken, 13);
        await expectMakeError(new Make(otherToken, server.zone).privateSpaces.get(spaceId), 404);
    });

    it('Should update a private space, confirming a limit below its use', async () => {
        await bookSpaceUsage(server, organizationId, spaceId, 250);
        assert.equal((await make.privateSpaces.get(spaceId)).consumedOperations, 250);
        const err = await expectMakeError(make.privateSpaces.update(spaceId, { operationsLimit: 100 }), 406);
        assert.match(err.message, /confirmed/);
        const paused = await make.privateSpaces.update(spaceId, { operationsLimit: 100 }, { confirmed: true });
        assert.equal(paused.operationsLimit, 100);
        assert.equal(paused.isPaused, true);
        assert.equal(typeof paused.transferLimit, 'number', 'a number in the PATCH answer, as Make sends it');
        const unlimited = await make.privateSpaces.update(spaceId, { operationsLimit: null });
        assert.equal(unlimited.operationsLimit, null);
        assert.equal(unlimited.isPaused, false);
    });

    it('Should serve the SDK private-space tools over MCP', async () => {
        const url = new URL(`https://${server.zone}/mcp/stateless`);
        const requestInit = { headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}` } };
        const client = new Client({ name: 'orgd-private-spaces-test', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const n of ['private-spaces_list', 'private-spaces_get', 'private-spaces_update']) assert.ok(names.includes(n), n);
        const listed = await client.callTool({ name: 'private-spaces_list', arguments: { organizationId } });
        assert.equal(listed.isError ?? false, false, JSON.stringify(listed));
        assert.equal(listed.structuredContent.privateSpaces[0].id, spaceId);
        const refused = await client.callTool({ name: 'private-spaces_update', arguments: { privateSpaceId: spaceId, operationsLimit: 1 } });
        assert.equal(refused.isError, true, 'below use, unconfirmed');
        assert.equal(refused.structuredContent?.code ?? JSON.parse(refused.content[0].text).code, 'IM004');
        const done = await client.callTool({
            name: 'private-spaces_update',
            arguments: { privateSpaceId: spaceId, operationsLimit: 1, confirmed: true },
        });
        assert.equal(done.structuredContent.privateSpace.isPaused, true);
        await client.close();
    });
});
