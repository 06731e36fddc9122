// Shared by the client suites: the TLS material made by run.sh, a fresh orgd server on its own HTTPS, make-cli as
// a child process.
//
// The server is started with orgd's defaults (plan, rate limits, zone): only the bind address, the database, the
// bootstrap token and the certificate are set, and no ORGD_* variable of the caller's environment reaches it.
// The database is a SQLite file in a fresh temp folder, or, when TEST_POSTGRES_URL is set, a fresh uniquely named
// database on that PostgreSQL server (created and dropped with `psql`).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

// ORGD_BIN, if set, is taken relative to the working directory; the default relative to this file.
export const ORGD_BIN = process.env.ORGD_BIN
    ? path.resolve(process.env.ORGD_BIN)
    : path.resolve(here, '../../target/debug/orgd');
// A fixed UUIDv4: the SDK (and so make-cli) sends UUIDv4 keys as `Authorization: Token …`.
export const BOOTSTRAP_TOKEN = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
export const BOOTSTRAP_EMAIL = 'admin@localhost';
export const MAKE_CLI = path.join(here, 'node_modules', '.bin', 'make-cli');
// Ids orgd documents: Make's country 1 (Czech Republic) and timezone 113 (Europe/Prague) (src/domain/countries.rs,
// src/domain/timezones.rs), the one region (docs/compatibility.md) and the Owner role (src/domain/roles.rs).
export const CZECHIA = 1;
export const PRAGUE = 113;
export const REGION = 1;
export const OWNER_ROLE = 11;

const STARTUP_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 30_000;

/**
 * The CA and server certificate run.sh made with openssl. NODE_EXTRA_CA_CERTS is read once, when node starts, so
 * this process (where the SDK runs) can only trust the CA when it was started with the variable already set.
 */
export function tlsMaterial() {
    const ca = process.env.ORGD_TEST_CA;
    const cert = process.env.ORGD_TEST_CERT;
    const key = process.env.ORGD_TEST_KEY;
    if (!ca || !cert || !key) {
        throw new Error(
            'ORGD_TEST_CA, ORGD_TEST_CERT and ORGD_TEST_KEY are not set: run this suite with tests/clients/run.sh, ' +
                'which makes the CA and the server certificate and starts node with NODE_EXTRA_CA_CERTS.',
        );
    }
    if (process.env.NODE_EXTRA_CA_CERTS !== ca) {
        throw new Error(`NODE_EXTRA_CA_CERTS must be ${ca} when node starts (run tests/clients/run.sh)`);
    }
    return {
        ca,
        cert,
        key,
        caCert: new X509Certificate(readFileSync(ca)),
        serverCert: new X509Certificate(readFileSync(cert)),
    };
}

/** The caller's environment without ORGD_* settings (and without make-cli's own MAKE_* defaults). */
export function cleanEnv(extra = {}) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('ORGD_') && k !== 'MAKE_API_KEY' && k !== 'MAKE_ZONE') env[k] = v;
    }
    return { ...env, ...extra };
}

/** `base` (a postgres:// URL) with its database name replaced by `name`, query string kept. */
function withDatabase(base, name) {
    const schemeEnd = base.indexOf('://') + 3;
    const slash = base.indexOf('/', schemeEnd);
    if (slash < 0) {
        const q = base.indexOf('?', schemeEnd);
        return q < 0 ? `${base}/${name}` : `${base.slice(0, q)}/${name}${base.slice(q)}`;
    }
    const q = base.indexOf('?', slash);
    return `${base.slice(0, slash)}/${name}${q < 0 ? '' : base.slice(q)}`;
}

async function psql(sql) {
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', process.env.TEST_POSTGRES_URL, '-c', sql], {
        env: cleanEnv(),
        timeout: 30_000,
    });
}

/**
 * Starts `orgd serve` on 127.0.0.1:0 over HTTPS and resolves once it logs `listening on …`.
 * Returns { port, zone, listening, backend, stop(), log() }; `zone` is `localhost:PORT`, what the clients use.
 */
