// make-cli (npm @makehq/cli, unchanged) against a fresh orgd over orgd's own HTTPS.
//
// Every command runs node_modules/.bin/make-cli as a child process with `--zone localhost:PORT --api-key TOKEN`
// and NODE_EXTRA_CA_CERTS=<the test CA>. make-cli prints results as pretty JSON by default (`--output json`; also
// `compact` and `table`), "Error [STATUS]: <detail or message>" on stderr with exit code 2 for API errors, and
// "Error: <message>" with exit code 1 for anything else (src/commands.ts of integromat/make-cli, bundled in
// node_modules/@makehq/cli/dist/index.js). Its commands are the SDK's tools (@makehq/sdk/tools).
//
// Run with ./run.sh, which makes the CA and certificate and sets the environment (see there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';

import {
    BOOTSTRAP_EMAIL,
    BOOTSTRAP_TOKEN,
    CZECHIA,
    OWNER_ROLE,
    PRAGUE,
    REGION,
    explain,
    makeCli,
    rawError,
    startOrgd,
} from './harness.mjs';

let server;

before(async () => {
    server = await startOrgd('make-cli');
});

after(async () => {
    await server?.stop();
});

/** Runs make-cli, expects exit 0 and an empty stderr, and returns stdout. */
async function cliText(...args) {
    const r = await makeCli(server, args);
    assert.equal(r.code, 0, explain(server, args, r));
    assert.equal(r.stderr, '', explain(server, args, r));
    return r.stdout;
}

/** Runs make-cli with its default output format and returns the parsed JSON. */
async function cli(...args) {
    const out = await cliText(...args);
    try {
        return JSON.parse(out);
    } catch (e) {
        assert.fail(`make-cli ${args.join(' ')} did not print JSON (${e.message}):\n${out}`);
    }
}

/** Runs make-cli expecting an API error: exit 2, nothing on stdout. Returns stderr. */
async function cliApiError(...args) {
    const r = await makeCli(server, args);
    assert.equal(r.code, 2, explain(server, args, r));
    assert.equal(r.stdout, '', explain(server, args, r));
    return r.stderr;
}

/**
 * What make-cli prints for an orgd error body: the SDK's MakeError message is `detail` when it is a string, else
 * `message`, followed by one " - <suberror message>" line per suberror (createMakeError in @makehq/sdk).
 */
function expectedErrorLine(status, body) {
    let message = typeof body.detail === 'string' ? body.detail : body.message;
    for (const s of body.suberrors ?? []) {
        if (s && typeof s.message === 'string') message += `\n - ${s.message}`;
    }
    return `Error [${status}]: ${message}\n`;
}

/** Parses make-cli's `--output table` text (header, separator, rows) into objects of trimmed strings. */
function parseTable(text) {
    const lines = text.replace(/\n$/, '').split('\n');
    assert.ok(lines.length >= 3, `a table has a header, a separator and rows:\n${text}`);
    const widths = lines[1].split('-+-').map((dashes) => {
        assert.match(dashes, /^-+$/, `separator line: ${lines[1]}`);
        return dashes.length;
    });
    const cells = (line) => {
        const out = [];
        let at = 0;
        for (const w of widths) {
            out.push(line.slice(at, at + w).trim());
            at += w + 3; // " | "
        }
        return out;
    };
    const header = cells(lines[0]);
    return lines.slice(2).map((line) => Object.fromEntries(cells(line).map((v, i) => [header[i], v])));
}

