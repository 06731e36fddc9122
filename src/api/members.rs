//! User–organization roles (`/organizations/{organizationId}/user-organization-roles`,
//! `/users/{userId}/user-organization-roles`) and the users of an organization (`GET /users`).

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft};
use crate::api::custom_roles;
use crate::api::openapi::answers::{BadIdOrCols, NoSuchOrganization, NotAMember};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{Columns, PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::ids::{RoleId, UserId};
use crate::domain::roles::{self, Category};
use crate::domain::scopes::{OrgRead, OrgsRead, UserRead, UserWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::MemberRole;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_member_roles))
        .routes(routes!(transfer_ownership))
        .routes(routes!(get_member_role))
        .routes(routes!(list_user_roles))
        .routes(routes!(get_user_role, set_or_remove_member_role))
        .routes(routes!(make_user_owner))
        .routes(routes!(list_organization_users))
}

const COLUMNS: Columns = Columns {
    all: &["userId", "organizationId", "usersRoleId", "invitation", "organizationTeamsCount", "joinedTeamsCount"],
    default: &["userId", "organizationId", "usersRoleId", "invitation"],
};

/// `GET /organizations/{organizationId}/user-organization-roles`.
#[utoipa::path(get, path = "/organizations/{organizationId}/user-organization-roles", operation_id = "list",
    params(dto::ListQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "Every member and invitee with their role.", body = dto::MemberRoleList),
        BadIdOrCols,
        NotAMember,
        NoSuchOrganization,
    ))]
