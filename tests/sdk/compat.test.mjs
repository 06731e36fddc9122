// Compatibility test: the official Make TypeScript SDK (@makehq/sdk) against a real orgd binary.
//
// Builds nothing: the binary comes from ORGD_BIN (default ../../target/debug/orgd next to this file).
// Each run starts orgd on 127.0.0.1:0 with a fresh SQLite database in a temp folder, a fixed bootstrap
// token and the `teams` default plan (25 teams per organization), and stops it at the end, also when a test fails.
//
// Run: ./run.sh (or `node --test compat.test.mjs` once `npm ci` has been run here).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Make, MakeError } from '@makehq/sdk';

const here = path.dirname(fileURLToPath(import.meta.url));
// ORGD_BIN, if set, is taken relative to the working directory; the default relative to this file.
const ORGD_BIN = process.env.ORGD_BIN
    ? path.resolve(process.env.ORGD_BIN)
    : path.resolve(here, '../../target/debug/orgd');
// A fixed UUIDv4: the SDK sends UUIDv4 tokens as `Authorization: Token …` (anything else as `Bearer …`).
const BOOTSTRAP_TOKEN = '3f8e2a9c-6b1d-4c7e-9a5f-1d2e3c4b5a69';
const STARTUP_TIMEOUT_MS = 30_000;
const PRAGUE = 113;
const CZECH_REPUBLIC = 1;
const REGION = 1;

let server; // the orgd child process
let stderrLog = '';
let workDir;
let dbUrl;
let port;
let make; // SDK client of the bootstrap administrator

/** orgd's environment: ours, without ORGD_* settings leaking in from the caller's shell. */
function orgdEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('ORGD_')) env[k] = v;
    }
    return { ...env, NO_COLOR: '1', ...extra };
}

/** A new SDK client for `token`, talking plain http to the test server. */
function client(token) {
    const m = new Make(token, `127.0.0.1:${port}`);
    // The SDK has no constructor option for it; `protocol` is a public property defaulting to "https".
    m.protocol = 'http';
    return m;
}

/** Starts `orgd serve` and resolves with the port parsed from its `listening on 127.0.0.1:PORT` log line. */
function startServer() {
    return new Promise((resolve, reject) => {
        const child = spawn(ORGD_BIN, ['serve'], {
            env: orgdEnv({
                ORGD_BIND: '127.0.0.1:0',
                ORGD_DATABASE_URL: dbUrl,
                ORGD_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
                // The `free` plan allows one team per organization; the teams suite creates a second one.
                ORGD_DEFAULT_PLAN: 'teams',
                // Rate limits have their own suite (ratelimit.test.mjs); here they would only slow the run.
                ORGD_RATE_LIMIT: 'off',
            }),
            stdio: ['ignore', 'ignore', 'pipe'],
        });
        server = child;
        let done = false;
        const timer = setTimeout(() => {
            finish(new Error(`orgd did not log "listening on" within ${STARTUP_TIMEOUT_MS} ms.\nstderr:\n${stderrLog}`));
        }, STARTUP_TIMEOUT_MS);
        function finish(err, value) {
            if (done) return;
            done = true;
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(value);
        }
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk) => {
            stderrLog += chunk;
            // Strip ANSI colour codes in case the logger colours its output anyway.
            const plain = stderrLog.replace(/\x1b\[[0-9;]*m/g, '');
            const m = plain.match(/listening on 127\.0\.0\.1:(\d+)/);
            if (m) finish(null, Number(m[1]));
        });
        child.on('error', (e) => finish(new Error(`cannot start ${ORGD_BIN}: ${e.message}`)));
        child.on('exit', (code, signal) => {
            finish(new Error(`orgd exited early (code ${code}, signal ${signal}).\nstderr:\n${stderrLog}`));
        });
    });
}

/** Stops the server: SIGTERM, then SIGKILL if it has not exited after 5 s. */
async function stopServer() {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
}

