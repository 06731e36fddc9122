//! Documentation-only wire types of the team endpoints (T1–T4, team roles); never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::openapi::common::{params, projectable, Name, PgEcho, TeamRoleId};

projectable! {
/// A team; with `cols[]` only the selected keys are present.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    id: i64,
    name: String,
    organization_id: i64,
    active_scenarios: i64,
    active_apps: i64,
    operations: i64,
    transfer: i64,
    centicredits: i64,
    operations_limit: Option<i64>,
    transfer_limit: Option<i64>,
    consumed_operations: i64,
    consumed_transfer: i64,
    consumed_centicredits: i64,
    is_paused: bool,
    #[schema(pattern = "^(standard|personal)$")]
    r#type: String,
    /// Whether the team keeps scenario drafts; orgd runs no scenarios, so `false`.
    scenario_drafts: bool,
}
}

/// T1's answer.
#[derive(ToSchema)]
pub struct TeamList {
    teams: Vec<Team>,
    pg: PgEcho,
}

/// T3's answer.
#[derive(ToSchema)]
pub struct TeamDetail {
    team: Team,
}

/// T4's answer: the deleted team's id.
#[derive(ToSchema)]
pub struct TeamDeleted {
    team: i64,
}

/// A user's role in a team.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRole {
    user_id: i64,
    team_id: i64,
    users_role_id: i64,
    changeable: bool,
}

/// T2's answer: the team and its creator's Team Admin role.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamCreated {
    team: Team,
    user_team_role: TeamRole,
}

/// The members of a team.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoles {
    user_team_roles: Vec<TeamRole>,
}

/// A user's team role after a change; `usersRoleId` is `null` after a removal.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoleChange {
    user_id: i64,
    team_id: i64,
    #[schema(required = true)]
    users_role_id: Option<i64>,
    changeable: bool,
}

/// The answer to a team role change.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoleChanged {
    user_team_role: TeamRoleChange,
}

/// T2's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeam {
    #[schema(value_type = Name)]
    name: String,
    #[schema(minimum = 1)]
    organization_id: i64,
    #[schema(minimum = 0)]
    operations_limit: Option<i64>,
    #[schema(minimum = 0)]
    transfer_limit: Option<i64>,
}

/// The team role change's body: `usersRoleId` sets it, an empty body removes the user from the team.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetTeamRole {
    #[schema(value_type = Option<TeamRoleId>)]
    users_role_id: Option<i64>,
}

params! {
    /// T1's query.
    ListQuery = [
        query_id("organizationId", true, "The organization."),
        cols(&super::COLUMNS),
        page(&super::PAGE),
        flag("includePrivateSpaces", "Accepted for compatibility."),
    ];
    /// T3's path and query.
    DetailQuery = [path_id("teamId", "The team's id."), cols(&super::COLUMNS)];
    /// T4's path and query.
    DeleteQuery = [path_id("teamId", "The team's id."), flag("confirmed", "Must be true; else 406 `IM004`.")];
    /// A team's path.
    TeamPath = [path_id("teamId", "The team's id.")];
    /// The team role change's path.
    SetRolePath = [path_id("userId", "The user's id."), path_id("teamId", "The team's id.")];
}