async fn list_member_roles(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::MemberRoleList>> {
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    let roles = state.store.org_roles(&m.view()?).await?;
    let list = roles.iter().map(|r| COLUMNS.select(dto::MemberRoleFull::at(r, now), cols.as_deref())).collect();
    Ok(Reply(dto::MemberRoleList { user_organization_roles: list }))
}

/// One user's role in the member's organization (404 when the user is not in it).
async fn member_role(
    state: &AppState,
    m: &OrgMember<impl crate::domain::scopes::Requirement>,
    user_id: i64,
    q: &Params,
) -> Result<Reply<dto::MemberRoleDetail>> {
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    let role = state
        .store
        .org_roles(&m.view()?)
        .await?
        .into_iter()
        .find(|r| r.user_id == user_id)
        .ok_or_else(|| ApiError::NotFound(format!("User {user_id} is not a member of this organization.")))?;
    let role = COLUMNS.select(dto::MemberRoleFull::at(&role, now), cols.as_deref());
    Ok(Reply(dto::MemberRoleDetail { user_organization_role: role }))
}

/// `GET /organizations/{organizationId}/user-organization-roles/{userId}`.
#[utoipa::path(get, path = "/organizations/{organizationId}/user-organization-roles/{userId}", operation_id = "detail",
    params(dto::DetailQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The user's role.", body = dto::MemberRoleDetail),
        BadIdOrCols,
        NotAMember,
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn get_member_role(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::MemberRoleDetail>> {
    member_role(&state, &m, path.id("userId")?, &q).await
}

/// `GET /users/{userId}/user-organization-roles/{organizationId}`.
#[utoipa::path(get, path = "/users/{userId}/user-organization-roles/{organizationId}", operation_id = "detail_by_user",
    params(dto::ByUserQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The user's role.", body = dto::MemberRoleDetail),
        BadIdOrCols,
        NotAMember,
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn get_user_role(
    State(state): State<AppState>,
    m: OrgMember<UserRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::MemberRoleDetail>> {
    member_role(&state, &m, path.id("userId")?, &q).await
}

/// `GET /users/{userId}/user-organization-roles`: the caller's own roles, or another user's roles in the
/// organizations the caller is an active member of.
#[utoipa::path(get, path = "/users/{userId}/user-organization-roles", operation_id = "of_user", params(dto::OfUserQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The user's roles the caller may see.", body = dto::MemberRoleList),
        BadIdOrCols,
        (status = 403, description = "The token lacks the scope, or the caller shares no organization with the user.", body = ErrorBody),
        (status = 404, description = "No such user.", body = ErrorBody),
    ))]
async fn list_user_roles(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<UserRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::MemberRoleList>> {
    let user_id = path.id("userId")?;
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    if state.store.user_by_id(UserId(user_id)).await?.is_none() {
        return Err(ApiError::NotFound(format!("User {user_id} not found.")));
    }
    let theirs = state.store.user_roles(UserId(user_id)).await?;
    let visible: Vec<&MemberRole> = if user_id == caller.user.id {
        theirs.iter().collect()
    } else {
        let mine = state.store.memberships_of_user(UserId(caller.user.id)).await?;
        let shared: Vec<&MemberRole> =
            theirs.iter().filter(|r| mine.iter().any(|m| m.organization_id == r.organization_id)).collect();
        if shared.is_empty() {
            return Err(ApiError::Forbidden("Access denied. You share no organization with this user.".into()));
        }
        shared
    };
    let list = visible.iter().map(|r| COLUMNS.select(dto::MemberRoleFull::at(r, now), cols.as_deref())).collect();
    Ok(Reply(dto::MemberRoleList { user_organization_roles: list }))
}

/// `POST /users/{userId}/user-organization-roles/{organizationId}`: `{usersRoleId}` sets the role; an empty body
/// removes the user from the organization and its teams. `confirmed` and `deleteConnections` are accepted.
#[utoipa::path(post, path = "/users/{userId}/user-organization-roles/{organizationId}", operation_id = "set",
    params(dto::SetQuery),
    request_body(content = Option<dto::SetRoleBody>, description = "`{usersRoleId}` sets the role; an empty body removes the user.", content_type = "application/json"),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The role as it is now.", body = dto::MemberRoleChanged),
        (status = 400, description = "Validation failed, or the change is not possible (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization user add and edit`.", body = ErrorBody),
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn set_or_remove_member_role(
    State(state): State<AppState>,
    m: OrgMember<UserWrite>,
    path: PathIds,
    q: Params,
    Draft { body, problems }: Draft<dto::SetRoleBody>,
) -> Result<Reply<dto::MemberRoleChanged>> {
    let user_id = path.id("userId")?;
    q.bool("confirmed", false)?;
    q.bool("deleteConnections", false)?;
    let g = m.require::<perms::UserAddAndEdit>()?;
    let mut problems = problems;
    if let Some(r) = body.users_role_id.get() {
        problems.check("usersRoleId", custom_roles::assignable(&state, &m.org, r.0, Category::Organization).await?);
    }
    problems.finish()?;
    let role = body.users_role_id.into_inner().map(|r| r.0);
    let now = state.now();
    let out = match role {
        Some(role) => state.store.set_org_role(&g, UserId(user_id), RoleId(role)).await?,
        None => state.store.remove_member(&g, UserId(user_id)).await?,
    };
    Ok(Reply(dto::MemberRoleChanged { user_organization_role: dto::MemberRole::at(&out, now) }))
}

/// Makes `to` the Owner of the member's organization; only the Owner may, and becomes Admin.
async fn hand_over_ownership<S: crate::domain::scopes::Requirement>(
    state: &AppState,
    m: &OrgMember<S>,
    to: i64,
) -> Result<Reply<dto::Transferred>> {
    let g = m.owner()?;
    let now = state.now();
    let [new, old] = state.store.transfer_ownership(&g, UserId(to), now).await?;
    state.mail_queued("new Owner", g.org_id());
    let roles = vec![dto::MemberRole::at(&new, now), dto::MemberRole::at(&old, now)];
    Ok(Reply(dto::Transferred { user_organization_roles: roles }))
}

/// `POST /organizations/{organizationId}/user-organization-roles/transfer` with `{userId}`: only the Owner; the
/// previous Owner becomes Admin.
#[utoipa::path(post, path = "/organizations/{organizationId}/user-organization-roles/transfer", operation_id = "transfer",
    params(OrgPath),
    request_body = dto::TransferBody,
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The new and the previous Owner's roles.", body = dto::Transferred),
        (status = 400, description = "Validation failed, or the user is not an active member (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or not the Owner.", body = ErrorBody),
        (status = 404, description = "No such organization or member.", body = ErrorBody),
    ))]
