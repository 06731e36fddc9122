//! User–organization roles (R1–R7) and the users of an organization (U5).

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::access::OrgMember;
use crate::api::body::{self, Fields, JsonObject};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{Columns, PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::api::users::user_json;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::roles;
use crate::domain::scopes::{OrgRead, OrgsRead, UserRead, UserWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::MemberRole;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{organizationId}/user-organization-roles", get(list))
        .route("/organizations/{organizationId}/user-organization-roles/transfer", post(transfer))
        .route("/organizations/{organizationId}/user-organization-roles/{userId}", get(detail))
        .route("/users/{userId}/user-organization-roles", get(of_user))
        .route("/users/{userId}/user-organization-roles/{organizationId}", get(detail_by_user).post(set))
        .route("/users/{userId}/user-organization-roles/{organizationId}/transfer", post(transfer_to))
        .route("/users", get(users))
}

const COLUMNS: Columns = Columns {
    all: &["userId", "organizationId", "usersRoleId", "invitation", "organizationTeamsCount", "joinedTeamsCount"],
    default: &["userId", "organizationId", "usersRoleId", "invitation"],
};

/// The full `userOrganizationRole` object; `invitation` is null, `pending` or `expired`.
pub fn role_full(r: &MemberRole, now: DateTime<Utc>) -> Map<String, Value> {
    let invitation = match r.invited_until {
        None => Value::Null,
        Some(until) if until > now => json!("pending"),
        Some(_) => json!("expired"),
    };
    let v = json!({
        "userId": r.user_id,
        "organizationId": r.organization_id,
        "usersRoleId": r.users_role_id,
        "invitation": invitation,
        "organizationTeamsCount": r.organization_teams_count,
        "joinedTeamsCount": r.joined_teams_count,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The default columns of a role.
pub fn role_json(r: &MemberRole, now: DateTime<Utc>) -> Value {
    COLUMNS.project(&role_full(r, now), None)
}

/// R1 `GET /organizations/{organizationId}/user-organization-roles`.
#[utoipa::path(get, path = "/organizations/{organizationId}/user-organization-roles", params(dto::ListQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "Every member and invitee with their role.", body = dto::MemberRoleList),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn list(State(state): State<AppState>, m: OrgMember<OrgsRead>, q: Params) -> Result<Reply> {
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    let list: Vec<Value> = state
        .store
        .org_roles(&m.view()?)
        .await?
        .iter()
        .map(|r| COLUMNS.project(&role_full(r, now), cols.as_deref()))
        .collect();
    Ok(Reply(json!({ "userOrganizationRoles": list })))
}

async fn one(
    state: &AppState,
    m: &OrgMember<impl crate::domain::scopes::Requirement>,
    user_id: i64,
    q: &Params,
) -> Result<Reply> {
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    let role = state
        .store
        .org_roles(&m.view()?)
        .await?
        .into_iter()
        .find(|r| r.user_id == user_id)
        .ok_or_else(|| ApiError::NotFound(format!("User {user_id} is not a member of this organization.")))?;
    Ok(Reply(json!({ "userOrganizationRole": COLUMNS.project(&role_full(&role, now), cols.as_deref()) })))
}

/// R2 `GET /organizations/{organizationId}/user-organization-roles/{userId}`.
#[utoipa::path(get, path = "/organizations/{organizationId}/user-organization-roles/{userId}", params(dto::DetailQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The user's role.", body = dto::MemberRoleDetail),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn detail(State(state): State<AppState>, m: OrgMember<OrgsRead>, path: PathIds, q: Params) -> Result<Reply> {
    one(&state, &m, path.id("userId")?, &q).await
}

/// R5 `GET /users/{userId}/user-organization-roles/{organizationId}`.
#[utoipa::path(get, path = "/users/{userId}/user-organization-roles/{organizationId}", params(dto::ByUserQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The user's role.", body = dto::MemberRoleDetail),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn detail_by_user(
    State(state): State<AppState>,
    m: OrgMember<UserRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply> {
    one(&state, &m, path.id("userId")?, &q).await
}

/// R4 `GET /users/{userId}/user-organization-roles`: the caller's own roles, or another user's roles in the
/// organizations the caller is an active member of.
#[utoipa::path(get, path = "/users/{userId}/user-organization-roles", params(dto::OfUserQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The user's roles the caller may see.", body = dto::MemberRoleList),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller shares no organization with the user.", body = ErrorBody),
        (status = 404, description = "No such user.", body = ErrorBody),
    ))]
async fn of_user(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<UserRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply> {
    let user_id = path.id("userId")?;
    let cols = q.cols(&COLUMNS)?;
    let now = state.now();
    if state.store.user_by_id(user_id).await?.is_none() {
        return Err(ApiError::NotFound(format!("User {user_id} not found.")));
    }
    let theirs = state.store.user_roles(user_id).await?;
    let visible: Vec<&MemberRole> = if user_id == caller.user.id {
        theirs.iter().collect()
    } else {
        let mine = state.store.memberships_of_user(caller.user.id).await?;
        let shared: Vec<&MemberRole> =
            theirs.iter().filter(|r| mine.iter().any(|m| m.organization_id == r.organization_id)).collect();
        if shared.is_empty() {
            return Err(ApiError::Forbidden("Access denied. You share no organization with this user.".into()));
        }
        shared
    };
    let list: Vec<Value> = visible.iter().map(|r| COLUMNS.project(&role_full(r, now), cols.as_deref())).collect();
    Ok(Reply(json!({ "userOrganizationRoles": list })))
}

/// R6 `POST /users/{userId}/user-organization-roles/{organizationId}`: `{usersRoleId}` sets the role; an empty
/// body removes the user from the organization and its teams. `confirmed` and `deleteConnections` are accepted.
#[utoipa::path(post, path = "/users/{userId}/user-organization-roles/{organizationId}", params(dto::SetQuery),
    request_body(content = Option<dto::SetRoleBody>, description = "`{usersRoleId}` sets the role; an empty body removes the user.", content_type = "application/json"),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The role as it is now.", body = dto::MemberRoleChanged),
        (status = 400, description = "Validation failed, or the change is not possible (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization user add and edit`.", body = ErrorBody),
        (status = 404, description = "No such organization, or the user is not in it.", body = ErrorBody),
    ))]
