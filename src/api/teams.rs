//! Teams (`/teams`, `/teams/{teamId}`), and team roles (`/teams/{teamId}/user-team-roles`, `POST /users/{userId}/user-team-roles/{teamId}`).

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft};
use crate::api::openapi::answers::{BadId, BadIdOrCols, NoSuchOrganization, NoSuchTeam, NotAMember, NotConfirmed};
use crate::api::params::{Columns, PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::api::{custom_roles, private_spaces};
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::ids::{RoleId, TeamId, UserId};
use crate::domain::roles::{self, Category};
use crate::domain::scopes::{TeamsRead, TeamsWrite, UserWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::grant::team_perms::{TeamDelete, TeamUserAddAndEdit};
use crate::store::models::{NewTeam, Team};

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, delete_team))
        .routes(routes!(list_team_members))
        .routes(routes!(set_or_remove_team_role))
}

const COLUMNS: Columns = Columns { all: ALL, default: &["id", "name", "organizationId"] };
/// Make's team detail also carries `scenarioDrafts` (orgd has no scenarios, so never drafts).
const COLUMNS_DETAIL: Columns = Columns { all: ALL, default: &["id", "name", "organizationId", "scenarioDrafts"] };

const ALL: &[&str] = &[
    "id",
    "name",
    "organizationId",
    "activeScenarios",
    "activeApps",
    "operations",
    "transfer",
    "centicredits",
    "operationsLimit",
    "transferLimit",
    "consumedOperations",
    "consumedTransfer",
    "consumedCenticredits",
    "isPaused",
    "type",
    "scenarioDrafts",
];

const PAGE: PageSpec = PageSpec { sortable: &["id", "name"], default_sort: "name", default_limit: MAX_LIMIT };

/// Loads a team and the caller's membership in its organization (404 for an unknown team).
async fn team_and_member<S: crate::domain::scopes::Requirement>(
    state: &AppState,
    scoped: Scoped<S>,
    team_id: i64,
) -> Result<(Team, OrgMember<S>)> {
    let team = state
        .store
        .team(TeamId(team_id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Team {team_id} not found.")))?;
    let m = OrgMember::resolve(state, scoped, team.organization_id).await?;
    Ok((team, m))
}

/// `GET /teams?organizationId=`: the organization's teams (every member sees them all); with
/// `includePrivateSpaces=true` followed by the private spaces the caller sees (their own, and the ones they
/// observe), as teams of type `personal`, after the page.
#[utoipa::path(get, path = "/teams", operation_id = "list", params(dto::ListQuery),
    security(("Token" = ["teams:read"])),
    responses(
        (status = 200, description = "The organization's teams.", body = dto::TeamList),
        (status = 400, description = "A missing or bad `organizationId`, `cols[]` or `pg[...]`.", body = ErrorBody),
        NotAMember,
        NoSuchOrganization,
    ))]
async fn list_teams(
    State(state): State<AppState>,
    scoped: Scoped<TeamsRead>,
    q: Params,
) -> Result<Reply<dto::TeamList>> {
    let org_id = q.required_id("organizationId")?;
    let cols = q.cols(&COLUMNS)?;
    let page = q.page(&PAGE)?;
    let with_spaces = q.bool("includePrivateSpaces", false)?;
    let m = OrgMember::resolve(&state, scoped, org_id).await?;
    let teams = state.store.teams_in_org(&m.view()?, &page).await?;
    let mut list: Vec<_> = teams.iter().map(|t| COLUMNS.select(dto::Team::from(t), cols.as_deref())).collect();
    if with_spaces {
        let license = &state.plan(&m.org.plan).1.license;
        for seen in private_spaces::seen_by(&state, m.caller.user.id, Some(org_id)).await? {
            if let Some(s) = state.store.private_space(seen.space.id, private_spaces::period(&state)).await? {
                list.push(COLUMNS.select(dto::Team::personal(&s, license), cols.as_deref()));
            }
        }
    }
    Ok(Reply(dto::TeamList { teams: list, pg: page }))
}

/// `POST /teams`: needs `team add`; the creator becomes the team's Team Admin.
#[utoipa::path(post, path = "/teams", operation_id = "create", request_body = dto::CreateTeam,
    security(("Token" = ["teams:write"])),
    responses(
        (status = 200, description = "The new team.", body = dto::TeamCreated),
        (status = 400, description = "Validation failed, or the plan's team limit is reached (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `team add`.", body = ErrorBody),
        NoSuchOrganization,
    ))]
async fn create_team(
    State(state): State<AppState>,
    scoped: Scoped<TeamsWrite>,
    AppJson(body): AppJson<dto::CreateTeam>,
) -> Result<Reply<dto::TeamCreated>> {
    let organization_id = body.organization_id.into_inner().0;
    let m = OrgMember::resolve(&state, scoped, organization_id).await?;
    let g = m.require::<perms::TeamAdd>()?;
    let (_, plan) = state.plan(&m.org.plan);
    let team = state
        .store
        .create_team(
            &g,
            NewTeam {
                organization_id,
                name: body.name.into_inner().into_string(),
                operations_limit: body.operations_limit.into_inner().map(|n| n.0),
                transfer_limit: body.transfer_limit.into_inner().map(|n| n.0),
                creator_id: m.caller.user.id,
                now: state.now(),
                max_teams: plan.license.teams(),
            },
        )
        .await?;
    Ok(Reply(dto::TeamCreated {
        team: dto::Team::from(&team),
        user_team_role: dto::CreatorTeamRole {
            users_role_id: roles::TEAM_ADMIN,
            user_id: m.caller.user.id,
            team_id: team.id,
            changeable: false,
        },
    }))
}