describe('HTTPS', () => {
    it('orgd announces HTTPS and serves the certificate the test made, for localhost', async () => {
        assert.match(server.log(), /serving HTTPS/, 'orgd says it serves HTTPS');
        const peer = await new Promise((resolve, reject) => {
            // Trusts only the test CA (no system roots), checks the name "localhost" against the SAN.
            const socket = tls.connect(
                { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: server.tls.caCert.toString() },
                () => {
                    const cert = socket.getPeerX509Certificate();
                    const authorized = socket.authorized;
                    socket.end();
                    resolve({ cert, authorized });
                },
            );
            socket.on('error', reject);
        });
        assert.equal(peer.authorized, true);
        assert.equal(peer.cert.fingerprint256, server.tls.serverCert.fingerprint256);
        assert.ok(peer.cert.checkIssued(server.tls.caCert), 'the served certificate is signed by the test CA');
        assert.equal(peer.cert.checkHost('localhost'), 'localhost');
    });

    it('plain HTTP gets no API answer on the TLS port', async () => {
        let res;
        try {
            res = await fetch(`http://127.0.0.1:${server.port}/api/v2/users/me`, {
                headers: { authorization: `Token ${BOOTSTRAP_TOKEN}` },
                redirect: 'manual',
                signal: AbortSignal.timeout(5_000),
            });
        } catch {
            return; // the TLS listener dropped the plaintext request
        }
        assert.ok(!res.ok, `plain HTTP answered ${res.status}`);
    });

    it('without the test CA, make-cli refuses the server certificate', async () => {
        const args = ['users', 'me'];
        // No NODE_EXTRA_CA_CERTS: only node's bundled roots, which do not include the test CA.
        const r = await makeCli(server, args, { env: { NODE_EXTRA_CA_CERTS: '' } });
        assert.equal(r.code, 1, explain(server, args, r));
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, 'Error: fetch failed\n', explain(server, args, r));
    });
});

describe('users', () => {
    it('users me: the bootstrap administrator', async () => {
        const me = await cli('users', 'me');
        assert.equal(me.email, BOOTSTRAP_EMAIL);
        assert.ok(Number.isInteger(me.id) && me.id > 0, `id: ${me.id}`);
        assert.equal(typeof me.name, 'string');
        assert.equal(typeof me.timezoneId, 'number');
    });

    it('whoami: the user and the zone make-cli talked to', async () => {
        const who = await cli('whoami');
        assert.deepEqual(Object.keys(who).sort(), ['email', 'name', 'zone']);
        assert.equal(who.email, BOOTSTRAP_EMAIL);
        assert.equal(who.zone, server.zone);
    });
});

describe('enums', () => {
    it('enums countries: 1 is Czechia (CZE/cz)', async () => {
        const countries = await cli('enums', 'countries');
        assert.ok(Array.isArray(countries) && countries.length > 200, `${countries.length} countries`);
        const cz = countries.find((c) => c.id === CZECHIA);
        assert.ok(cz, 'country 1 missing');
        assert.equal(cz.code, 'CZE');
        assert.equal(cz.code2, 'cz');
        assert.match(cz.name, /Czech/);
        assert.equal(new Set(countries.map((c) => c.id)).size, countries.length, 'country ids are unique');
    });

    it('enums regions: region 1 (compact output is one line of JSON)', async () => {
        const out = await cliText('--output', 'compact', 'enums', 'regions');
        assert.equal(out.split('\n').length, 2, `one line and its newline: ${JSON.stringify(out)}`);
        const regions = JSON.parse(out);
        assert.ok(Array.isArray(regions) && regions.length > 0);
        const region = regions.find((r) => r.id === REGION);
        assert.ok(region, 'region 1 missing');
        assert.equal(typeof region.name, 'string');
        assert.ok(region.name.length > 0);
    });

    it('enums timezones: 113 is Europe/Prague', async () => {
        const zones = await cli('enums', 'timezones');
        assert.ok(Array.isArray(zones) && zones.length > 100, `${zones.length} timezones`);
        const prague = zones.find((z) => z.id === PRAGUE);
        assert.ok(prague, 'timezone 113 missing');
        assert.equal(prague.code, 'Europe/Prague');
        assert.match(prague.offset, /^\+0[12]00$/);
        assert.match(prague.name, /Europe\/Prague/);
    });
});

