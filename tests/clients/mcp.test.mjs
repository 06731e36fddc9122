// orgd's MCP endpoint with the official MCP client (@modelcontextprotocol/sdk, Streamable HTTP) over orgd's own
// HTTPS: the tools are the pinned SDK's definitions (names, titles, descriptions, annotations, input schemas) plus
// orgd's own, a token sees and may call only what its scopes allow, both of Make's URL forms work, and a call
// answers what the REST call answers. Also checks src/mcp/make-tools.json against the pinned SDK.
//
// Run with ./run.sh (see there).

import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { SERVED, TOOLS_FILE, servedTools, toolsFileText } from './export-mcp-tools.mjs';
import { BOOTSTRAP_TOKEN, CZECHIA, PRAGUE, REGION, addUser, rawCall, startOrgd } from './harness.mjs';

let server;

before(async () => {
    server = await startOrgd('mcp');
});

after(async () => {
    await server?.stop();
});

/** A connected MCP client: `/mcp/stateless` with `Authorization: <scheme> <token>`, or the token in the path. */
async function connect(token, { scheme = 'Bearer', inPath = false } = {}) {
    const url = inPath
        ? new URL(`https://${server.zone}/mcp/u/${token}/stateless`)
        : new URL(`https://${server.zone}/mcp/stateless`);
    const requestInit = inPath ? {} : { headers: { Authorization: `${scheme} ${token}` } };
    const client = new Client({ name: 'orgd-mcp-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
    return client;
}

describe('make-tools.json', () => {
    it('is what the pinned SDK exports for the tools orgd serves', () => {
        assert.equal(readFileSync(TOOLS_FILE, 'utf8'), toolsFileText(), 'run node tests/clients/export-mcp-tools.mjs');
    });
});

describe('MCP over Streamable HTTP', () => {
    let tools;

    it('lists the SDK tools with identical definitions, then orgd tools', async () => {
        const client = await connect(BOOTSTRAP_TOKEN);
        tools = (await client.listTools()).tools;
        await client.close();
        const byName = new Map(tools.map((t) => [t.name, t]));
        for (const def of servedTools()) {
            const t = byName.get(def.name);
            assert.ok(t, `${def.name} listed`);
            assert.deepEqual(t.inputSchema, def.inputSchema, def.name);
            assert.equal(t.title, def.title, def.name);
            assert.equal(t.description, def.description, def.name);
            assert.deepEqual(t.annotations, def.annotations, def.name);
        }
        for (const own of ['organization-variables_create', 'organizations_invite', 'audit-logs_list']) {
            assert.ok(byName.get(own)?.inputSchema?.properties?.organizationId, own);
        }
        console.log(`# MCP tools: ${tools.length} (${SERVED.length} from the SDK, ${tools.length - SERVED.length} orgd's)`);
    });

    it('creates an organization through organizations_create and reads it back, as REST answers', async () => {
        const client = await connect(BOOTSTRAP_TOKEN, { scheme: 'Token' });
        const created = await client.callTool({
            name: 'organizations_create',
            arguments: { name: 'Made over MCP', regionId: REGION, timezoneId: PRAGUE, countryId: CZECHIA },
        });
        assert.notEqual(created.isError, true, JSON.stringify(created));
        const id = created.structuredContent.organization.id;
        assert.deepEqual(JSON.parse(created.content[0].text), created.structuredContent);
        const got = await client.callTool({ name: 'organizations_get', arguments: { organizationId: id } });
        const rest = await rawCall(server, 'GET', `/organizations/${id}`, BOOTSTRAP_TOKEN);
        assert.deepEqual(got.structuredContent, rest.body);
        const teams = await client.callTool({ name: 'teams_list', arguments: { organizationId: id } });
        assert.equal(teams.structuredContent.teams[0].organizationId, id);
        const missing = await client.callTool({ name: 'organizations_get', arguments: { organizationId: 999999 } });
        assert.equal(missing.isError, true);
        assert.equal(missing.structuredContent.code, 'SC404');
        const bad = await client.callTool({ name: 'teams_create', arguments: { organizationId: id } });
        assert.equal(bad.isError, true);
        assert.deepEqual(bad.structuredContent.suberrors.map((s) => s.path), ['name']);
        await client.close();
    });

    it('shows a read-only token only read tools and refuses the others', async () => {
        const token = await addUser(server, 'reader@example.com', ['organizations:read', 'teams:read', 'user:read']);
        const client = await connect(token, { inPath: true });
        const seen = (await client.listTools()).tools;
        assert.ok(seen.length > 5 && seen.length < tools.length, `${seen.length} of ${tools.length}`);
        for (const t of seen) assert.equal(t.annotations?.readOnlyHint, true, `${t.name} is a read tool`);
        assert.ok(seen.some((t) => t.name === 'organizations_list'));
        const listed = await client.callTool({ name: 'organizations_list', arguments: {} });
        assert.deepEqual(listed.structuredContent.organizations, []);
        const refused = await client.callTool({
            name: 'organizations_create',
            arguments: { name: 'No', regionId: REGION, timezoneId: PRAGUE, countryId: CZECHIA },
        });
        assert.equal(refused.isError, true);
        assert.equal(refused.structuredContent.code, 'SC403');
        await client.close();
    });

    it("answers 401 in Make's body without a valid token", async () => {
        for (const headers of [{}, { authorization: 'Bearer 0f3c1c8e-5d0e-4c8e-9a57-5b8e0c4f2a11' }]) {
            const res = await fetch(`https://${server.zone}/mcp/stateless`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
                body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
            });
            assert.equal(res.status, 401);
            assert.equal((await res.json()).code, 'IM015');
        }
    });
});
