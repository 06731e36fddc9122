// `orgd sandbox --seed` driven by the official SDK (@makehq/sdk, unchanged), the walk of issue 25's "Done when":
// seeded ids as declared, reset restoring them (timed), the clock expiring an invitation and dating audit entries,
// a fault rule the SDK's own retry gets through, the request log showing the injected answers, state exported from
// one sandbox and loaded into another, nothing left on disk, a bad seed refused with its JSON path.
//
// The sandbox serves HTTPS with the certificate run.sh made (it only reads the files: `--tls-cert`, `--tls-key`),
// as the SDK speaks https. It keeps its data in memory, so the PostgreSQL pass of run.sh skips this file.
//
// Run with ./run.sh (see there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Make } from '@makehq/sdk';

import { BOOTSTRAP_TOKEN, ORGD_BIN, PRAGUE, cleanEnv, tlsMaterial } from './harness.mjs';

const ANN = '5f0c9a1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b';
const BOB = '6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const SEED = {
    users: [
        { email: 'ann@example.com', name: 'Ann', tokens: [{ token: ANN, scopes: ['organizations:read', 'organizations:write'] }] },
        { email: 'bob@example.com', name: 'Bob', tokens: [{ token: BOB, scopes: ['organizations:read', 'user:read'] }] },
    ],
    organizations: [
        { name: 'Acme', owner: 'ann@example.com', plan: 'enterprise', timezoneId: PRAGUE, countryId: 1,
          members: [{ email: 'carol@example.com', usersRoleId: 13 }],
          teams: [{ name: 'Ops', members: [{ email: 'carol@example.com', usersRoleId: 3 }] }],
          variables: [{ name: 'apiUrl', typeId: 2, value: 'https://example.com' }],
          usage: [{ date: '2026-12-01', operations: 100, dataTransfer: 2048 }] },
        { name: 'Beta', owner: 'ann@example.com', plan: 'free' },
    ],
};