describe('roles', () => {
    it('roles list: the built-in organization and team roles with all columns', async () => {
        const roles = await cli('roles', 'list');
        assert.ok(Array.isArray(roles));
        const byId = new Map(roles.map((r) => [r.id, r]));
        for (const id of [11, 12, 13, 14, 15]) assert.equal(byId.get(id)?.category, 'organization', `role ${id}`);
        for (const id of [1, 3, 4, 5, 6]) assert.equal(byId.get(id)?.category, 'team', `role ${id}`);
        const owner = byId.get(OWNER_ROLE);
        assert.equal(owner.name, 'Owner');
        // make-cli asks for cols[]=*: the columns beyond the default id/name are there.
        assert.equal(owner.managementType, 'system_locked');
        assert.ok(Array.isArray(owner.permissions) && owner.permissions.includes('organization delete'));
    });

    it('roles list --category team: only team roles', async () => {
        const roles = await cli('roles', 'list', '--category', 'team');
        assert.deepEqual(roles.map((r) => r.id).sort((a, b) => a - b), [1, 3, 4, 5, 6]);
        assert.ok(roles.every((r) => r.category === 'team'));
    });

    it('roles get 11: the Owner, with what roles list said of it', async () => {
        const [listed] = await cli('roles', 'list', '--role-id', String(OWNER_ROLE));
        const role = await cli('roles', 'get', String(OWNER_ROLE));
        assert.equal(role.id, OWNER_ROLE);
        assert.equal(role.name, 'Owner');
        assert.deepEqual(role.permissions, listed.permissions);
    });

    it('roles permissions --role-category team: only team permissions', async () => {
        const perms = await cli('roles', 'permissions', '--role-category', 'team');
        assert.ok(Array.isArray(perms) && perms.length > 0);
        assert.ok(perms.every((p) => p.roleCategory === 'team'), JSON.stringify(perms.slice(0, 3)));
        assert.ok(perms.some((p) => p.name === 'team delete'), 'team delete is a team permission');
    });
});