async fn transfer_ownership(
    State(state): State<AppState>,
    m: OrgMember<OrgRead>,
    AppJson(body): AppJson<dto::TransferBody>,
) -> Result<Reply<dto::Transferred>> {
    hand_over_ownership(&state, &m, body.user_id.into_inner().0).await
}

/// `POST /users/{userId}/user-organization-roles/{organizationId}/transfer`: the ownership transfer with the new
/// Owner in the path.
#[utoipa::path(post, path = "/users/{userId}/user-organization-roles/{organizationId}/transfer",
    operation_id = "transfer_to", params(dto::TransferToPath),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The new and the previous Owner's roles.", body = dto::Transferred),
        (status = 400, description = "A bad id, or the user is not an active member (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or not the Owner.", body = ErrorBody),
        (status = 404, description = "No such organization or member.", body = ErrorBody),
    ))]
async fn make_user_owner(
    State(state): State<AppState>,
    m: OrgMember<UserWrite>,
    path: PathIds,
) -> Result<Reply<dto::Transferred>> {
    hand_over_ownership(&state, &m, path.id("userId")?).await
}

const USER_COLUMNS: Columns = Columns {
    all: &[
        "id",
        "name",
        "email",
        "language",
        "timezoneId",
        "localeId",
        "countryId",
        "features",
        "avatar",
        "lastLogin",
        "timezone",
        "locale",
        "tfaStatus",
    ],
    default: &["id", "name", "email"],
};

const USER_PAGE: PageSpec =
    PageSpec { sortable: &["id", "name", "email"], default_sort: "name", default_limit: MAX_LIMIT };

/// `GET /users?organizationId=`: active members, optionally with one `organizationRoleId`.
#[utoipa::path(get, path = "/users", operation_id = "users", params(dto::UsersQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The organization's active members.", body = dto::UserList),
        (status = 400, description = "A missing or bad `organizationId`, role, `cols[]` or `pg[...]`.", body = ErrorBody),
        NotAMember,
        NoSuchOrganization,
    ))]
async fn list_organization_users(
    State(state): State<AppState>,
    scoped: Scoped<UserRead>,
    q: Params,
) -> Result<Reply<dto::UserList>> {
    let org_id = q.required_id("organizationId")?;
    let role = q.optional_id("organizationRoleId")?;
    if let Some(r) = role {
        if roles::org_role(r).is_none() && !roles::is_custom(r) {
            return Err(ApiError::field("organizationRoleId", format!("{r} is not an organization role")));
        }
    }
    let tfa_status = match q.get("tfaStatus") {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|s| (0..=2).contains(s)).ok_or_else(|| {
            ApiError::field("tfaStatus", "tfaStatus must be 0 (not set up), 1 (set up) or 2 (enrolment started)")
        })?),
    };
    let cols = q.cols(&USER_COLUMNS)?;
    let page = q.page(&USER_PAGE)?;
    let m = OrgMember::resolve(&state, scoped, org_id).await?;
    let users = state.store.org_users(&m.view()?, role.map(RoleId), tfa_status, &page).await?;
    let list = users.iter().map(|u| USER_COLUMNS.select(dto::OrgUser::from(u), cols.as_deref()));
    Ok(Reply(dto::UserList { users: list.collect(), pg: page }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::params::schema_fields;

    #[test]
    fn columns_are_the_fields_of_the_wire_types() {
        assert_eq!(schema_fields::<dto::MemberRoleFull>(), COLUMNS.all);
        assert_eq!(schema_fields::<dto::OrgUser>(), USER_COLUMNS.all);
    }
}