// Last resort if the runner dies before after() runs: never leave orgd behind.
process.on('exit', () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

/** `orgd users add` against the test database; returns the new user's API token. */
async function addUser(email, name) {
    const { stdout } = await promisify(execFile)(
        ORGD_BIN,
        ['users', 'add', '--email', email, '--name', name, '--database', dbUrl],
        { env: orgdEnv({}) },
    );
    const token = stdout.trim();
    assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
    return token;
}

/** Runs an `orgd` admin subcommand (users tfa, usage add, …) against the test database; returns its stdout. */
async function orgdCli(...args) {
    const { stdout } = await promisify(execFile)(ORGD_BIN, [...args, '--database', dbUrl], { env: orgdEnv({}) });
    return stdout;
}

/**
 * The raw error body of a request that must fail, fetched without the SDK. MakeError keeps only the status and
 * the `detail` (or `message`) text; Make's `code` (IM004, IM005, …) is dropped, so tests read it from here.
 */
async function rawError(token, apiPath, { method = 'GET', body, query } = {}) {
    const url = new URL(`http://127.0.0.1:${port}/api/v2${apiPath}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, String(v));
    const res = await fetch(url, {
        method,
        headers: {
            authorization: `Token ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.status >= 400, `expected an error status, got ${res.status}`);
    return { status: res.status, ...(await res.json()) };
}

/** Awaits `promise`, expects it to reject with a MakeError of `status`, and returns that error. */
async function expectMakeError(promise, status) {
    let error;
    try {
        await promise;
    } catch (e) {
        error = e;
    }
    assert.ok(error, `expected the SDK to throw a MakeError with status ${status}, but the call succeeded`);
    assert.ok(error instanceof MakeError, `expected a MakeError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.name, 'MakeError');
    assert.equal(error.statusCode, status, `status code (message: ${error.message})`);
    return error;
}

before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'orgd-sdk-'));
    dbUrl = `sqlite://${path.join(workDir, 'orgd.db')}`;
    port = await startServer();
    make = client(BOOTSTRAP_TOKEN);
});

after(async () => {
    await stopServer();
    if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('SDK setup', () => {
    it('builds http://127.0.0.1:PORT/api/v2 URLs with protocol=http', () => {
        assert.equal(make.protocol, 'http');
        assert.equal(make.version, 2);
        assert.equal(make.zone, `127.0.0.1:${port}`);
    });
});

describe('users', () => {
    it('users.me() returns the bootstrap administrator', async () => {
        const me = await make.users.me();
        assert.equal(me.email, 'admin@localhost');
        assert.equal(typeof me.id, 'number');
        assert.ok(me.id > 0);
        assert.equal(typeof me.name, 'string');
        assert.equal(typeof me.language, 'string');
        assert.equal(typeof me.timezoneId, 'number');
        assert.equal(typeof me.localeId, 'number');
        assert.equal(typeof me.countryId, 'number');
        assert.equal(typeof me.features, 'object');
        assert.equal(typeof me.avatar, 'string');
        assert.equal(typeof me.timezone, 'string');
        assert.equal(typeof me.locale, 'string');
    });

    it('users.currentAuthorization() reports token auth and the scopes', async () => {
        const auth = await make.users.currentAuthorization();
        assert.equal(auth.authUsed, 'token');
        assert.ok(Array.isArray(auth.scope));
        assert.ok(auth.scope.includes('organizations:read'), `scope: ${auth.scope}`);
        assert.ok(auth.scope.includes('organizations:write'), `scope: ${auth.scope}`);
    });

    it('an unknown token makes the SDK throw MakeError 401', async () => {
        const stranger = client('00000000-0000-4000-8000-000000000000');
        const err = await expectMakeError(stranger.users.me(), 401);
        assert.ok(err.message.length > 0);
    });
});

describe('enums', () => {
    it('enums.countries() contains id 1 = Czech Republic (CZE)', async () => {
        const countries = await make.enums.countries();
        assert.ok(Array.isArray(countries) && countries.length > 1);
        const cz = countries.find((c) => c.id === CZECH_REPUBLIC);
        assert.ok(cz, 'country id 1 missing');
        assert.equal(cz.code, 'CZE');
        assert.equal(cz.code2, 'cz');
        assert.match(cz.name, /Czech/);
        for (const c of countries) {
            assert.equal(typeof c.id, 'number');
            assert.equal(typeof c.name, 'string');
            assert.match(c.code, /^[A-Z]{3}$/);
            assert.match(c.code2, /^[a-z]{2}$/);
        }
    });

    it('enums.timezones() contains 113 = Europe/Prague', async () => {
        const zones = await make.enums.timezones();
        assert.ok(Array.isArray(zones) && zones.length > 1);
        const prague = zones.find((z) => z.id === PRAGUE);
        assert.ok(prague, 'timezone id 113 missing');
        assert.equal(prague.code, 'Europe/Prague');
        assert.match(prague.name, /^\(GMT\+0[12]:00\) Europe\/Prague$/);
        assert.match(prague.offset, /^\+0[12]00$/);
        for (const z of zones) {
            assert.equal(typeof z.id, 'number');
            assert.equal(typeof z.code, 'string');
            assert.equal(typeof z.offset, 'string', `offset of ${z.code} must be a string (SDK type Timezone.offset)`);
        }
    });

    it('enums.regions() is non-empty and has region 1', async () => {
        const regions = await make.enums.regions();
        assert.ok(Array.isArray(regions) && regions.length > 0);
        assert.ok(regions.some((r) => r.id === REGION), 'region id 1 missing');
        for (const r of regions) {
            assert.equal(typeof r.id, 'number');
            assert.equal(typeof r.name, 'string');
            assert.ok(r.name.length > 0);
        }
    });

    it('GET /enums/imt-zones (no SDK method; via the SDK transport make.fetch) is non-empty', async () => {
        // The SDK 1.6.10 Enums class has only countries(), regions(), timezones(), connectedSystemApps().
        const res = await make.fetch('/enums/imt-zones');
        assert.ok(Array.isArray(res.imtZones) && res.imtZones.length > 0);
        for (const z of res.imtZones) {
            assert.equal(typeof z.id, 'number');
            assert.equal(typeof z.name, 'string');
        }
    });
});

describe('organizations', () => {
    const orgName = `SDK Compat ${process.pid}`;
    const newName = `SDK Compat Renamed ${process.pid}`;
    let org; // as returned by create

    it('organizations.create() returns the new organization with its "My Team"', async () => {
        org = await make.organizations.create({
            name: orgName,
            regionId: REGION,
            timezoneId: PRAGUE,
            countryId: CZECH_REPUBLIC,
        });
        assert.equal(typeof org.id, 'number');
        assert.ok(org.id > 0);
        assert.equal(org.name, orgName);
        assert.equal(org.timezoneId, PRAGUE);
        assert.equal(org.countryId, CZECH_REPUBLIC);
        assert.equal(org.zone, `127.0.0.1:${port}`);
        assert.ok(Array.isArray(org.teams));
        const team = org.teams.find((t) => t.name === 'My Team');
        assert.ok(team, `teams: ${JSON.stringify(org.teams)}`);
        assert.equal(typeof team.id, 'number');
        // The rest of the SDK's PartialOrganization.
        assert.equal(typeof org.license, 'object');
        assert.notEqual(org.license, null);
        assert.equal(typeof org.productName, 'string');
        assert.equal(typeof org.serviceName, 'string');
        assert.equal(org.isPaused, false);
        assert.equal(typeof org.solutionPartnerLink, 'string');
        assert.ok('externalId' in org);
    });

    it('organizations.create() with an unknown regionId throws MakeError 400 carrying the suberror', async () => {
        const err = await expectMakeError(
            make.organizations.create({ name: 'Bad', regionId: 999, timezoneId: PRAGUE, countryId: CZECH_REPUBLIC }),
            400,
        );
        // The SDK shows `detail` and appends each suberror as "\n - <message>".
        assert.match(err.message, /regionId 999 does not exist/);
        assert.match(err.message, /\n - /);
    });

    it('organizations.list() includes the new organization', async () => {
        const list = await make.organizations.list();
        assert.ok(Array.isArray(list));
        const mine = list.find((o) => o.id === org.id);
        assert.ok(mine, `org ${org.id} not in list: ${JSON.stringify(list)}`);
        assert.equal(mine.name, orgName);
        assert.equal(mine.timezoneId, PRAGUE);
    });

    it('organizations.list({cols: ["id","name"]}) returns only id and name, no zone', async () => {
        const list = await make.organizations.list({ cols: ['id', 'name'] });
        assert.ok(list.length > 0);
        for (const o of list) {
            assert.ok(!('zone' in o), `unexpected zone key: ${JSON.stringify(o)}`);
            assert.deepEqual(Object.keys(o).sort(), ['id', 'name']);
        }
        assert.ok(list.some((o) => o.id === org.id && o.name === orgName));
    });

    it('organizations.list({cols: ["id","zone"]}) returns the zone when asked for', async () => {
        const list = await make.organizations.list({ cols: ['id', 'zone'] });
        const mine = list.find((o) => o.id === org.id);
        assert.deepEqual(mine, { id: org.id, zone: `127.0.0.1:${port}` });
    });

    it('organizations.list() returns the documented default columns (no zone; docs/compatibility.md)', async () => {
        // SDK 1.6.10 types the default as id|name|zone|timezoneId; Make's docs and orgd return id, name, timezoneId.
        const list = await make.organizations.list();
        const mine = list.find((o) => o.id === org.id);
        assert.deepEqual(mine, { id: org.id, name: orgName, timezoneId: PRAGUE });
    });

    it('organizations.list({pg}) sorts and limits (pg[sortBy], pg[sortDir], pg[limit])', async () => {
        const second = await make.organizations.create({
            name: `${orgName} B`,
            regionId: REGION,
            timezoneId: PRAGUE,
            countryId: CZECH_REPUBLIC,
        });
        try {
            const all = await make.organizations.list({ pg: { sortBy: 'id', sortDir: 'asc' } });
            const ids = all.map((o) => o.id);
            assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
            const top = await make.organizations.list({ pg: { sortBy: 'id', sortDir: 'desc', limit: 1 } });
            assert.equal(top.length, 1);
            assert.equal(top[0].id, Math.max(...ids));
            assert.equal(top[0].id, second.id);
            const skipped = await make.organizations.list({ pg: { sortBy: 'id', sortDir: 'desc', offset: 1, limit: 1 } });
            assert.equal(skipped.length, 1);
            assert.equal(skipped[0].id, ids[ids.length - 2]);
        } finally {
            await make.organizations.delete(second.id);
        }
    });

    it('organizations.get() returns the full detail', async () => {
        const got = await make.organizations.get(org.id);
        assert.equal(got.id, org.id);
        assert.equal(got.name, orgName);
        assert.equal(got.countryId, CZECH_REPUBLIC);
        assert.equal(got.timezoneId, PRAGUE);
        assert.equal(got.zone, `127.0.0.1:${port}`);
        assert.ok(got.teams.some((t) => t.name === 'My Team'));
        assert.equal(typeof got.license, 'object');
        for (const k of ['operations', 'transfer', 'operationsExt', 'transferExt', 'unusedOperations', 'unusedTransfer']) {
            assert.equal(typeof got[k], 'string', `${k} must be a string (SDK type)`);
            assert.match(got[k], /^\d+$/, k);
        }
        assert.equal(typeof got.features, 'object');
        assert.equal(typeof got.autoPurchasingActivated, 'boolean');
        assert.equal(typeof got.activeApps, 'number');
        assert.equal(typeof got.activeScenarios, 'number');
        assert.ok(!Number.isNaN(Date.parse(got.lastReset)));
        assert.ok(!Number.isNaN(Date.parse(got.nextReset)));
    });

    it(
        'organization.license has every key the SDK type marks as required',
        async () => {
            const got = await make.organizations.get(org.id);
            const required = ['dslimit', 'fslimit', 'iolimit', 'dsslimit', 'interval', 'transfer', 'operations',
                'teams', 'gracePeriod', 'productManagement'];
            const missing = required.filter((k) => !(k in got.license));
            assert.deepEqual(missing, []);
        },
    );

    it('organizations.get(id, {wait: true}) is accepted', async () => {
        const got = await make.organizations.get(org.id, { wait: true });
        assert.equal(got.id, org.id);
        assert.equal(got.name, orgName);
    });

    it('GET /organizations/{id} with cols[] (via make.fetch; organizations.get() sends only `wait`)', async () => {
        const res = await make.fetch(`/organizations/${org.id}`, { query: { cols: ['id', 'name', 'teams'] } });
        assert.deepEqual(Object.keys(res.organization), ['id', 'name', 'teams']);
        assert.equal(res.organization.id, org.id);
        assert.equal(res.organization.name, orgName);
        assert.ok(res.organization.teams.some((t) => t.name === 'My Team'));
    });

    it('a user who is not a member cannot see the organization', async () => {
        const stranger = client(await addUser('stranger@example.com', 'Stranger'));
        const me = await stranger.users.me();
        assert.equal(me.email, 'stranger@example.com');
        const list = await stranger.organizations.list();
        assert.ok(!list.some((o) => o.id === org.id), 'stranger sees the org in list()');
        const err = await expectMakeError(stranger.organizations.get(org.id), 403);
        assert.match(err.message, /not a member/);
    });

    it('organizations.update() renames it and a following get() shows the new name', async () => {
        const updated = await make.organizations.update(org.id, { name: newName });
        assert.equal(updated.id, org.id);
        assert.equal(updated.name, newName);
        assert.equal(updated.timezoneId, PRAGUE);
        assert.equal(updated.countryId, CZECH_REPUBLIC);
        const got = await make.organizations.get(org.id);
        assert.equal(got.name, newName);
        const list = await make.organizations.list({ cols: ['id', 'name'] });
        assert.ok(list.some((o) => o.id === org.id && o.name === newName));
    });

    it('organizations.delete() deletes it; get() then throws MakeError 404', async () => {
        const res = await make.organizations.delete(org.id);
        assert.equal(res, undefined);
        const err = await expectMakeError(make.organizations.get(org.id), 404);
        // The SDK uses the body's `detail` in preference to `message`.
        assert.equal(err.message, `Organization ${org.id} not found.`);
        const list = await make.organizations.list({ cols: ['id'] });
        assert.ok(!list.some((o) => o.id === org.id), 'deleted org still listed');
        await expectMakeError(make.organizations.delete(org.id), 404);
    });
});

/** A fresh organization for one suite (created through the SDK). */
function createOrg(name) {
    return make.organizations.create({ name, regionId: REGION, timezoneId: PRAGUE, countryId: CZECH_REPUBLIC });
}

describe('roles', () => {
    // orgd's built-in roles, in id order (`GET /users/roles` lists them sorted by id).
    const ROLES = [
        [1, 'Team Admin'],
        [3, 'Team Member'],
        [4, 'Team Monitoring'],
        [5, 'Team Restricted Member'],
        [6, 'Team Operator'],
        [11, 'Owner'],
        [12, 'Admin'],
        [13, 'Member'],
        [14, 'Accountant'],
        [15, 'App Developer'],
    ].map(([id, name]) => ({ id, name }));
    const TEAM_IDS = [1, 3, 4, 5, 6];
    const ORG_IDS = [11, 12, 13, 14, 15];
    const ALL_COLS = ['id', 'name', 'identifier', 'category', 'subsidiary', 'managementType', 'description', 'permissions'];

    it('roles.list() returns the ten built-in roles as whole objects (as the SDK types it without cols)', async () => {
        const list = await make.roles.list();
        assert.deepEqual(list.map(({ id, name }) => ({ id, name })), ROLES);
        for (const r of list) assert.deepEqual(Object.keys(r), ALL_COLS);
        assert.deepEqual(await make.roles.list({ cols: ['id', 'name'] }), ROLES);
    });

    it('roles.list({category}) filters to team or organization roles', async () => {
        const team = await make.roles.list({ category: 'team', cols: ['id', 'name', 'category'] });
        assert.deepEqual(team.map((r) => r.id), TEAM_IDS);
        for (const r of team) {
            assert.equal(r.category, 'team');
            assert.equal(r.name, ROLES.find((x) => x.id === r.id).name);
        }
        const org = await make.roles.list({ category: 'organization', cols: ['id', 'category'] });
        assert.deepEqual(org, ORG_IDS.map((id) => ({ id, category: 'organization' })));
    });

    it('roles.list({cols: ["*"]}) returns every column with the permission arrays', async () => {
        const list = await make.roles.list({ cols: ['*'] });
        assert.deepEqual(list.map((r) => r.id), ROLES.map((r) => r.id));
        for (const r of list) {
            assert.deepEqual(Object.keys(r), ALL_COLS);
            assert.equal(r.name, ROLES.find((x) => x.id === r.id).name);
            assert.equal(r.category, TEAM_IDS.includes(r.id) ? 'team' : 'organization');
            assert.equal(typeof r.identifier, 'string');
            assert.equal(typeof r.subsidiary, 'boolean');
            assert.equal(r.managementType, 'system_locked');
            assert.equal(typeof r.description, 'string');
            assert.ok(Array.isArray(r.permissions) && r.permissions.length > 0, `${r.name}: ${r.permissions}`);
            for (const p of r.permissions) assert.equal(typeof p, 'string');
        }
        const byId = (id) => list.find((r) => r.id === id);
        const operator = byId(6);
        assert.equal(operator.identifier, 'team_operator');
        assert.ok(operator.permissions.includes('scenario start'), `Team Operator: ${operator.permissions}`);
        assert.ok(!operator.permissions.includes('scenario add'), `Team Operator: ${operator.permissions}`);
        assert.ok(byId(1).permissions.includes('team delete'), 'Team Admin lacks team delete');
        assert.ok(byId(3).permissions.includes('scenario add'), 'Team Member lacks scenario add');
        assert.ok(!byId(3).permissions.includes('team delete'), 'Team Member has team delete');
        assert.ok(!byId(5).permissions.includes('scenario add'), 'Team Restricted Member has scenario add');
        assert.ok(byId(11).permissions.includes('access all teams'), 'Owner lacks access all teams');
        assert.ok(!byId(12).permissions.includes('access all teams'), 'Admin has access all teams');
        // Members see their own private space (issue 26's `personal team own view`).
        assert.deepEqual(byId(13).permissions, ['organization view', 'personal team own view']);
        assert.equal(byId(11).subsidiary, false, 'Owner is not subsidiary');
    });

    it('roles.list({excludeRole: [11, 12]}) leaves out Owner and Admin', async () => {
        const list = await make.roles.list({ excludeRole: [11, 12], cols: ['id', 'name'] });
        assert.deepEqual(list, ROLES.filter((r) => r.id !== 11 && r.id !== 12));
    });

    it('roles.list({roleId: 15}) returns only App Developer', async () => {
        assert.deepEqual(await make.roles.list({ roleId: 15, cols: ['id', 'name'] }), [{ id: 15, name: 'App Developer' }]);
        const [dev] = await make.roles.list({ roleId: 15, cols: ['id', 'identifier', 'category', 'permissions'] });
        assert.deepEqual(dev, {
            id: 15,
            identifier: 'app_developer',
            category: 'organization',
            permissions: ['organization app install', 'organization view', 'personal team own view'],
        });
    });

    it('roles.list({organizationId}) is accepted (orgd has no custom roles)', async () => {
        const org = await createOrg(`SDK Roles ${process.pid}`);
        try {
            assert.deepEqual(await make.roles.list({ organizationId: org.id, cols: ['id', 'name'] }), ROLES);
            assert.deepEqual(await make.roles.list({ teamId: org.teams[0].id, category: 'team', cols: ['id', 'name'] }),
                ROLES.filter((r) => TEAM_IDS.includes(r.id)));
        } finally {
            await make.organizations.delete(org.id);
        }
    });

    it('roles.list() with an unknown category throws MakeError 400', async () => {
        const err = await expectMakeError(make.roles.list({ category: 'galaxy' }), 400);
        assert.match(err.message, /category/);
    });

    it('roles.get(6) returns Team Operator with every column', async () => {
        const role = await make.roles.get(6);
        assert.deepEqual(Object.keys(role), ALL_COLS);
        assert.equal(role.id, 6);
        assert.equal(role.name, 'Team Operator');
        assert.equal(role.category, 'team');
        assert.ok(role.permissions.includes('scenario start'));
        assert.ok(!role.permissions.includes('scenario add'));
        const all = await make.roles.list({ roleId: 6, cols: ['*'] });
        assert.deepEqual(all, [role]);
    });

    it('roles.get() of an unknown role throws MakeError 404', async () => {
        const err = await expectMakeError(make.roles.get(999), 404);
        assert.equal(err.message, 'Role 999 not found.');
    });

    it('roles.permissions({roleCategory}) lists the permission catalogue per category', async () => {
        const team = await make.roles.permissions({ roleCategory: 'team' });
        const org = await make.roles.permissions({ roleCategory: 'organization' });
        const all = await make.roles.permissions();
        assert.ok(team.length > 0 && org.length > 0);
        assert.equal(all.length, team.length + org.length);
        for (const p of all) {
            assert.equal(typeof p.id, 'number');
            assert.equal(typeof p.name, 'string');
            assert.equal(typeof p.note, 'string');
            assert.equal(typeof p.category, 'string');
            assert.equal(typeof p.label, 'string');
            assert.equal(typeof p.customRolesHidden, 'boolean');
            assert.ok(Array.isArray(p.requires));
        }
        assert.ok(team.every((p) => p.roleCategory === 'team'));
        assert.ok(org.every((p) => p.roleCategory === 'organization'));
        const teamNames = team.map((p) => p.name);
        const orgNames = org.map((p) => p.name);
        for (const n of ['scenario add', 'scenario start', 'team delete', 'team user add and edit']) {
            assert.ok(teamNames.includes(n), `team permissions lack ${n}`);
        }
        for (const n of ['access all teams', 'team add', 'organization user add and edit']) {
            assert.ok(orgNames.includes(n), `organization permissions lack ${n}`);
        }
        // Every permission a role grants is in the catalogue of its category.
        for (const r of await make.roles.list({ cols: ['id', 'category', 'permissions'] })) {
            const names = r.category === 'team' ? teamNames : orgNames;
            for (const p of r.permissions) assert.ok(names.includes(p), `role ${r.id}: ${p} not in the catalogue`);
        }
    });
});

describe('teams', () => {
    const teamName = `SDK Team ${process.pid}`;
    let org;
    let myTeam; // the "My Team" every new organization gets
    let team; // created by the suite

    before(async () => {
        org = await createOrg(`SDK Teams ${process.pid}`);
        myTeam = org.teams.find((t) => t.name === 'My Team');
        assert.ok(myTeam, `teams: ${JSON.stringify(org.teams)}`);
    });

    after(async () => {
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('teams.create() returns the new team', async () => {
        team = await make.teams.create({
            name: teamName,
            organizationId: org.id,
            operationsLimit: 5000,
            transferLimit: 1048576,
        });
        assert.equal(typeof team.id, 'number');
        assert.ok(team.id > 0);
        assert.notEqual(team.id, myTeam.id);
        assert.equal(team.name, teamName);
        assert.equal(team.organizationId, org.id);
        assert.equal(team.operationsLimit, 5000);
        // SDK 1.6.10 types Team.transferLimit as a string (but CreateTeamBody.transferLimit as a number);
        // orgd returns a number.
        assert.equal(team.transferLimit, 1048576);
        assert.equal(team.isPaused, false);
        assert.equal(team.type, 'standard');
    });

    it('teams.list(orgId) shows "My Team" and the new team (default columns, sorted by name)', async () => {
        const list = await make.teams.list(org.id);
        assert.deepEqual(list, [
            { id: myTeam.id, name: 'My Team', organizationId: org.id },
            { id: team.id, name: teamName, organizationId: org.id },
        ]);
    });

    it('teams.list(orgId, {cols, pg}) selects columns, sorts and limits', async () => {
        const top = await make.teams.list(org.id, { cols: ['id', 'name'], pg: { sortBy: 'id', sortDir: 'desc', limit: 1 } });
        assert.deepEqual(top, [{ id: team.id, name: teamName }]);
        const asc = await make.teams.list(org.id, { cols: ['id'], pg: { sortBy: 'id', sortDir: 'asc' } });
        assert.deepEqual(asc, [{ id: myTeam.id }, { id: team.id }]);
    });

    it('teams.get(id) returns the default columns; with cols exactly those', async () => {
        assert.deepEqual(await make.teams.get(team.id), { id: team.id, name: teamName, organizationId: org.id, scenarioDrafts: false });
        const got = await make.teams.get(team.id, { cols: ['id', 'name', 'operationsLimit', 'transferLimit', 'isPaused'] });
        assert.deepEqual(got, { id: team.id, name: teamName, operationsLimit: 5000, transferLimit: 1048576, isPaused: false });
        const mine = await make.teams.get(myTeam.id, { cols: ['id', 'operationsLimit', 'type'] });
        assert.deepEqual(mine, { id: myTeam.id, operationsLimit: null, type: 'standard' });
    });

    it('teams.create() without a name throws MakeError 400', async () => {
        const err = await expectMakeError(make.teams.create({ organizationId: org.id }), 400);
        assert.match(err.message, /name/);
    });

    it('teams.delete() deletes it; get() then throws MakeError 404', async () => {
        const res = await make.teams.delete(team.id);
        assert.equal(res, undefined);
        const err = await expectMakeError(make.teams.get(team.id), 404);
        assert.equal(err.message, `Team ${team.id} not found.`);
        assert.deepEqual(await make.teams.list(org.id, { cols: ['id'] }), [{ id: myTeam.id }]);
        await expectMakeError(make.teams.delete(team.id), 404);
    });

    it('teams.delete() of the last team of the organization is refused with MakeError 400', async () => {
        await expectMakeError(make.teams.delete(myTeam.id), 400);
        assert.deepEqual(await make.teams.get(myTeam.id), { id: myTeam.id, name: 'My Team', organizationId: org.id, scenarioDrafts: false });
    });
});

// The SDK 1.6.10 has no methods for invitations, user-organization-roles or check-team-permission: those
// go through its transport `make.fetch` (same auth, URL building and MakeError handling).
describe('members', () => {
    let org;
    let bob; // SDK client of Bob
    let bobId;
    let adminId;
    let hash;

    const permission = (client_, perm) =>
        client_.fetch(`/organizations/${org.id}/check-team-permission`, { query: { teamPermission: perm } });
    const roles = async () => {
        const res = await make.fetch(`/organizations/${org.id}/user-organization-roles`);
        return Object.fromEntries(res.userOrganizationRoles.map((r) => [r.userId, r]));
    };

    before(async () => {
        org = await createOrg(`SDK Members ${process.pid}`);
        bob = client(await addUser('bob@example.com', 'Bob'));
        bobId = (await bob.users.me()).id;
        adminId = (await make.users.me()).id;
        assert.notEqual(bobId, adminId);
    });

    after(async () => {
        if (!org) return;
        // Whoever owns it by now deletes it (the admin is Owner, or Admin after the transfer).
        for (const c of [make, bob]) {
            if (!c) continue;
            try {
                await c.organizations.delete(org.id);
                return;
            } catch {
                // try the next one
            }
        }
    });

    it('the admin invites Bob as Member (13): POST /organizations/{id}/invite', async () => {
        const res = await make.fetch(`/organizations/${org.id}/invite`, {
            method: 'POST',
            body: { email: 'bob@example.com', name: 'Bob', usersRoleId: 13 },
        });
        assert.deepEqual(res.userOrganizationRole, {
            userId: bobId,
            organizationId: org.id,
            usersRoleId: 13,
            invitation: 'pending',
        });
        const all = await roles();
        assert.deepEqual(all[bobId], { userId: bobId, organizationId: org.id, usersRoleId: 13, invitation: 'pending' });
        assert.deepEqual(all[adminId], { userId: adminId, organizationId: org.id, usersRoleId: 11, invitation: null });
    });

    it('inviting with the Owner role is refused with MakeError 400', async () => {
        await expectMakeError(
            make.fetch(`/organizations/${org.id}/invite`, {
                method: 'POST',
                body: { email: 'bob@example.com', name: 'Bob', usersRoleId: 11 },
            }),
            400,
        );
    });

    it('Bob sees the invitation (GET /users/me/organization-invitations) but not yet the organization', async () => {
        const res = await bob.fetch('/users/me/organization-invitations');
        const mine = res.userOrganizationInvitations.filter((i) => i.organizationId === org.id);
        assert.equal(mine.length, 1, JSON.stringify(res));
        assert.equal(mine[0].usersRoleId, 13);
        assert.equal(mine[0].invitation, 'pending');
        assert.equal(typeof mine[0].hash, 'string');
        assert.ok(mine[0].hash.length > 0);
        hash = mine[0].hash;
        assert.ok(!(await bob.organizations.list()).some((o) => o.id === org.id));
        await expectMakeError(bob.organizations.get(org.id), 403);
        await expectMakeError(permission(bob, 'scenario add'), 403);
        // The admin has no invitation of his own.
        assert.deepEqual((await make.fetch('/users/me/organization-invitations')).userOrganizationInvitations, []);
    });

    it('only Bob can accept it: the admin gets MakeError 403', async () => {
        await expectMakeError(make.fetch('/organizations/accept-invitation', { method: 'POST', body: { hash } }), 403);
    });

    // Bob's user id (2 or 3) is never his invitation's id (1) here, which catches a store that
    // confuses the two (an early orgd build accepted the invitation whose id equalled the caller's user id).
    it('Bob accepts it: POST /organizations/accept-invitation {hash}', async () => {
        const res = await bob.fetch('/organizations/accept-invitation', { method: 'POST', body: { hash } });
        assert.equal(res.user.id, bobId);
        assert.equal(res.user.email, 'bob@example.com');
        assert.deepEqual(res.userOrganizationRole, { userId: bobId, organizationId: org.id, usersRoleId: 13, invitation: null });
        const open = (await bob.fetch('/users/me/organization-invitations')).userOrganizationInvitations;
        assert.ok(!open.some((i) => i.organizationId === org.id), `still open: ${JSON.stringify(open)}`);
        const list = await bob.organizations.list({ cols: ['id', 'name'] });
        assert.ok(list.some((o) => o.id === org.id), `org ${org.id} not in Bob's list: ${JSON.stringify(list)}`);
        assert.equal((await roles())[bobId].invitation, null);
    });

    it('check-team-permission "scenario add": false for Bob (Member, no team), true for the Owner', async () => {
        assert.deepEqual(await permission(make, 'scenario add'), { hasPermission: true });
        assert.deepEqual(await permission(bob, 'scenario add'), { hasPermission: false });
        assert.deepEqual(await permission(bob, 'scenario view'), { hasPermission: false });
    });

    it('check-team-permission with an unknown permission throws MakeError 400', async () => {
        const err = await expectMakeError(permission(make, 'scenario fly'), 400);
        assert.match(err.message, /teamPermission|permission/);
    });

    it('the admin transfers ownership to Bob: Bob becomes Owner (11), the admin Admin (12)', async () => {
        const res = await make.fetch(`/organizations/${org.id}/user-organization-roles/transfer`, {
            method: 'POST',
            body: { userId: bobId },
        });
        assert.deepEqual(res.userOrganizationRoles, [
            { userId: bobId, organizationId: org.id, usersRoleId: 11, invitation: null },
            { userId: adminId, organizationId: org.id, usersRoleId: 12, invitation: null },
        ]);
        const all = await roles();
        assert.equal(Object.keys(all).length, 2);
        assert.equal(all[bobId].usersRoleId, 11);
        assert.equal(all[adminId].usersRoleId, 12);
        // Owner has every team permission in every team.
        assert.deepEqual(await permission(bob, 'scenario add'), { hasPermission: true });
        // The former Owner can no longer transfer.
        await expectMakeError(
            make.fetch(`/organizations/${org.id}/user-organization-roles/transfer`, {
                method: 'POST',
                body: { userId: adminId },
            }),
            403,
        );
    });

    it('the new Owner removes the admin: POST /users/{id}/user-organization-roles/{orgId} with an empty body', async () => {
        await bob.fetch(`/users/${adminId}/user-organization-roles/${org.id}`, { method: 'POST', body: {} });
        assert.ok(!(await make.organizations.list()).some((o) => o.id === org.id), 'admin still sees the org');
        const res = await bob.fetch(`/organizations/${org.id}/user-organization-roles`);
        assert.deepEqual(res.userOrganizationRoles.map((r) => [r.userId, r.usersRoleId]), [[bobId, 11]]);
    });
});

// The SDK 1.6.10 has no methods for organization variables, usage, feature controls, TFA enforcement, billing
// or installed apps (its Organizations class has only list/get/create/update/delete): those go through
// `make.fetch` (same auth, URL building and MakeError handling as every SDK method).

describe('organization variables', () => {
    const DATE = '1998-03-06T12:31:00.000Z';
    let org;
    const vars = (p = '') => `/organizations/${org.id}/variables${p}`;

    before(async () => {
        org = await createOrg(`SDK Variables ${process.pid}`);
    });

    after(async () => {
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('the teams plan licenses custom variables', async () => {
        const got = await make.organizations.get(org.id);
        assert.equal(got.productName, 'Teams');
        assert.equal(got.license.customVariables, true);
    });

    it('POST /variables creates one variable of each type (1 number, 2 string, 3 boolean, 4 date)', async () => {
        for (const [name, typeId, value] of [
            ['count', 1, 42],
            ['label', 2, 'hello'],
            ['flag', 3, true],
            ['born', 4, DATE],
        ]) {
            const res = await make.fetch(vars(), { method: 'POST', body: { name, typeId, value } });
            assert.deepEqual(res, { organizationVariable: { name, typeId, value, isSystem: false } });
        }
    });

    it('GET /variables lists the system variables first, then the custom ones by name', async () => {
        const res = await make.fetch(vars());
        assert.deepEqual(Object.keys(res), ['organizationVariables']);
        assert.deepEqual(res.organizationVariables, [
            { name: '$organizationId', typeId: 1, value: org.id, isSystem: true },
            { name: '$organizationName', typeId: 2, value: org.name, isSystem: true },
            { name: '$organizationZone', typeId: 2, value: `127.0.0.1:${port}`, isSystem: true },
            { name: 'born', typeId: 4, value: DATE, isSystem: false },
            { name: 'count', typeId: 1, value: 42, isSystem: false },
            { name: 'flag', typeId: 3, value: true, isSystem: false },
            { name: 'label', typeId: 2, value: 'hello', isSystem: false },
        ]);
    });

    it('a value that does not match its typeId throws MakeError 400 naming the field', async () => {
        const err = await expectMakeError(
            make.fetch(vars(), { method: 'POST', body: { name: 'bad', typeId: 1, value: 'x' } }),
            400,
        );
        // The SDK prints `detail`, then each suberror on its own line.
        assert.equal(err.message, 'Validation failed for 1 parameter(s).\n - value must be a number to match typeId 1');
        const dateErr = await expectMakeError(
            make.fetch(vars(), { method: 'POST', body: { name: 'bad', typeId: 4, value: '1998-03-06' } }),
            400,
        );
        assert.match(dateErr.message, /\n - value must be a date in the form YYYY-MM-DDTHH:mm:ss\.sssZ/);
        const raw = await rawError(BOOTSTRAP_TOKEN, vars(), { method: 'POST', body: { name: 'bad', typeId: 1, value: 'x' } });
        assert.equal(raw.code, 'SC400');
        assert.equal(raw.message, 'Validation failed');
        assert.deepEqual(raw.suberrors, [{ message: 'value must be a number to match typeId 1', path: 'value' }]);
        assert.ok(!(await make.fetch(vars())).organizationVariables.some((v) => v.name === 'bad'));
    });

    it('a duplicate name throws MakeError 400 (IM005 "Variable already exists.")', async () => {
        const err = await expectMakeError(
            make.fetch(vars(), { method: 'POST', body: { name: 'count', typeId: 1, value: 1 } }),
            400,
        );
        assert.equal(err.message, 'Variable already exists.');
        const raw = await rawError(BOOTSTRAP_TOKEN, vars(), { method: 'POST', body: { name: 'count', typeId: 1, value: 1 } });
        assert.equal(raw.code, 'IM005');
        assert.equal(raw.message, 'Invalid input parameters');
    });

    it('PATCH /variables/{name} with only a value is not cross-checked against the stored typeId', async () => {
        const res = await make.fetch(vars('/count'), { method: 'PATCH', body: { value: 'text' } });
        assert.deepEqual(res, { organizationVariable: { name: 'count', typeId: 1, value: 'text', isSystem: false } });
        const listed = (await make.fetch(vars())).organizationVariables.find((v) => v.name === 'count');
        assert.deepEqual(listed, { name: 'count', typeId: 1, value: 'text', isSystem: false });
    });

    it('DELETE /variables/{name} without confirmed throws MakeError 406 (IM004); with confirmed=true → {ok: 1}', async () => {
        const err = await expectMakeError(make.fetch(vars('/count'), { method: 'DELETE' }), 406);
        assert.equal(err.message, 'Deleting a variable needs confirmed=true.');
        const raw = await rawError(BOOTSTRAP_TOKEN, vars('/count'), { method: 'DELETE' });
        assert.equal(raw.code, 'IM004');
        assert.equal(raw.message, 'Confirmation required');
        assert.deepEqual(await make.fetch(vars('/count'), { method: 'DELETE', query: { confirmed: true } }), { ok: 1 });
        assert.ok(!(await make.fetch(vars())).organizationVariables.some((v) => v.name === 'count'));
        const again = await expectMakeError(make.fetch(vars('/count'), { method: 'DELETE', query: { confirmed: true } }), 404);
        assert.equal(again.message, "Variable 'count' not found.");
    });

    it('GET /variables/{name}/history lists deleted, edited, created (newest first)', async () => {
        const res = await make.fetch(vars('/count/history'));
        assert.deepEqual(Object.keys(res), ['organizationVariableHistory']);
        const h = res.organizationVariableHistory;
        assert.deepEqual(h.map((e) => e.action), [
            'organization_variable_deleted',
            'organization_variable_edited',
            'organization_variable_created',
        ]);
        for (const e of h) {
            assert.equal(e.author, 'admin@localhost');
            assert.equal(typeof e.id, 'number');
            assert.match(e.changed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
        assert.ok(h[0].id > h[1].id && h[1].id > h[2].id, `ids: ${h.map((e) => e.id)}`);
        assert.deepEqual(h[2].diffObject, { name: 'count', typeId: 1, value: 42 });
        assert.deepEqual(h[1].diffObject, { name: 'count', typeId: 1, value: 'text', oldValue: 42 });
        assert.deepEqual(h[0].diffObject, { name: 'count', typeId: 1, value: 'text' });
        const none = await expectMakeError(make.fetch(vars('/nothing/history')), 404);
        assert.equal(none.message, "Variable 'nothing' not found.");
    });

    it('a name with "$" ($price) works in the path, raw or percent-encoded', async () => {
        const created = await make.fetch(vars(), { method: 'POST', body: { name: '$price', typeId: 1, value: 9.5 } });
        assert.deepEqual(created.organizationVariable, { name: '$price', typeId: 1, value: 9.5, isSystem: false });
        const patched = await make.fetch(vars('/$price'), { method: 'PATCH', body: { typeId: 1, value: 10 } });
        assert.deepEqual(patched.organizationVariable, { name: '$price', typeId: 1, value: 10, isSystem: false });
        const h = (await make.fetch(vars(`/${encodeURIComponent('$price')}/history`))).organizationVariableHistory;
        assert.deepEqual(h.map((e) => e.action), ['organization_variable_edited', 'organization_variable_created']);
        assert.deepEqual(h[0].diffObject, { name: '$price', typeId: 1, value: 10, oldValue: 9.5 });
        // Custom names sort after the system variables' "$organization…" by plain byte order.
        const names = (await make.fetch(vars())).organizationVariables.map((v) => v.name);
        assert.deepEqual(names, ['$organizationId', '$organizationName', '$organizationZone', '$price', 'born', 'flag', 'label']);
        assert.deepEqual(await make.fetch(vars('/$price'), { method: 'DELETE', query: { confirmed: true } }), { ok: 1 });
    });

    it('system variables cannot be created, changed or deleted (MakeError 400)', async () => {
        const created = await expectMakeError(
            make.fetch(vars(), { method: 'POST', body: { name: '$organizationId', typeId: 1, value: 1 } }),
            400,
        );
        assert.equal(created.message, "'$organizationId' is a system variable.");
        const patched = await expectMakeError(
            make.fetch(vars('/$organizationName'), { method: 'PATCH', body: { value: 'x' } }),
            400,
        );
        assert.equal(patched.message, "'$organizationName' is a system variable and cannot be changed.");
    });
});

/** Today's date and the current wall-clock time in Europe/Prague (the organizations' timezone, id 113). */
function pragueNow() {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-CA', {
            timeZone: 'Europe/Prague',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
        })
            .formatToParts(new Date())
            .map((p) => [p.type, p.value]),
    );
    return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

describe('usage', () => {
    let org;
    let today;
    const usage = (query) => make.fetch(`/organizations/${org.id}/usage`, { query });

    function checkShape(data) {
        assert.ok(Array.isArray(data));
        assert.equal(data.length, 30);
        for (const d of data) {
            assert.deepEqual(Object.keys(d), ['date', 'operations', 'dataTransfer', 'centicredits']);
            assert.match(d.date, /^\d{4}-\d\d-\d\d$/);
            for (const k of ['operations', 'dataTransfer', 'centicredits']) assert.equal(typeof d[k], 'number', k);
        }
        // Oldest first, one entry per consecutive day.
        for (let i = 1; i < data.length; i++) {
            const step = Date.parse(`${data[i].date}T00:00:00Z`) - Date.parse(`${data[i - 1].date}T00:00:00Z`);
            assert.equal(step, 86_400_000, `${data[i - 1].date} → ${data[i].date}`);
        }
    }

    before(async () => {
        org = await createOrg(`SDK Usage ${process.pid}`);
        assert.equal(org.timezoneId, PRAGUE);
    });

    after(async () => {
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('GET /usage and ?organizationTimezone=true return 30 empty days, oldest first', async () => {
        for (const query of [undefined, { organizationTimezone: true }]) {
            const res = await usage(query);
            assert.deepEqual(Object.keys(res), ['data']);
            checkShape(res.data);
            assert.ok(res.data.every((d) => d.operations === 0 && d.dataTransfer === 0 && d.centicredits === 0));
        }
        assert.equal((await usage({ organizationTimezone: true })).data.at(-1).date, pragueNow().date);
    });

    it('after `orgd usage add` for today in Prague, the organization-timezone answer has 7 operations that day', async () => {
        // Booked at the current Prague wall-clock time: always today locally and within this UTC month.
        const now = pragueNow();
        today = now.date;
        await orgdCli('usage', 'add', '--organization', String(org.id), '--date', now.date, '--time', now.time,
            '--operations', '7', '--data-transfer', '100');
        const { data } = await usage({ organizationTimezone: true });
        checkShape(data);
        const last = data.at(-1);
        assert.deepEqual(last, { date: today, operations: 7, dataTransfer: 100, centicredits: 0 });
        assert.deepEqual(data.filter((d) => d.operations !== 0), [last]);
        // In the caller's timezone the same usage falls on one (possibly different) day.
        const mine = (await usage()).data;
        checkShape(mine);
        assert.equal(mine.reduce((s, d) => s + d.operations, 0), 7);
        assert.equal(mine.reduce((s, d) => s + d.dataTransfer, 0), 100);
    });

    it('the organization detail counts it: operations "7", transfer "100" (strings)', async () => {
        const got = await make.organizations.get(org.id);
        assert.equal(got.operations, '7');
        assert.equal(got.transfer, '100');
        assert.equal(got.unusedOperations, String(got.license.operations - 7));
        assert.equal(got.unusedTransfer, String(got.license.transfer - 100));
    });
});

describe('feature controls', () => {
    let org;
    let controls;
    const fc = (opts) => make.fetch(`/organizations/${org.id}/feature-controls`, opts);
    const NAMES = ['make_ai_tools', 'make_ai_agents', 'make_code', 'custom_functions', 'mcp_server', 'public_templates'];

    before(async () => {
        org = await createOrg(`SDK Features ${process.pid}`);
    });

    after(async () => {
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('GET /feature-controls lists the six controls, id descending, all enabled', async () => {
        const res = await fc();
        assert.deepEqual(Object.keys(res), ['enableAllControlFeatures', 'featureControls']);
        assert.equal(res.enableAllControlFeatures, true);
        controls = res.featureControls;
        assert.equal(controls.length, 6);
        const ids = controls.map((c) => c.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
        assert.deepEqual(controls.map((c) => c.name).sort(), [...NAMES].sort());
        for (const c of controls) {
            assert.deepEqual(Object.keys(c), ['id', 'name', 'label', 'description', 'tags', 'warning_message', 'enabled']);
            assert.equal(typeof c.id, 'number');
            for (const k of ['label', 'description', 'warning_message']) {
                assert.deepEqual(Object.keys(c[k]), ['en'], k);
                assert.equal(typeof c[k].en, 'string');
                assert.ok(c[k].en.length > 0, `${c.name}.${k}`);
            }
            assert.ok(Array.isArray(c.tags) && c.tags.length > 0);
            assert.equal(c.enabled, true);
        }
        const tools = controls.find((c) => c.name === 'make_ai_tools');
        assert.deepEqual(tools.label, { en: 'Make AI Tools' });
        assert.deepEqual(tools.tags, ['ai', 'tools']);
    });

    it('?featureControlName=Make AI Tools (the label) returns only make_ai_tools', async () => {
        const res = await fc({ query: { featureControlName: 'Make AI Tools' } });
        assert.equal(res.featureControls.length, 1);
        assert.equal(res.featureControls[0].name, 'make_ai_tools');
        assert.deepEqual(res.featureControls[0], controls.find((c) => c.name === 'make_ai_tools'));
        const byName = await fc({ query: { featureControlName: 'make_code' } });
        assert.deepEqual(byName.featureControls.map((c) => c.name), ['make_code']);
    });

    it('PATCH {id, enabled: false} disables one; enableAllControlFeatures becomes false', async () => {
        const target = controls.find((c) => c.name === 'make_ai_tools');
        const res = await fc({ method: 'PATCH', body: { id: target.id, enabled: false } });
        assert.deepEqual(res, { featureControls: { id: target.id, enabled: false } });
        const after_ = await fc();
        assert.equal(after_.enableAllControlFeatures, false);
        assert.deepEqual(after_.featureControls.filter((c) => !c.enabled).map((c) => c.id), [target.id]);
        assert.deepEqual(
            await fc({ method: 'PATCH', body: { id: target.id, enabled: true } }),
            { featureControls: { id: target.id, enabled: true } },
        );
        assert.equal((await fc()).enableAllControlFeatures, true);
    });

    it('PATCH with an unknown id throws MakeError 404', async () => {
        const id = Math.max(...controls.map((c) => c.id)) + 10_000;
        const err = await expectMakeError(fc({ method: 'PATCH', body: { id, enabled: false } }), 404);
        assert.equal(err.message, `Feature control ${id} not found.`);
    });
});

describe('TFA enforcement', () => {
    let org;
    let carol; // SDK client of a member without TFA
    const tfa = (body) => make.fetch(`/organizations/${org.id}/tfa-enforcement`, { method: 'PATCH', body });
    const enforced = async () =>
        (await make.fetch(`/organizations/${org.id}`, { query: { cols: ['tfaEnforced'] } })).organization;

    before(async () => {
        org = await createOrg(`SDK TFA ${process.pid}`);
        carol = client(await addUser('carol@example.com', 'Carol'));
        await make.fetch(`/organizations/${org.id}/invite`, {
            method: 'POST',
            body: { email: 'carol@example.com', name: 'Carol', usersRoleId: 13 },
        });
        const inv = (await carol.fetch('/users/me/organization-invitations')).userOrganizationInvitations
            .find((i) => i.organizationId === org.id);
        assert.ok(inv, 'no invitation for Carol');
        await carol.fetch('/organizations/accept-invitation', { method: 'POST', body: { hash: inv.hash } });
    });

    after(async () => {
        // The admin's TFA flag is global: put it back so no later suite depends on the order.
        await orgdCli('users', 'tfa', '--email', 'admin@localhost', 'off').catch(() => {});
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('Carol (Member, no TFA) sees the organization while nothing is enforced', async () => {
        assert.deepEqual(await enforced(), { tfaEnforced: false });
        assert.equal((await carol.organizations.get(org.id)).id, org.id);
    });

    it('enabling it while the admin has no TFA throws MakeError 400 (IM005)', async () => {
        const err = await expectMakeError(tfa({ enable: true }), 400);
        assert.match(err.message, /^Set up two-factor authentication on your own account before enforcing it/);
        const raw = await rawError(BOOTSTRAP_TOKEN, `/organizations/${org.id}/tfa-enforcement`, {
            method: 'PATCH',
            body: { enable: true },
        });
        assert.equal(raw.code, 'IM005');
        assert.deepEqual(await enforced(), { tfaEnforced: false });
    });

    it('after `orgd users tfa --email admin@localhost on` it succeeds', async () => {
        await orgdCli('users', 'tfa', '--email', 'admin@localhost', 'on');
        assert.deepEqual(await tfa({ enable: true }), { organization: { tfaEnforced: true } });
        assert.deepEqual(await enforced(), { tfaEnforced: true });
        assert.equal((await make.organizations.get(org.id)).tfaEnforced, true);
    });

    it('Carol, a member without TFA, now gets MakeError 403 on the organization', async () => {
        const err = await expectMakeError(carol.organizations.get(org.id), 403);
        assert.match(err.message, /enforces two-factor authentication/);
        await expectMakeError(carol.fetch(`/organizations/${org.id}/variables`), 403);
    });

    it('{"enabled": false} switches it off again and Carol is back in', async () => {
        assert.deepEqual(await tfa({ enabled: false }), { organization: { tfaEnforced: false } });
        assert.deepEqual(await enforced(), { tfaEnforced: false });
        assert.equal((await carol.organizations.get(org.id)).id, org.id);
    });

    it('a Member cannot change it: MakeError 403', async () => {
        await expectMakeError(
            carol.fetch(`/organizations/${org.id}/tfa-enforcement`, { method: 'PATCH', body: { enable: false } }),
            403,
        );
    });
});

describe('billing', () => {
    let org;
    const payments = async () => (await make.fetch(`/organizations/${org.id}/payments`)).payments;

    before(async () => {
        org = await createOrg(`SDK Billing ${process.pid}`);
    });

    after(async () => {
        if (org) await make.organizations.delete(org.id).catch(() => {});
    });

    it('GET /enums/prices lists the 12 prices; teams-monthly has license.apiLimit 240', async () => {
        const { prices } = await make.fetch('/enums/prices');
        assert.deepEqual(prices.map((p) => p.id), [
            'free-monthly', 'free-yearly', 'core-monthly', 'core-yearly', 'pro-monthly', 'pro-yearly',
            'teams-monthly', 'teams-yearly', 'enterprise-monthly', 'enterprise-yearly',
            'unlimited-monthly', 'unlimited-yearly',
        ]);
        const teams = prices.find((p) => p.id === 'teams-monthly');
        assert.equal(teams.planId, 'teams');
        assert.equal(teams.productName, 'Teams');
        assert.equal(teams.interval, 'monthly');
        assert.equal(teams.currency, 'USD');
        assert.equal(teams.license.apiLimit, 240);
        for (const p of prices) assert.equal(typeof p.amount, 'number');
    });

    it('a new organization is on the default plan (Teams) with no active subscription', async () => {
        const got = await make.organizations.get(org.id);
        assert.equal(got.productName, 'Teams');
        assert.equal(got.license.apiLimit, 240);
        const { subscription } = await make.fetch(`/organizations/${org.id}/subscription`);
        assert.equal(subscription.status, 'none');
        assert.equal(subscription.subscriptionId, null);
        assert.deepEqual(await payments(), []);
    });

    it('POST /subscription {priceId: "pro-monthly"} starts it: checkoutUrl, sessionId, subscriptionId', async () => {
        const res = await make.fetch(`/organizations/${org.id}/subscription`, {
            method: 'POST',
            body: { priceId: 'pro-monthly' },
        });
        assert.match(res.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(res.checkoutUrl, `http://127.0.0.1:${port}/api/v2/checkout/${res.sessionId}`);
        assert.equal(typeof res.subscriptionId, 'number');
        assert.equal(res.customerId, org.id);
        // The SDK transport follows absolute URLs as they are.
        const { checkout } = await make.fetch(res.checkoutUrl);
        assert.deepEqual(checkout, {
            sessionId: res.sessionId,
            status: 'complete',
            organizationId: org.id,
            priceId: 'pro-monthly',
            paymentRequired: false,
        });
        const got = await make.organizations.get(org.id);
        assert.equal(got.productName, 'Pro');
        assert.equal(got.serviceName, 'pro');
        assert.equal(got.license.apiLimit, 120);
        const { subscription } = await make.fetch(`/organizations/${org.id}/subscription`);
        assert.equal(subscription.status, 'active');
        assert.equal(subscription.subscriptionId, res.subscriptionId);
        assert.equal(subscription.product.id, 'pro-monthly');
        assert.equal(subscription.product.name, 'Pro');
    });

    it('a second POST while it is active throws MakeError 400', async () => {
        const err = await expectMakeError(
            make.fetch(`/organizations/${org.id}/subscription`, { method: 'POST', body: { priceId: 'core-monthly' } }),
            400,
        );
        assert.equal(err.message, 'The organization already has an active subscription; change it with PATCH.');
        assert.equal((await make.organizations.get(org.id)).productName, 'Pro');
    });

    it('an unknown priceId throws MakeError 400 naming it', async () => {
        const err = await expectMakeError(
            make.fetch(`/organizations/${org.id}/subscription`, { method: 'PATCH', body: { priceId: 'gold-monthly' } }),
            400,
        );
        assert.match(err.message, /priceId 'gold-monthly' is not in the price list/);
    });

    it('PATCH /subscription {priceId: "enterprise-yearly"} switches to Enterprise', async () => {
        const { subscription } = await make.fetch(`/organizations/${org.id}/subscription`, {
            method: 'PATCH',
            body: { priceId: 'enterprise-yearly' },
        });
        assert.equal(subscription.status, 'active');
        assert.equal(subscription.product.id, 'enterprise-yearly');
        assert.equal(subscription.product.name, 'Enterprise');
        const got = await make.organizations.get(org.id);
        assert.equal(got.productName, 'Enterprise');
        assert.equal(got.license.apiLimit, 1000);
    });

    it('GET /payments lists the subscription, then the plan change', async () => {
        const list = await payments();
        assert.deepEqual(list.map((p) => p.type_name), ['subscription', 'plan change']);
        assert.deepEqual(list.map((p) => p.price_id), ['pro-monthly', 'enterprise-yearly']);
        assert.deepEqual(list.map((p) => p.product_name), ['Pro', 'Enterprise']);
        const { prices } = await make.fetch('/enums/prices');
        const amount = (id) => prices.find((p) => p.id === id).amount;
        assert.deepEqual(list.map((p) => p.amount_total), [amount('pro-monthly'), amount('enterprise-yearly')]);
        for (const p of list) {
            assert.equal(typeof p.amount_total, 'number');
            assert.equal(p.currency_code, 'USD');
            assert.equal(p.status_name, 'paid');
        }
    });

    it('POST /subscription-free without confirmed throws MakeError 406 (IM004)', async () => {
        const err = await expectMakeError(
            make.fetch(`/organizations/${org.id}/subscription-free`, { method: 'POST' }),
            406,
        );
        assert.equal(err.message, 'Moving to the Free plan ends the subscription at once; repeat with confirmed=true.');
        const raw = await rawError(BOOTSTRAP_TOKEN, `/organizations/${org.id}/subscription-free`, { method: 'POST' });
        assert.equal(raw.code, 'IM004');
        assert.equal((await make.organizations.get(org.id)).productName, 'Enterprise');
    });

    it('POST /subscription-free?confirmed=true moves it to Free; a third payment is recorded', async () => {
        const res = await make.fetch(`/organizations/${org.id}/subscription-free`, {
            method: 'POST',
            query: { confirmed: true },
        });
        assert.equal(res.customerId, org.id);
        assert.equal(typeof res.subscriptionId, 'number');
        const got = await make.organizations.get(org.id);
        assert.equal(got.productName, 'Free');
        assert.equal(got.license.apiLimit, 30);
        const list = await payments();
        assert.equal(list.length, 3);
        assert.deepEqual(list.map((p) => p.type_name), ['subscription', 'plan change', 'free plan']);
        assert.equal(list[2].amount_total, 0);
        assert.equal((await make.fetch(`/organizations/${org.id}/subscription`)).subscription.status, 'canceled');
    });
});

describe('installed apps', () => {
    it('GET /organizations/{id}/apps of a new organization → {installedApps: []}', async () => {
        const org = await createOrg(`SDK Apps ${process.pid}`);
        try {
            assert.deepEqual(await make.fetch(`/organizations/${org.id}/apps`), { installedApps: [] });
        } finally {
            await make.organizations.delete(org.id);
        }
    });
});