export async function startOrgd(label) {
    const tls = tlsMaterial();
    const workDir = await mkdtemp(path.join(tmpdir(), `orgd-clients-${label}-`));
    let dbUrl;
    let pgName;
    if (process.env.TEST_POSTGRES_URL) {
        pgName = `orgd_clients_${randomUUID().replaceAll('-', '')}`;
        await psql(`CREATE DATABASE ${pgName}`);
        dbUrl = withDatabase(process.env.TEST_POSTGRES_URL, pgName);
    } else {
        dbUrl = `sqlite://${path.join(workDir, 'orgd.db')}`;
    }

    let stderr = '';
    const child = spawn(ORGD_BIN, ['serve'], {
        env: cleanEnv({
            ORGD_BIND: '127.0.0.1:0',
            ORGD_DATABASE_URL: dbUrl,
            ORGD_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
            ORGD_TLS_CERT: tls.cert,
            ORGD_TLS_KEY: tls.key,
            // Only so that the `listening on` line is logged whatever RUST_LOG the caller has.
            RUST_LOG: 'orgd=info',
            NO_COLOR: '1',
        }),
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);

    async function stop() {
        process.off('exit', killOnExit);
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
        }
        if (pgName) await psql(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`).catch(() => {});
        await rm(workDir, { recursive: true, force: true });
    }

    let listening;
    try {
        listening = await new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`orgd did not log "listening on" within ${STARTUP_TIMEOUT_MS} ms.\nstderr:\n${stderr}`)),
                STARTUP_TIMEOUT_MS,
            );
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (chunk) => {
                stderr += chunk;
                // Only complete lines: a chunk may end inside the port number.
                const lines = stderr.slice(0, stderr.lastIndexOf('\n') + 1).replace(/\x1b\[[0-9;]*m/g, '');
                const m = lines.match(/listening on (\S+)/);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1]);
                }
            });
            child.on('error', (e) => {
                clearTimeout(timer);
                reject(new Error(`cannot start ${ORGD_BIN}: ${e.message}`));
            });
            child.on('exit', (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`orgd exited (code ${code}, signal ${signal}) before listening.\nstderr:\n${stderr}`));
            });
        });
    } catch (e) {
        await stop();
        throw e;
    }
    const port = Number(listening.match(/:(\d+)\/?$/)?.[1]);
    if (!Number.isInteger(port) || port <= 0) {
        await stop();
        throw new Error(`cannot read the port from "listening on ${listening}"`);
    }
    const configDir = path.join(workDir, 'config');
    await mkdir(configDir);
    return {
        port,
        zone: `localhost:${port}`,
        listening,
        backend: pgName ? 'postgres' : 'sqlite',
        dbUrl,
        configDir,
        tls,
        stop,
        log: () => stderr,
    };
}

/**
 * A new user of the running server, made with `orgd users add` on its database (with `scopes`, else orgd's default
 * ones); returns the user's API token.
 */
export async function addUser(server, email, scopes) {
    const args = ['users', 'add', '--database', server.dbUrl, '--email', email, '--name', email.split('@')[0]];
    if (scopes) args.push('--scopes', scopes.join(','));
    const { stdout } = await run(ORGD_BIN, args, { env: cleanEnv() });
    return stdout.trim();
}

/** `method` `apiPath` with a JSON body over the same HTTPS, for the steps the SDK has no method for (invitations). */
export async function rawCall(server, method, apiPath, token, body) {
    const res = await fetch(`https://${server.zone}/api/v2${apiPath}`, {
        method,
        headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
}

/** Invites `email` into `organizationId` as `usersRoleId` and accepts as them (`token`). */
export async function join(server, organizationId, email, token, usersRoleId) {
    const invite = { email, name: 'Invitee', usersRoleId };
    const sent = await rawCall(server, 'POST', `/organizations/${organizationId}/invite`, BOOTSTRAP_TOKEN, invite);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const open = await rawCall(server, 'GET', '/users/me/organization-invitations', token);
    const hash = open.body.userOrganizationInvitations.find((i) => i.organizationId === organizationId)?.hash;
    assert.ok(hash, JSON.stringify(open.body));
    const accepted = await rawCall(server, 'POST', '/organizations/accept-invitation', token, { hash });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
}

/** The raw JSON error body of a GET that must fail, read with fetch (over the same HTTPS, trusted the same way). */
export async function rawError(server, apiPath, token = BOOTSTRAP_TOKEN) {
    const res = await fetch(`https://${server.zone}/api/v2${apiPath}`, {
        headers: { authorization: `Token ${token}` },
    });
    assert.ok(res.status >= 400, `expected an error status for GET ${apiPath}, got ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    return { status: res.status, body: await res.json() };
}

/**
 * Runs make-cli (node_modules/.bin/make-cli, unchanged) with `--zone localhost:PORT --api-key TOKEN` and `args`.
 * XDG_CONFIG_HOME points into the test's folder, so no saved `make-cli login` of the caller is read.
 * Resolves with { code, stdout, stderr } whatever the exit code.
 */
export function makeCli(server, args, { token = BOOTSTRAP_TOKEN, env = {} } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(MAKE_CLI, ['--zone', server.zone, '--api-key', token, ...args], {
            env: cleanEnv({
                NODE_EXTRA_CA_CERTS: server.tls.ca,
                XDG_CONFIG_HOME: server.configDir,
                NO_COLOR: '1',
                ...env,
            }),
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
        const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
        child.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code ?? signal, stdout, stderr });
        });
    });
}

/** Describes a make-cli run (and the tail of orgd's log) for assertion messages. */
export function explain(server, args, r) {
    const log = server.log().split('\n').slice(-15).join('\n');
    return `make-cli ${args.join(' ')}\nexit: ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\norgd log (tail):\n${log}`;
}

/** Books `operations` to the organization's private space `spaceId` today (UTC), as `orgd usage add --private-space`. */
export async function bookSpaceUsage(server, organizationId, spaceId, operations) {
    const today = new Date().toISOString().slice(0, 10);
    const args = ['usage', 'add', '--database', server.dbUrl, '--organization', String(organizationId)];
    args.push('--private-space', String(spaceId), '--date', today, '--operations', String(operations));
    await run(ORGD_BIN, args, { env: cleanEnv() });
}