describe('organizations and teams', () => {
    const NAME = 'make-cli Test Organization';
    const RENAMED = 'make-cli Test Organization Renamed';
    const TEAM = 'make-cli Test Team';
    let orgId;
    let firstTeamId;
    let teamId;

    it('organizations create', async () => {
        const org = await cli(
            'organizations', 'create',
            '--name', NAME, '--region-id', String(REGION), '--timezone-id', String(PRAGUE), '--country-id', String(CZECHIA),
        );
        assert.ok(Number.isInteger(org.id) && org.id > 0, `id: ${org.id}`);
        assert.equal(org.name, NAME);
        assert.equal(org.timezoneId, PRAGUE);
        assert.equal(org.countryId, CZECHIA);
        orgId = org.id;
    });

    it('organizations list: contains it, with all columns', async () => {
        const orgs = await cli('organizations', 'list');
        assert.ok(Array.isArray(orgs));
        const org = orgs.find((o) => o.id === orgId);
        assert.ok(org, `organization ${orgId} not listed: ${JSON.stringify(orgs)}`);
        assert.equal(org.name, NAME);
        assert.equal(org.timezoneId, PRAGUE);
        // cols[]=* also brings columns outside the default id/name/timezoneId.
        assert.equal(org.countryId, CZECHIA);
        // orgd's default zone is the bound host:port.
        assert.ok(org.zone.endsWith(`:${server.port}`), `zone: ${org.zone}`);
    });

    it('organizations get, by positional id and by --organization-id', async () => {
        const org = await cli('organizations', 'get', String(orgId));
        assert.equal(org.id, orgId);
        assert.equal(org.name, NAME);
        assert.equal(org.countryId, CZECHIA);
        assert.equal(org.timezoneId, PRAGUE);
        const same = await cli('organizations', 'get', '--organization-id', String(orgId));
        assert.deepEqual(same, org);
    });

    it('organizations update --name: answered and visible', async () => {
        const updated = await cli('organizations', 'update', String(orgId), '--name', RENAMED);
        assert.equal(updated.id, orgId);
        assert.equal(updated.name, RENAMED);
        const org = await cli('organizations', 'get', String(orgId));
        assert.equal(org.name, RENAMED);
        assert.equal(org.timezoneId, PRAGUE, 'fields not sent are unchanged');
    });

    it('--output table: organizations get renders a one-row table with its values', async () => {
        const out = await cliText('--output', 'table', 'organizations', 'get', String(orgId));
        const rows = parseTable(out);
        assert.equal(rows.length, 1, out);
        assert.equal(rows[0].id, String(orgId));
        assert.equal(rows[0].name, RENAMED);
        assert.equal(rows[0].countryId, String(CZECHIA));
        assert.equal(rows[0].timezoneId, String(PRAGUE));
    });

    it('teams list: the organization has its first team', async () => {
        const teams = await cli('teams', 'list', '--organization-id', String(orgId));
        assert.ok(Array.isArray(teams) && teams.length >= 1, JSON.stringify(teams));
        for (const t of teams) assert.equal(t.organizationId, orgId);
        firstTeamId = teams[0].id;
        assert.ok(Number.isInteger(firstTeamId));
    });

    it('teams create', async () => {
        const team = await cli('teams', 'create', '--name', TEAM, '--organization-id', String(orgId));
        assert.ok(Number.isInteger(team.id) && team.id > 0, `id: ${team.id}`);
        assert.notEqual(team.id, firstTeamId);
        assert.equal(team.name, TEAM);
        assert.equal(team.organizationId, orgId);
        teamId = team.id;
    });

    it('teams get', async () => {
        const team = await cli('teams', 'get', String(teamId));
        assert.equal(team.id, teamId);
        assert.equal(team.name, TEAM);
        assert.equal(team.organizationId, orgId);
    });

    it('teams list: both teams, also with --include-private-spaces', async () => {
        const teams = await cli('teams', 'list', '--organization-id', String(orgId));
        const ids = teams.map((t) => t.id).sort((a, b) => a - b);
        assert.deepEqual(ids, [firstTeamId, teamId].sort((a, b) => a - b));
        assert.equal(teams.find((t) => t.id === teamId).name, TEAM);
        // orgd has no private spaces (personal teams): the flag changes nothing.
        const withPrivate = await cli('teams', 'list', '--organization-id', String(orgId), '--include-private-spaces');
        assert.deepEqual(withPrivate, teams);
    });

    it('teams delete, then teams get is a 404', async () => {
        assert.equal(await cliText('teams', 'delete', String(teamId)), 'Team has been deleted.\n');
        const { status, body } = await rawError(server, `/teams/${teamId}`);
        assert.equal(status, 404);
        assert.equal(await cliApiError('teams', 'get', String(teamId)), expectedErrorLine(404, body));
        const teams = await cli('teams', 'list', '--organization-id', String(orgId));
        assert.ok(!teams.some((t) => t.id === teamId), 'the deleted team is not listed');
    });

    it('organizations delete, then organizations get is a 404', async () => {
        assert.equal(await cliText('organizations', 'delete', String(orgId)), 'Organization has been deleted.\n');
        const { status, body } = await rawError(server, `/organizations/${orgId}`);
        assert.equal(status, 404);
        assert.equal(await cliApiError('organizations', 'get', String(orgId)), expectedErrorLine(404, body));
        const orgs = await cli('organizations', 'list');
        assert.ok(!orgs.some((o) => o.id === orgId), 'the deleted organization is not listed');
    });
});

describe('errors', () => {
    it("organizations get 999999: exit 2 and orgd's 404 text", async () => {
        const { status, body } = await rawError(server, '/organizations/999999');
        assert.equal(status, 404);
        assert.equal(body.code, 'SC404');
        assert.equal(typeof body.message, 'string');
        const stderr = await cliApiError('organizations', 'get', '999999');
        assert.equal(stderr, expectedErrorLine(404, body));
        assert.ok(stderr.includes(body.detail ?? body.message), stderr);
    });

    it('organizations create with an unknown timezone: exit 2, the 400 and its suberror', async () => {
        const args = ['organizations', 'create', '--name', 'x', '--region-id', '1', '--timezone-id', '999999', '--country-id', '1'];
        const stderr = await cliApiError(...args);
        assert.match(stderr, /^Error \[400\]: /, stderr);
        assert.match(stderr, /timezoneId/i, stderr);
        const orgs = await cli('organizations', 'list');
        assert.ok(!orgs.some((o) => o.name === 'x'), 'nothing was created');
    });

    it('an unknown API key: exit 2 and the 401', async () => {
        const args = ['users', 'me'];
        const r = await makeCli(server, args, { token: '00000000-0000-4000-8000-000000000000' });
        assert.equal(r.code, 2, explain(server, args, r));
        assert.match(r.stderr, /^Error \[401\]: \S/, explain(server, args, r));
    });
});
