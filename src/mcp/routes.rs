//! Which REST operation each MCP tool calls. The SDK's tools come with their definitions (`make-tools.json`, exported
//! from the pinned SDK) and get their operation here, with what the SDK's own `execute` adds to the request; orgd's
//! own tools are named here in the SDK's style (`<category>_<action>`) and take everything else from the operation's
//! OpenAPI description.

use axum::http::Method;

/// An operation's HTTP method (a copyable stand-in for [`Method`], so the tables can be constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

impl Verb {
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// The REST operation behind a tool: method and path (relative to `/api/v2`, as the OpenAPI document names it),
/// tool arguments named differently from the path segment, and query parameters the SDK always sends.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: Verb,
    pub path: &'static str,
    /// `(argument, path segment)`: the SDK's `custom-roles_update` takes `id` for `{roleId}`.
    pub renames: &'static [(&'static str, &'static str)],
    /// Sent on every call, as the SDK's method does (`confirmed=true` on deletions, `cols[]=*` on lists).
    pub fixed: &'static [(&'static str, &'static str)],
}

const fn route(method: Verb, path: &'static str) -> Route {
    Route { method, path, renames: &[], fixed: &[] }
}

const ALL_COLS: &[(&str, &str)] = &[("cols[]", "*")];
const CONFIRMED: &[(&str, &str)] = &[("confirmed", "true")];
const ROLE_ID: &[(&str, &str)] = &[("id", "roleId")];

/// The operation of each SDK tool in `make-tools.json`.
pub fn sdk_route(name: &str) -> Option<Route> {
    use Verb as M;
    Some(match name {
        "organizations_list" => Route { fixed: ALL_COLS, ..route(M::Get, "/organizations") },
        "organizations_get" => route(M::Get, "/organizations/{organizationId}"),
        "organizations_create" => route(M::Post, "/organizations"),
        "organizations_update" => route(M::Patch, "/organizations/{organizationId}"),
        "organizations_delete" => Route { fixed: CONFIRMED, ..route(M::Delete, "/organizations/{organizationId}") },
        "teams_list" => Route { fixed: ALL_COLS, ..route(M::Get, "/teams") },
        "teams_get" => route(M::Get, "/teams/{teamId}"),
        "teams_create" => route(M::Post, "/teams"),
        "teams_delete" => Route { fixed: CONFIRMED, ..route(M::Delete, "/teams/{teamId}") },
        "users_me" => route(M::Get, "/users/me"),
        "enums_countries" => route(M::Get, "/enums/countries"),
        "enums_regions" => route(M::Get, "/enums/imt-regions"),
        "enums_timezones" => route(M::Get, "/enums/timezones"),
        "connected-system_list-apps" => route(M::Get, "/enums/connected-system-apps"),
        "roles_list" => Route { fixed: ALL_COLS, ..route(M::Get, "/users/roles") },
        "roles_get" => route(M::Get, "/users/roles/{roleId}"),
        "roles_permissions" => route(M::Get, "/users/roles/permissions"),
        "custom-roles_create" => route(M::Post, "/users/custom-roles"),
        "custom-roles_update" => Route { renames: ROLE_ID, ..route(M::Patch, "/users/custom-roles/{roleId}") },
        "custom-roles_delete" => Route { renames: ROLE_ID, ..route(M::Delete, "/users/custom-roles/{roleId}") },
        "private-spaces_list" => Route { fixed: ALL_COLS, ..route(M::Get, "/private-spaces") },
        "private-spaces_get" => Route { fixed: ALL_COLS, ..route(M::Get, "/private-spaces/{privateSpaceId}") },
        "private-spaces_update" => route(M::Patch, "/private-spaces/{privateSpaceId}"),
        _ => return None,
    })
}

/// One of orgd's own tools: name, title and whether it only reads; the description and input schema come from the
/// operation's documentation.
#[derive(Debug, Clone, Copy)]
pub struct OwnTool {
    pub name: &'static str,
    pub title: &'static str,
    pub read_only: bool,
    pub destructive: bool,
    pub route: Route,
}

const fn own(name: &'static str, title: &'static str, method: Verb, path: &'static str) -> OwnTool {
    let read_only = matches!(method, Verb::Get);
    let destructive = matches!(method, Verb::Delete);
    OwnTool { name, title, read_only, destructive, route: route(method, path) }
}

/// orgd's tools for the rest of its surface: members, invitations, variables, usage, feature controls, the audit
/// log and the token's own authorization.
pub static OWN_TOOLS: &[OwnTool] = &[
    own("organization-users_list", "List organization users", Verb::Get, "/users"),
    own(
        "user-organization-roles_list",
        "List organization members' roles",
        Verb::Get,
        "/organizations/{organizationId}/user-organization-roles",
    ),
    own(
        "user-organization-roles_set",
        "Set or remove a member's organization role",
        Verb::Post,
        "/users/{userId}/user-organization-roles/{organizationId}",
    ),
    own("organizations_invite", "Invite a user", Verb::Post, "/organizations/{organizationId}/invite"),
    own("organization-invitations_list", "List my invitations", Verb::Get, "/users/me/organization-invitations"),
    own(
        "organization-variables_list",
        "List organization variables",
        Verb::Get,
        "/organizations/{organizationId}/variables",
    ),
    own(
        "organization-variables_create",
        "Create organization variable",
        Verb::Post,
        "/organizations/{organizationId}/variables",
    ),
    own(
        "organization-variables_update",
        "Update organization variable",
        Verb::Patch,
        "/organizations/{organizationId}/variables/{variableName}",
    ),
    own(
        "organization-variables_delete",
        "Delete organization variable",
        Verb::Delete,
        "/organizations/{organizationId}/variables/{variableName}",
    ),
    own("organizations_usage", "Get organization usage", Verb::Get, "/organizations/{organizationId}/usage"),
    own(
        "feature-controls_list",
        "List feature controls",
        Verb::Get,
        "/organizations/{organizationId}/feature-controls",
    ),
    own(
        "feature-controls_set",
        "Switch a feature control",
        Verb::Patch,
        "/organizations/{organizationId}/feature-controls",
    ),
    own("audit-logs_list", "List organization audit log", Verb::Get, "/audit-logs/v2/organization/{organizationId}"),
    own("users_current-authorization", "Get the token's authorization", Verb::Get, "/users/me/current-authorization"),
];