/** Starts `orgd sandbox ARGS` in an empty working directory with an empty TMPDIR; resolves once it listens. */
async function startSandbox(args, { expectExit = false } = {}) {
    const tls = tlsMaterial();
    const cwd = await mkdtemp(path.join(tmpdir(), 'orgd-sandbox-cwd-'));
    const tmp = await mkdtemp(path.join(tmpdir(), 'orgd-sandbox-tmp-'));
    const started = performance.now();
    const child = spawn(ORGD_BIN, ['sandbox', '--bind', '127.0.0.1:0', ...args], {
        cwd,
        env: cleanEnv({ ORGD_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN, ORGD_TLS_CERT: tls.cert, ORGD_TLS_KEY: tls.key,
                        TMPDIR: tmp, RUST_LOG: 'orgd=info', NO_COLOR: '1' }),
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const outcome = new Promise((resolve) => {
        child.stderr.on('data', (chunk) => {
            stderr += chunk;
            const m = stderr.match(/listening on (\S+)\n/);
            if (m) resolve({ addr: m[1] });
        });
        child.on('exit', (code) => resolve({ code }));
    });
    const result = await outcome;
    if (expectExit) {
        await rm(cwd, { recursive: true, force: true });
        await rm(tmp, { recursive: true, force: true });
        return { ...result, stderr: () => stderr };
    }
    assert.ok(result.addr, `the sandbox did not start:\n${stderr}`);
    const port = Number(result.addr.split(':').pop());
    const zone = `localhost:${port}`;
    // Ready: the first answer of /livez.
    await fetch(`https://${zone}/livez`);
    const readyMs = performance.now() - started;
    async function stop() {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        const left = [...(await readdir(cwd)), ...(await readdir(tmp))];
        await rm(cwd, { recursive: true, force: true });
        await rm(tmp, { recursive: true, force: true });
        return left;
    }
    return { zone, readyMs, stop, stderr: () => stderr };
}

/** A control call as the bootstrap administrator. */
async function control(sb, method, what, body) {
    const res = await fetch(`https://${sb.zone}/_orgd/${what}`, {
        method,
        headers: { authorization: `Token ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} /_orgd/${what}: ${res.status} ${await res.clone().text()}`);
    return res.status === 204 ? null : res.json();
}

async function api(sb, token, method, apiPath, body) {
    const res = await fetch(`https://${sb.zone}/api/v2${apiPath}`, {
        method,
        headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
}

describe('orgd sandbox with the SDK', { skip: process.env.TEST_POSTGRES_URL ? 'in-memory: runs on the SQLite pass' : false }, () => {
    let seedDir;
    let sb;
    let ann;

    before(async () => {
        seedDir = await mkdtemp(path.join(tmpdir(), 'orgd-sandbox-seed-'));
        await writeFile(path.join(seedDir, 'seed.json'), JSON.stringify(SEED));
        sb = await startSandbox(['--seed', path.join(seedDir, 'seed.json')]);
        console.log(`sandbox start to ready: ${sb.readyMs.toFixed(1)} ms`);
        ann = new Make(ANN, sb.zone);
    });

    after(async () => {
        await rm(seedDir, { recursive: true, force: true });
    });

    it('has the seeded ids, and a reset brings them back', async () => {
        const ids = async () => (await ann.organizations.list()).map((o) => [o.id, o.name]).sort((a, b) => a[0] - b[0]);
        assert.deepEqual(await ids(), [[1, 'Acme'], [2, 'Beta']]);
        const gamma = await ann.organizations.create({ name: 'Gamma', regionId: 1, timezoneId: PRAGUE, countryId: 1 });
        assert.equal(gamma.id, 3);
        const { durationMs } = await control(sb, 'POST', 'reset');
        console.log(`reset: ${durationMs.toFixed(2)} ms`);
        assert.deepEqual(await ids(), [[1, 'Acme'], [2, 'Beta']]);
        const again = await ann.organizations.create({ name: 'Gamma', regionId: 1, timezoneId: PRAGUE, countryId: 1 });
        assert.equal(again.id, 3, 'ids from the start again');
    });

    it('expires an invitation and dates audit entries by the sandbox clock', async () => {
        await control(sb, 'PUT', 'clock', { now: '2026-12-04T09:00:00Z' });
        const invite = await api(sb, ANN, 'POST', '/organizations/1/invite', { email: 'bob@example.com', name: 'Bob', usersRoleId: 13 });
        assert.equal(invite.status, 200, JSON.stringify(invite.body));
        const open = async () => (await api(sb, BOB, 'GET', '/users/me/organization-invitations')).body.userOrganizationInvitations;
        assert.equal((await open()).length, 1);
        await ann.organizations.update(1, { name: 'Acme Renamed' });
        const log = await api(sb, ANN, 'GET', '/audit-logs/v2/organization/1');
        // The clock stands before the seed's real start time, so these entries are not the newest: find them.
        const renamed = log.body.auditLogs.find((e) => e.eventName === 'organization_updated');
        const invited = log.body.auditLogs.find((e) => e.eventName === 'user_invited' && e.targetId === '3');
        assert.match(renamed.triggeredAt, /^2026-12-04T09:00:00/);
        assert.match(invited.triggeredAt, /^2026-12-04T09:00:00/);
        await control(sb, 'PUT', 'clock', { advanceSeconds: 8 * 86_400 });
        assert.equal((await open()).length, 0, 'expired after 7 days on the sandbox clock');
    });

    it('lets the SDK retry through two 503s and two 429s, and logs the injected answers', async () => {
        const retrying = new Make(ANN, sb.zone, { retry: { onServerError: true, onRateLimit: true, baseDelay: 50 } });
        await control(sb, 'DELETE', 'requests');
        for (const status of [503, 429]) {
            await control(sb, 'POST', 'faults', { method: 'GET', path: '/api/v2/organizations/2', status, times: 2 });
            const beta = await retrying.organizations.get(2);
            assert.equal(beta.name, 'Beta');
        }
        const { requests } = await control(sb, 'GET', 'requests?path=/api/v2/organizations/2');
        assert.deepEqual(requests.map((r) => r.status), [200, 429, 429, 200, 503, 503]);
        assert.ok(requests.every((r) => r.userId === 2 && r.method === 'GET'));
        await control(sb, 'POST', 'faults', { path: '/api/v2/organizations/2', status: 503, times: 1 });
        await assert.rejects(new Make(ANN, sb.zone).organizations.get(2), (e) => e.statusCode === 503,
            'without its retry the SDK sees the 503');
    });

    it('exports the state and loads it into another sandbox; the first leaves nothing on disk', async () => {
        const state = await control(sb, 'GET', 'state');
        const other = await startSandbox([]);
        try {
            await control(other, 'PUT', 'state', state);
            const orgs = await new Make(ANN, other.zone).organizations.list();
            assert.deepEqual(orgs.map((o) => o.name).sort(), (await ann.organizations.list()).map((o) => o.name).sort());
        } finally {
            assert.deepEqual(await other.stop(), []);
        }
        assert.deepEqual(await sb.stop(), [], 'the working directory and TMPDIR stay empty');
    });

    it('refuses a bad seed with the JSON path of its first bad value', async () => {
        const bad = structuredClone(SEED);
        bad.organizations[0].members[0].usersRoleId = '13';
        const file = path.join(seedDir, 'bad.json');
        await writeFile(file, JSON.stringify(bad));
        const run = await startSandbox(['--seed', file], { expectExit: true });
        assert.equal(run.code, 1);
        assert.match(run.stderr(), /organizations\[0\]\.members\[0\]\.usersRoleId: expected an integer/);
    });
});
