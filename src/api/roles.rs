//! Role definitions (`/users/roles`) and `GET /organizations/{organizationId}/check-team-permission`, both served
//! from the role tables.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::custom_roles;
use crate::api::openapi::answers::{BadId, LacksScope, NoSuchOrganization, NotAMember};
use crate::api::params::{Columns, Params};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::ids::{OrgId, RoleId, TeamId};
use crate::domain::permissions;
use crate::domain::roles::{self, Category, ROLES, TEAM_PERMISSIONS};
use crate::domain::scopes::{OrgRead, UserRead};
use crate::error::{ApiError, ErrorBody, Result};
use crate::store::roles::CustomRole;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles))
        .routes(routes!(list_permissions))
        .routes(routes!(get_role))
        .routes(routes!(check_team_permission))
}

/// Without `cols[]` a role is the whole object: the SDK's own integration test, run against Make, reads
/// `category` from a plain `roles.list()`.
const COLUMNS: Columns = Columns { all: ROLE_KEYS, default: ROLE_KEYS };
const ROLE_KEYS: &[&str] =
    &["id", "name", "identifier", "category", "subsidiary", "managementType", "description", "permissions"];

/// `GET /users/roles`: `category`, `roleId`, `excludeRole[]`, `cols[]`. With `organizationId` or `teamId` (not
/// both) also that organization's custom roles, when its plan licenses them; the caller must be a member.
#[utoipa::path(get, path = "/users/roles", operation_id = "list", params(dto::ListQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The role definitions.", body = dto::UsersRoles),
        (status = 400, description = "A bad parameter.", body = ErrorBody),
        (status = 403, description = "No scope, or not a member of the named organization.", body = ErrorBody),
        (status = 404, description = "No such organization or team.", body = ErrorBody),
    ))]
async fn list_roles(
    State(state): State<AppState>,
    scoped: Scoped<UserRead>,
    q: Params,
) -> Result<Reply<dto::UsersRoles>> {
    let cols = q.cols(&COLUMNS)?;
    let category = category_param(&q, "category")?;
    let role_id = q.optional_id("roleId")?;
    let exclude = q.id_list("excludeRole")?;
    let custom = custom_roles_for(&state, scoped, &q).await?;
    let built_in = ROLES.iter().map(dto::UsersRoleFull::from);
    let list = built_in
        .chain(custom.iter().map(dto::UsersRoleFull::from))
        .filter(|r| category.is_none_or(|c| r.category() == c))
        .filter(|r| role_id.is_none_or(|id| r.id() == id))
        .filter(|r| !exclude.contains(&r.id()))
        .map(|r| COLUMNS.select(dto::UsersRole::from(r), cols.as_deref()))
        .collect();
    Ok(Reply(dto::UsersRoles { users_roles: list }))
}

/// `category` or `roleCategory`: `organization`, `team` or absent.
fn category_param(q: &Params, key: &str) -> Result<Option<Category>> {
    match q.get(key) {
        None | Some("") => Ok(None),
        Some("organization") => Ok(Some(Category::Organization)),
        Some("team") => Ok(Some(Category::Team)),
        Some(_) => Err(ApiError::field(key, format!("{key} must be organization or team"))),
    }
}

/// The custom roles of the organization `organizationId` or `teamId` names; none without either, or when the
/// organization's plan does not license them (Make leaves them out silently then).
async fn custom_roles_for(state: &AppState, scoped: Scoped<UserRead>, q: &Params) -> Result<Vec<CustomRole>> {
    let org_id = q.optional_id("organizationId")?;
    let team_id = q.optional_id("teamId")?;
    let org_id = match (org_id, team_id) {
        (Some(_), Some(_)) => return Err(ApiError::field("teamId", "Give organizationId or teamId, not both")),
        (None, None) => return Ok(Vec::new()),
        (Some(o), None) => o,
        (None, Some(t)) => {
            state
                .store
                .team(TeamId(t))
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("Team {t} not found.")))?
                .organization_id
        }
    };
    let m = OrgMember::resolve(state, scoped, org_id).await?;
    m.view()?;
    if !custom_roles::licensed(state, &m.org) {
        return Ok(Vec::new());
    }
    Ok(state.store.custom_roles(OrgId(org_id)).await?)
}

/// `GET /users/roles/{roleId}`: one role with every column; a custom role only for members of its organization.
#[utoipa::path(get, path = "/users/roles/{roleId}", operation_id = "detail", params(dto::RolePath),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The role.", body = dto::UsersRoleDetail),
        BadId,
        LacksScope,
        (status = 404, description = "No such role (or a custom role of an organization the caller is not in).", body = ErrorBody),
    ))]
async fn get_role(
    State(state): State<AppState>,
    scoped: Scoped<UserRead>,
    path: PathIds,
) -> Result<Reply<dto::UsersRoleDetail>> {
    let id = path.id("roleId")?;
    let missing = || ApiError::NotFound(format!("Role {id} not found."));
    if let Some(role) = roles::role(id) {
        return Ok(Reply(dto::UsersRoleDetail { users_role: role.into() }));
    }
    let role = state.store.custom_role(RoleId(id)).await?.ok_or_else(missing)?;
    // A stranger learns nothing of another organization's roles: the same 404 as for no role at all.
    OrgMember::resolve(&state, scoped, role.organization_id).await.map_err(|_| missing())?;
    Ok(Reply(dto::UsersRoleDetail { users_role: (&role).into() }))
}

/// `GET /users/roles/permissions?roleCategory=`: the permission catalogue, with stable ids and prerequisites.
#[utoipa::path(get, path = "/users/roles/permissions", operation_id = "permissions", params(dto::PermissionsQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The permissions.", body = dto::Permissions),
        (status = 400, description = "A bad `roleCategory`.", body = ErrorBody),
        LacksScope,
    ))]
async fn list_permissions(Scoped { .. }: Scoped<UserRead>, q: Params) -> Result<Reply<dto::Permissions>> {
    let want = category_param(&q, "roleCategory")?;
    let list =
        permissions::catalogue().filter(|p| want.is_none_or(|w| w == p.category)).map(dto::Permission::new).collect();
    Ok(Reply(dto::Permissions { users_roles_permissions: list }))
}

/// `GET /organizations/{organizationId}/check-team-permission?teamPermission=`: whether the caller holds the
/// permission in at least one team of the organization (the Owner everywhere).
#[utoipa::path(get, path = "/organizations/{organizationId}/check-team-permission", params(dto::CheckQuery),
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "Whether the caller holds it.", body = dto::HasPermission),
        (status = 400, description = "A bad id, or a missing or unknown `teamPermission`.", body = ErrorBody),
        NotAMember,
        NoSuchOrganization,
    ))]
async fn check_team_permission(
    State(state): State<AppState>,
    m: OrgMember<OrgRead>,
    q: Params,
) -> Result<Reply<dto::HasPermission>> {
    let perm = match q.get("teamPermission") {
        None | Some("") => return Err(ApiError::field("teamPermission", "teamPermission is required")),
        Some(p) => TEAM_PERMISSIONS
            .iter()
            .find(|k| **k == p)
            .ok_or_else(|| ApiError::field("teamPermission", format!("Unknown team permission '{p}'")))?,
    };
    let has = m.holds_team_anywhere(&state, perm).await?;
    Ok(Reply(dto::HasPermission { has_permission: has }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<dto::UsersRole>(), COLUMNS.all);
    }
}
