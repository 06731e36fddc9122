// Exports the pinned SDK's tool definitions (`@makehq/sdk/tools`, `MakeTools`) that orgd serves into
// src/mcp/make-tools.json, which orgd's MCP endpoint (src/mcp/) lists as they are: name, title, description,
// category, scope, annotations and input schema. mcp-tools.test.mjs fails when the file and the pinned SDK disagree.
//
// Run after changing the pin or SERVED: `node tests/clients/export-mcp-tools.mjs` (after `npm ci` here).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MakeTools } from '@makehq/sdk/tools';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TOOLS_FILE = path.resolve(here, '../../src/mcp/make-tools.json');

/** The SDK tools whose operations orgd serves (each has a route in src/mcp/routes.rs). */
export const SERVED = [
    'organizations_list',
    'organizations_get',
    'organizations_create',
    'organizations_update',
    'organizations_delete',
    'teams_list',
    'teams_get',
    'teams_create',
    'teams_delete',
    'users_me',
    'enums_countries',
    'enums_regions',
    'enums_timezones',
    'connected-system_list-apps',
    'roles_list',
    'roles_get',
    'roles_permissions',
    'custom-roles_create',
    'custom-roles_update',
    'custom-roles_delete',
    'private-spaces_list',
    'private-spaces_get',
    'private-spaces_update',
];

/** The served tools' definitions, without `execute` (orgd dispatches into its own handlers), in SERVED's order. */
export function servedTools() {
    return SERVED.map((name) => {
        const t = MakeTools.find((tool) => tool.name === name);
        if (!t) throw new Error(`the pinned SDK has no tool ${name}`);
        return {
            name: t.name,
            title: t.title,
            description: t.description,
            category: t.category,
            scope: t.scope ?? null,
            annotations: t.annotations,
            inputSchema: t.inputSchema,
        };
    });
}

/** The file's text: what the export writes and the test compares. */
export function toolsFileText() {
    return `${JSON.stringify(servedTools(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    writeFileSync(TOOLS_FILE, toolsFileText());
    console.log(`wrote ${SERVED.length} tools to ${TOOLS_FILE}`);
}
