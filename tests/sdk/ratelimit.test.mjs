// The official SDK against orgd's rate limit: a 429 with Retry-After makes the SDK (retry.onRateLimit) wait and
// retry, and the retry succeeds. Needs a built binary (ORGD_BIN or ../../target/debug/orgd).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Make } from '@makehq/sdk';

const here = dirname(fileURLToPath(import.meta.url));
const ORGD_BIN = process.env.ORGD_BIN || join(here, '../../target/debug/orgd');
const TOKEN = '8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a';

let server;
let dir;
let base;

function start() {
    dir = mkdtempSync(join(tmpdir(), 'orgd-sdk-rate-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ORGD_')));
    Object.assign(env, {
        ORGD_BIND: '127.0.0.1:0',
        ORGD_DATABASE_URL: `sqlite://${join(dir, 'orgd.db')}`,
        ORGD_BOOTSTRAP_TOKEN: TOKEN,
        ORGD_RATE_LIMIT: 'on',
        // The hosted catalogue's Free plan (30 requests a minute), so the limit is reached quickly.
        ORGD_DEFAULT_PLAN: 'free',
    });
    return new Promise((resolve, reject) => {
        server = spawn(ORGD_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let log = '';
        server.stderr.on('data', (chunk) => {
            log += chunk;
            const m = /listening on (\S+)/.exec(log);
            if (m && !base) {
                base = m[1];
                resolve();
            }
        });
        server.on('exit', (code) => reject(new Error(`orgd exited (${code}):\n${log}`)));
    });
}

async function raw(path, init = {}) {
    const res = await fetch(`http://${base}/api/v2${path}`, {
        ...init,
        headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json', ...(init.headers || {}) },
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('rate limits through the SDK', () => {
    before(start);
    after(() => {
        server?.kill('SIGKILL');
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a 429 with Retry-After lets retry.onRateLimit succeed after the wait', { timeout: 90_000 }, async () => {
        const created = await raw('/organizations', {
            method: 'POST',
            body: JSON.stringify({ name: 'Limited', regionId: 1, timezoneId: 113, countryId: 1 }),
        });
        assert.equal(created.status, 200);
        const id = created.body.organization.id;
        assert.equal(created.body.organization.license.apiLimit, 30);
        // Spend the Free plan's 30 requests of this minute. Windows are calendar minutes, so a minute may end
        // among these requests and start the count again: 61 span at most two windows, and one of them is refused.
        let refused;
        for (let i = 0; i < 61 && !refused; i++) {
            const r = await raw(`/organizations/${id}`);
            if (r.status === 429) refused = r;
        }
        assert.ok(refused, 'a request past the minute\'s 30 is refused');
        assert.equal(refused.body.code, 'SC429');
        const wait = Number(refused.headers.get('retry-after'));
        assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);

        const make = new Make(TOKEN, base, { retry: { onRateLimit: true, maxRetries: 3, maxDelay: 65_000 } });
        make.protocol = 'http';
        const started = Date.now();
        const org = await make.organizations.get(id);
        assert.equal(org.name, 'Limited');
        assert.ok(Date.now() - started >= (wait - 1) * 1000, 'the SDK waited for the window to reset');

        const metrics = await (await fetch(`http://${base}/metrics`)).text();
        const line = metrics.split('\n').find((l) => l.includes('route="/api/v2/organizations/{organizationId}"') && l.includes('status="429"') && l.startsWith('orgd_http_requests_total'));
        assert.ok(line && Number(line.split(' ').pop()) >= 2, `the server refused the SDK too: ${line}`);
    });
});