/// `GET /teams/{teamId}`.
#[utoipa::path(get, path = "/teams/{teamId}", operation_id = "detail", params(dto::DetailQuery),
    security(("Token" = ["teams:read"])),
    responses(
        (status = 200, description = "The team.", body = dto::TeamDetail),
        BadIdOrCols,
        NotAMember,
        NoSuchTeam,
    ))]
async fn get_team(
    State(state): State<AppState>,
    scoped: Scoped<TeamsRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::TeamDetail>> {
    let cols = q.cols(&COLUMNS_DETAIL)?;
    let (team, m) = team_and_member(&state, scoped, path.id("teamId")?).await?;
    m.view()?;
    Ok(Reply(dto::TeamDetail { team: COLUMNS_DETAIL.select(dto::Team::from(&team), cols.as_deref()) }))
}

/// `DELETE /teams/{teamId}?confirmed=true`: needs `team delete` in that team (the Owner has it everywhere).
#[utoipa::path(delete, path = "/teams/{teamId}", operation_id = "delete", params(dto::DeleteQuery),
    security(("Token" = ["teams:write"])),
    responses(
        (status = 200, description = "Deleted; the answer names its id.", body = dto::TeamDeleted),
        (status = 400, description = "A bad id or `confirmed`, or the organization's last team (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `team delete` in the team.", body = ErrorBody),
        NoSuchTeam,
        NotConfirmed,
    ))]
async fn delete_team(
    State(state): State<AppState>,
    scoped: Scoped<TeamsWrite>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::TeamDeleted>> {
    let (team, m) = team_and_member(&state, scoped, path.id("teamId")?).await?;
    let g = m.require_team::<TeamDelete>(&state, &team).await?;
    if !q.bool("confirmed", false)? {
        return Err(ApiError::ConfirmationRequired(
            "Deleting a team deletes everything in it; repeat with confirmed=true.".into(),
        ));
    }
    state.store.delete_team(&g).await?;
    Ok(Reply(dto::TeamDeleted { team: team.id }))
}

/// `GET /teams/{teamId}/user-team-roles`: the team's members and their team roles.
#[utoipa::path(get, path = "/teams/{teamId}/user-team-roles", operation_id = "members", params(dto::TeamPath),
    security(("Token" = ["teams:read"])),
    responses(
        (status = 200, description = "The team's members.", body = dto::TeamRoles),
        BadId,
        NotAMember,
        NoSuchTeam,
    ))]
async fn list_team_members(
    State(state): State<AppState>,
    scoped: Scoped<TeamsRead>,
    path: PathIds,
) -> Result<Reply<dto::TeamRoles>> {
    let (team, m) = team_and_member(&state, scoped, path.id("teamId")?).await?;
    m.view()?;
    let members = state.store.team_members(TeamId(team.id)).await?;
    let list = members
        .into_iter()
        .map(|m| (m.user_id.0, m.users_role_id.0))
        .map(|(user_id, users_role_id)| dto::TeamRole { user_id, team_id: team.id, users_role_id, changeable: true });
    Ok(Reply(dto::TeamRoles { user_team_roles: list.collect() }))
}

/// `POST /users/{userId}/user-team-roles/{teamId}`: body `{usersRoleId}` (a team role) sets it, an empty body
/// removes the user from the team. Needs `team user add and edit` in that team.
#[utoipa::path(post, path = "/users/{userId}/user-team-roles/{teamId}", operation_id = "set_role",
    params(dto::SetRolePath),
    request_body(content = Option<dto::SetTeamRole>, content_type = "application/json",
                 description = "`{usersRoleId}` sets the team role; an empty body removes the user from the team."),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The team role as it is now.", body = dto::TeamRoleChanged),
        (status = 400, description = "Validation failed, or the user is not an active member (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `team user add and edit` in the team.", body = ErrorBody),
        (status = 404, description = "No such team or user.", body = ErrorBody),
    ))]
async fn set_or_remove_team_role(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    path: PathIds,
    Draft { body, problems }: Draft<dto::SetTeamRole>,
) -> Result<Reply<dto::TeamRoleChanged>> {
    let user_id = path.id("userId")?;
    let (team, m) = team_and_member(&state, scoped, path.id("teamId")?).await?;
    let mut problems = problems;
    if let Some(r) = body.users_role_id.get() {
        problems.check("usersRoleId", custom_roles::assignable(&state, &m.org, r.0, Category::Team).await?);
    }
    problems.finish()?;
    let role = body.users_role_id.into_inner().map(|r| r.0);
    let g = m.require_team::<TeamUserAddAndEdit>(&state, &team).await?;
    state.store.set_team_role(&g, UserId(user_id), role.map(RoleId), state.now()).await?;
    Ok(Reply(dto::TeamRoleChanged {
        user_team_role: dto::TeamRoleChange { user_id, team_id: team.id, users_role_id: role, changeable: true },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<dto::Team>(), ALL);
    }
}
