//! The wire types of the teams (`/teams`, `/teams/{teamId}`) and of team roles (`/teams/{teamId}/user-team-roles`,
//! `POST /users/{userId}/user-team-roles/{teamId}`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{id, FromField, Id, NonNegative, Optional, Required};
use crate::api::openapi::common::{params, projectable, Name, PgEcho, TeamRoleId};
use crate::api::params::{Page, Selected};
use crate::domain::plans::License;
use crate::domain::{names, private_spaces, roles};
use crate::store::models;
use crate::store::private_spaces::PrivateSpace;

projectable! {
/// A team; with `cols[]` only the selected keys are present.
#[derive(Serialize, ToSchema)]
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
    #[schema(value_type = String, pattern = "^(standard|personal)$")]
    r#type: &'static str,
    /// Whether the team keeps scenario drafts; orgd runs no scenarios, so `false`.
    scenario_drafts: bool,
}
}

impl From<&models::Team> for Team {
    /// A stored team; orgd runs no scenarios, so every counter is 0.
    fn from(t: &models::Team) -> Self {
        Team {
            id: t.id,
            name: t.name.clone(),
            organization_id: t.organization_id,
            active_scenarios: 0,
            active_apps: 0,
            operations: 0,
            transfer: 0,
            centicredits: 0,
            operations_limit: t.operations_limit,
            transfer_limit: t.transfer_limit,
            consumed_operations: 0,
            consumed_transfer: 0,
            consumed_centicredits: 0,
            is_paused: false,
            r#type: "standard",
            scenario_drafts: false,
        }
    }
}

impl Team {
    /// A private space as Make lists it among teams (`includePrivateSpaces`), under its organization's license.
    pub fn personal(s: &PrivateSpace, license: &License) -> Self {
        Team {
            id: s.id,
            name: s.name.clone(),
            organization_id: s.organization_id,
            active_scenarios: 0,
            active_apps: 0,
            operations: s.consumed_operations,
            transfer: s.consumed_transfer,
            centicredits: s.consumed_centicredits,
            operations_limit: s.operations_limit,
            transfer_limit: private_spaces::transfer_limit(s.operations_limit, license),
            consumed_operations: s.consumed_operations,
            consumed_transfer: s.consumed_transfer,
            consumed_centicredits: s.consumed_centicredits,
            is_paused: s.is_paused,
            r#type: "personal",
            scenario_drafts: false,
        }
    }
}

/// The answer of `GET /teams`.
#[derive(Serialize, ToSchema)]
pub struct TeamList {
    #[schema(value_type = Vec<Team>)]
    pub teams: Vec<Selected<Team>>,
    #[schema(value_type = PgEcho)]
    pub pg: Page,
}

/// The answer of `GET /teams/{teamId}`.
#[derive(Serialize, ToSchema)]
pub struct TeamDetail {
    #[schema(value_type = Team)]
    pub team: Selected<Team>,
}

/// The answer of a deletion: the deleted team's id.
#[derive(Serialize, ToSchema)]
pub struct TeamDeleted {
    pub team: i64,
}

/// A user's role in a team.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRole {
    pub user_id: i64,
    pub team_id: i64,
    pub users_role_id: i64,
    pub changeable: bool,
}

// The fields are in the order the answer has always carried them (`usersRoleId` first), unlike `TeamRole`.
/// The creator's role in a new team: always Team Admin, not changeable.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatorTeamRole {
    pub users_role_id: i64,
    pub user_id: i64,
    pub team_id: i64,
    pub changeable: bool,
}

/// The answer of `POST /teams`: the team and its creator's Team Admin role.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamCreated {
    pub team: Team,
    pub user_team_role: CreatorTeamRole,
}

/// The members of a team.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoles {
    pub user_team_roles: Vec<TeamRole>,
}

/// A user's team role after a change; `usersRoleId` is `null` after a removal.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoleChange {
    pub user_id: i64,
    pub team_id: i64,
    #[schema(required = true)]
    pub users_role_id: Option<i64>,
    pub changeable: bool,
}

/// The answer to a team role change.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoleChanged {
    pub user_team_role: TeamRoleChange,
}

/// The body of `POST /teams`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeam {
    #[schema(value_type = Name)]
    pub(crate) name: Required<names::Name>,
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) organization_id: Required<Id>,
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub(crate) operations_limit: Optional<NonNegative>,
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub(crate) transfer_limit: Optional<NonNegative>,
}

/// The team role change's body: `usersRoleId` sets it, an empty body removes the user from the team.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetTeamRole {
    #[schema(value_type = Option<TeamRoleId>)]
    pub(crate) users_role_id: Optional<GrantedTeamRole>,
}

/// A team role's id.
pub struct GrantedTeamRole(pub i64);

impl FromField for GrantedTeamRole {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let id = id(key, v)?;
        // A custom role's id passes here; the handler checks it is a team role of the team's organization.
        if roles::is_custom(id) {
            return Ok(GrantedTeamRole(id));
        }
        roles::team_role(id).map(|r| GrantedTeamRole(r.id)).ok_or_else(|| format!("{key} {id} is not a team role"))
    }
}

params! {
    /// The query of `GET /teams`.
    ListQuery = [
        query_id("organizationId", true, "The organization."),
        cols(&super::COLUMNS),
        page(&super::PAGE),
        flag("includePrivateSpaces", "Also list the private spaces the caller sees (type `personal`), after the page."),
    ];
    /// The path and query of `GET /teams/{teamId}`.
    DetailQuery = [path_id("teamId", "The team's id."), cols(&super::COLUMNS)];
    /// The path and query of `DELETE /teams/{teamId}`.
    DeleteQuery = [path_id("teamId", "The team's id."), flag("confirmed", "Must be true; else 406 `IM004`.")];
    /// A team's path.
    TeamPath = [path_id("teamId", "The team's id.")];
    /// The team role change's path.
    SetRolePath = [path_id("userId", "The user's id."), path_id("teamId", "The team's id.")];
}