async fn set(
    State(state): State<AppState>,
    m: OrgMember<UserWrite>,
    path: PathIds,
    q: Params,
    body: JsonObject,
) -> Result<Reply> {
    let user_id = path.id("userId")?;
    q.bool("confirmed", false)?;
    q.bool("deleteConnections", false)?;
    let g = m.require::<perms::UserAddAndEdit>()?;
    let mut f = Fields::new(&body);
    let role = f.optional("usersRoleId", |v| {
        let id = body::id("usersRoleId")(v)?;
        match roles::org_role(id) {
            Some(r) if r.id == roles::OWNER => Err("Ownership changes only through the transfer endpoint".into()),
            Some(r) => Ok(r.id),
            None => Err(format!("usersRoleId {id} is not an organization role")),
        }
    });
    f.finish(|| Some(()))?;
    let now = state.now();
    let out = match role {
        Some(role) => state.store.set_org_role(&g, user_id, role).await?,
        None => state.store.remove_member(&g, user_id).await?,
    };
    Ok(Reply(json!({ "userOrganizationRole": role_json(&out, now) })))
}

async fn do_transfer<S: crate::domain::scopes::Requirement>(
    state: &AppState,
    m: &OrgMember<S>,
    to: i64,
) -> Result<Reply> {
    let g = m.owner()?;
    let now = state.now();
    let [new, old] = state.store.transfer_ownership(&g, to, now).await?;
    state.mail_queued("new Owner", g.org_id());
    Ok(Reply(json!({ "userOrganizationRoles": [role_json(&new, now), role_json(&old, now)] })))
}

/// R3 `POST /organizations/{organizationId}/user-organization-roles/transfer` with `{userId}`: only the Owner;
/// the previous Owner becomes Admin.
#[utoipa::path(post, path = "/organizations/{organizationId}/user-organization-roles/transfer", params(OrgPath),
    request_body = dto::TransferBody,
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The new and the previous Owner's roles.", body = dto::Transferred),
        (status = 400, description = "Validation failed, or the user is not an active member (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or not the Owner.", body = ErrorBody),
        (status = 404, description = "No such organization or member.", body = ErrorBody),
    ))]
async fn transfer(State(state): State<AppState>, m: OrgMember<OrgRead>, body: JsonObject) -> Result<Reply> {
    let mut f = Fields::new(&body);
    let to = f.required("userId", body::id("userId"));
    let to = f.finish(|| to)?;
    do_transfer(&state, &m, to).await
}

/// R7 `POST /users/{userId}/user-organization-roles/{organizationId}/transfer`.
#[utoipa::path(post, path = "/users/{userId}/user-organization-roles/{organizationId}/transfer", params(dto::TransferToPath),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The new and the previous Owner's roles.", body = dto::Transferred),
        (status = 400, description = "A bad id, or the user is not an active member (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or not the Owner.", body = ErrorBody),
        (status = 404, description = "No such organization or member.", body = ErrorBody),
    ))]
async fn transfer_to(State(state): State<AppState>, m: OrgMember<UserWrite>, path: PathIds) -> Result<Reply> {
    do_transfer(&state, &m, path.id("userId")?).await
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
    ],
    default: &["id", "name", "email"],
};

const USER_PAGE: PageSpec =
    PageSpec { sortable: &["id", "name", "email"], default_sort: "name", default_limit: MAX_LIMIT };

/// U5 `GET /users?organizationId=`: active members, optionally with one `organizationRoleId`.
#[utoipa::path(get, path = "/users", params(dto::UsersQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The organization's active members.", body = dto::UserList),
        (status = 400, description = "A missing or bad `organizationId`, role, `cols[]` or `pg[...]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn users(State(state): State<AppState>, scoped: Scoped<UserRead>, q: Params) -> Result<Reply> {
    let org_id = q.required_id("organizationId")?;
    let role = q.optional_id("organizationRoleId")?;
    if let Some(r) = role {
        if roles::org_role(r).is_none() {
            return Err(ApiError::field("organizationRoleId", format!("{r} is not an organization role")));
        }
    }
    let cols = q.cols(&USER_COLUMNS)?;
    let page = q.page(&USER_PAGE)?;
    let m = OrgMember::resolve(&state, scoped, org_id).await?;
    let list: Vec<Value> = state
        .store
        .org_users(&m.view()?, role, &page)
        .await?
        .iter()
        .map(|u| USER_COLUMNS.project(&user_json(u), cols.as_deref()))
        .collect();
    Ok(Reply(json!({ "users": list, "pg": page })))
}
