// The official SDK (@makehq/sdk, unchanged, its default `https` protocol) against a fresh orgd over orgd's own
// HTTPS: `new Make(token, 'localhost:PORT')`, trusting the test CA through NODE_EXTRA_CA_CERTS, which run.sh sets
// before node starts (node reads it only at start-up).
//
// The flows are those of the SDK's own integration tests (integromat/make-typescript-sdk,
// test/{enums,organizations,teams,roles,custom-roles}.integration.test.ts), run against the organization this suite creates
// instead of a Make account's, plus users.me(), which make-cli's `login` and `whoami` rely on.
//
// Run with ./run.sh (see there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Make, MakeError } from '@makehq/sdk';

import {
    BOOTSTRAP_EMAIL,
    BOOTSTRAP_TOKEN,
    CZECHIA,
    PRAGUE,
    REGION,
    addUser,
    join,
    rawError,
    startOrgd,
} from './harness.mjs';

let server;
let make;

before(async () => {
    server = await startOrgd('sdk');
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
    assert.ok(error, `expected a MakeError ${status}, but the call succeeded`);
    assert.ok(error instanceof MakeError, `expected a MakeError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.statusCode, status, `status (message: ${error.message})`);
    return error;
}

describe('SDK setup', () => {
    it('talks https://localhost:PORT/api/v2 by default', () => {
        assert.equal(make.protocol, 'https');
        assert.equal(make.zone, `localhost:${server.port}`);
        assert.equal(make.version, 2);
    });
});

describe('Integration: Users', () => {
    it('Should get the current user', async () => {
        const me = await make.users.me();
        assert.equal(me.email, BOOTSTRAP_EMAIL);
        assert.ok(Number.isInteger(me.id) && me.id > 0);
        assert.equal(typeof me.name, 'string');
    });
});

describe('Integration: Enums', () => {
    it('Should list countries', async () => {
        const countries = await make.enums.countries();
        assert.ok(Array.isArray(countries) && countries.length > 0);
        const country = countries[0];
        for (const key of ['id', 'name', 'code', 'code2']) assert.notEqual(country[key], undefined, key);
        const cz = countries.find((c) => c.id === CZECHIA);
        assert.equal(cz?.code, 'CZE');
        assert.equal(cz?.code2, 'cz');
    });

    it('Should list regions', async () => {
        const regions = await make.enums.regions();
        assert.ok(Array.isArray(regions) && regions.length > 0);
        const region = regions[0];
        assert.notEqual(region.id, undefined);
        assert.notEqual(region.name, undefined);
        assert.ok(regions.some((r) => r.id === REGION), 'region 1 missing');
    });

    it('Should list timezones', async () => {
        const timezones = await make.enums.timezones();
        assert.ok(Array.isArray(timezones) && timezones.length > 0);
        const timezone = timezones[0];
        for (const key of ['id', 'name', 'code', 'offset']) assert.notEqual(timezone[key], undefined, key);
        const prague = timezones.find((z) => z.id === PRAGUE);
        assert.equal(prague?.code, 'Europe/Prague');
    });

    it('Should list connected-system apps (none on orgd)', async () => {
        const apps = await make.enums.connectedSystemApps();
        assert.deepEqual(apps, []);
    });
});

describe('Integration: Organizations, Teams, Roles', () => {
    const ORG = 'SDK Unit Test Organization';
    const ORG_UPDATED = 'SDK Unit Test Organization Updated';
    const TEAM = 'SDK Unit Test Team';
    let organizationId;
    let teamId;

    it('Should create an organization', async () => {
        const organization = await make.organizations.create({
            name: ORG,
            regionId: REGION,
            timezoneId: PRAGUE,
            countryId: CZECHIA,
        });
        assert.ok(Number.isInteger(organization.id) && organization.id > 0);
        assert.equal(organization.name, ORG);
        organizationId = organization.id;
    });

    it('Should list organizations', async () => {
        const organizations = await make.organizations.list();
        assert.ok(Array.isArray(organizations) && organizations.length >= 1);
        const created = organizations.find((org) => org.id === organizationId);
        assert.ok(created, 'the created organization is listed');
        assert.equal(created.name, ORG);
    });

    it('Should list organizations with additional columns', async () => {
        const organizations = await make.organizations.list({ cols: ['id', 'name'] });
        const created = organizations.find((org) => org.id === organizationId);
        assert.ok(created);
        assert.equal(created.name, ORG);
        assert.equal('zone' in created, false);
        assert.deepEqual(Object.keys(created).sort(), ['id', 'name']);
    });

    it('Should get an organization', async () => {
        const organization = await make.organizations.get(organizationId, { wait: true });
        assert.equal(organization.id, organizationId);
        assert.equal(organization.name, ORG);
        assert.equal(organization.countryId, CZECHIA);
        assert.equal(organization.timezoneId, PRAGUE);
    });

    it('Should update an organization', async () => {
        const organization = await make.organizations.update(organizationId, { name: ORG_UPDATED });
        assert.equal(organization.id, organizationId);
        assert.equal(organization.name, ORG_UPDATED);
        assert.equal((await make.organizations.get(organizationId)).name, ORG_UPDATED);
    });

    it('Should create a team', async () => {
        const team = await make.teams.create({ name: TEAM, organizationId });
        assert.ok(Number.isInteger(team.id) && team.id > 0);
        assert.ok(team.name.includes(TEAM));
        assert.equal(team.organizationId, organizationId);
        teamId = team.id;
    });

    it('Should get a team', async () => {
        const team = await make.teams.get(teamId);
        assert.equal(team.id, teamId);
        assert.equal(team.organizationId, organizationId);
        assert.equal(team.name, TEAM);
    });

    it('Should list teams', async () => {
        const teams = await make.teams.list(organizationId);
        assert.ok(Array.isArray(teams) && teams.length >= 1);
        const created = teams.find((t) => t.id === teamId);
        assert.ok(created, 'the created team is listed');
        assert.ok(created.name.includes(TEAM));
    });

    it('Should list roles for the organization', async () => {
        const roles = await make.roles.list({ organizationId });
        assert.ok(Array.isArray(roles) && roles.length > 0);
        const owner = roles.find((r) => r.id === 11);
        assert.equal(owner?.name, 'Owner');
    });

    // The SDK's test reads `category` without asking for it: without cols[] a role is the whole object.
    it('Should list roles for a team', async () => {
        const roles = await make.roles.list({ teamId, category: 'team' });
        assert.ok(Array.isArray(roles) && roles.length > 0);
        assert.ok(roles.every((role) => role.category === 'team'), JSON.stringify(roles));
    });

    it('Should list roles for a team, with category among the cols', async () => {
        const roles = await make.roles.list({ teamId, category: 'team', cols: ['id', 'name', 'category'] });
        assert.deepEqual(roles.map((r) => r.id).sort((a, b) => a - b), [1, 3, 4, 5, 6]);
        assert.ok(roles.every((role) => role.category === 'team'));
    });

    it('Should get a role', async () => {
        const [first] = await make.roles.list({ organizationId });
        const role = await make.roles.get(first.id);
        assert.equal(role.id, first.id);
        assert.ok(Array.isArray(role.permissions));
    });

    it('Should list role permissions', async () => {
        const permissions = await make.roles.permissions();
        assert.ok(Array.isArray(permissions) && permissions.length > 0);
        assert.ok(permissions.some((p) => p.roleCategory === 'team'));
        assert.ok(permissions.some((p) => p.roleCategory === 'organization'));
    });

    it('Should list only organization role permissions', async () => {
        const permissions = await make.roles.permissions({ roleCategory: 'organization' });
        assert.ok(permissions.length > 0);
        assert.ok(permissions.every((permission) => permission.roleCategory === 'organization'));
    });

    // customRoles (Make Enterprise; orgd's default self-hosted plan licenses them): the SDK's create, update and
    // delete, and a member holding the role gaining and then losing what it grants.
    let customRoleId;
    let holder;

    it('Should create a custom role', async () => {
        const permissions = await make.roles.permissions({ roleCategory: 'organization' });
        const teamAdd = permissions.find((p) => p.name === 'team add');
        assert.deepEqual(teamAdd.requires, ['organization view']);
        const role = await make.customRoles.create({
            name: 'SDK Team Maker',
            category: 'organization',
            organizationId,
            description: 'Creates teams.',
            permissions: [teamAdd.id],
        });
        assert.ok(role.id > 1000);
        assert.equal(role.managementType, 'custom_managed');
        assert.deepEqual(role.permissions.map((p) => p.name), ['organization view', 'team add']);
        customRoleId = role.id;
        const listed = await make.roles.list({ organizationId });
        assert.ok(listed.some((r) => r.id === customRoleId && r.managementType === 'custom_managed'));
        assert.equal((await make.roles.get(customRoleId)).name, 'SDK Team Maker');
    });

    it('Should let a holder of the custom role do what it grants, and no more once it changes', async () => {
        const token = await addUser(server, 'holder@example.com');
        await join(server, organizationId, 'holder@example.com', token, customRoleId);
        holder = new Make(token, server.zone);
        const team = await holder.teams.create({ name: 'Made by the holder', organizationId });
        assert.equal(team.organizationId, organizationId);
        await expectMakeError(holder.organizations.update(organizationId, { name: 'No' }), 403);

        const updated = await make.customRoles.update(customRoleId, { organizationId, permissions: [], description: null });
        assert.deepEqual(updated.permissions, []);
        assert.equal(updated.description, null);
        await expectMakeError(holder.teams.create({ name: 'Refused', organizationId }), 403);
        await expectMakeError(holder.teams.list(organizationId), 403);
    });

    it('Should refuse to delete a held custom role, then delete it', async () => {
        const err = await expectMakeError(make.customRoles.delete(customRoleId, { organizationId }), 400);
        assert.match(err.message, /assigned/);
        const me = await holder.users.me();
        const back = await fetch(`https://${server.zone}/api/v2/users/${me.id}/user-organization-roles/${organizationId}`, {
            method: 'POST',
            headers: { authorization: `Token ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ usersRoleId: 13 }),
        });
        assert.equal(back.status, 200);
        assert.equal(await make.customRoles.delete(customRoleId, { organizationId }), customRoleId);
        await expectMakeError(make.roles.get(customRoleId), 404);
    });

    it('Should delete a team', async () => {
        await make.teams.delete(teamId);
        const err = await expectMakeError(make.teams.get(teamId), 404);
        const { body } = await rawError(server, `/teams/${teamId}`);
        assert.equal(err.message, body.detail ?? body.message);
        assert.ok(!(await make.teams.list(organizationId)).some((t) => t.id === teamId));
    });

    it('Should delete an organization', async () => {
        await make.organizations.delete(organizationId);
        const err = await expectMakeError(make.organizations.get(organizationId), 404);
        const { body } = await rawError(server, `/organizations/${organizationId}`);
        assert.equal(err.message, body.detail ?? body.message);
        assert.ok(!(await make.organizations.list()).some((o) => o.id === organizationId));
    });
});
