//! Role definitions (`/users/roles`) and `GET /organizations/{organizationId}/check-team-permission`, both served
//! from the role tables.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::openapi::answers::{BadId, LacksScope, NoSuchOrganization, NotAMember};
use crate::api::params::{Columns, Params};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::roles::{self, Category, OrgPermission, ROLES, TEAM_PERMISSIONS};
use crate::domain::scopes::{OrgRead, UserRead};
use crate::error::{ApiError, ErrorBody, Result};
use dto::RoleCategory;

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

/// `GET /users/roles`: `category`, `roleId`, `excludeRole[]`, `cols[]`. orgd has no custom roles, so
/// `organizationId`/`teamId` only get validated.
#[utoipa::path(get, path = "/users/roles", operation_id = "list", params(dto::ListQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The role definitions.", body = dto::UsersRoles),
        (status = 400, description = "A bad parameter.", body = ErrorBody),
        LacksScope,
    ))]
async fn list_roles(Scoped { .. }: Scoped<UserRead>, q: Params) -> Result<Reply<dto::UsersRoles>> {
    let cols = q.cols(&COLUMNS)?;
    let category = match q.get("category") {
        None | Some("") => None,
        Some("organization") => Some(Category::Organization),
        Some("team") => Some(Category::Team),
        Some(_) => return Err(ApiError::field("category", "category must be organization or team")),
    };
    let role_id = q.optional_id("roleId")?;
    let exclude = q.id_list("excludeRole")?;
    q.optional_id("organizationId")?;
    q.optional_id("teamId")?;
    let list = ROLES
        .iter()
        .filter(|r| category.is_none_or(|c| r.category == c))
        .filter(|r| role_id.is_none_or(|id| r.id == id))
        .filter(|r| !exclude.contains(&r.id))
        .map(|r| COLUMNS.select(&dto::UsersRole::from(r), cols.as_deref()))
        .collect();
    Ok(Reply(dto::UsersRoles { users_roles: list }))
}

/// `GET /users/roles/{roleId}`: one role with every column.
#[utoipa::path(get, path = "/users/roles/{roleId}", operation_id = "detail", params(dto::RolePath),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The role.", body = dto::UsersRoleDetail),
        BadId,
        LacksScope,
        (status = 404, description = "No such role.", body = ErrorBody),
    ))]
async fn get_role(Scoped { .. }: Scoped<UserRead>, path: PathIds) -> Result<Reply<dto::UsersRoleDetail>> {
    let id = path.id("roleId")?;
    let role = roles::role(id).ok_or_else(|| ApiError::NotFound(format!("Role {id} not found.")))?;
    Ok(Reply(dto::UsersRoleDetail { users_role: role.into() }))
}

/// `GET /users/roles/permissions?roleCategory=`: the permission catalogue.
#[utoipa::path(get, path = "/users/roles/permissions", operation_id = "permissions", params(dto::PermissionsQuery),
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The permissions.", body = dto::Permissions),
        (status = 400, description = "A bad `roleCategory`.", body = ErrorBody),
        LacksScope,
    ))]
async fn list_permissions(Scoped { .. }: Scoped<UserRead>, q: Params) -> Result<Reply<dto::Permissions>> {
    let want = match q.get("roleCategory") {
        None | Some("") => None,
        Some("organization") => Some(Category::Organization),
        Some("team") => Some(Category::Team),
        Some(_) => return Err(ApiError::field("roleCategory", "roleCategory must be organization or team")),
    };
    let org = OrgPermission::ALL.map(|p| (Category::Organization, p.name()));
    let team = TEAM_PERMISSIONS.iter().map(|p| (Category::Team, *p));
    // Ids number the whole catalogue, so a filtered list keeps each permission's id.
    let list = (1..)
        .zip(org.into_iter().chain(team))
        .filter(|(_, (cat, _))| want.is_none_or(|w| w == *cat))
        .map(|(id, (cat, name))| dto::Permission::new(id, name, RoleCategory::from(cat)))
        .collect();
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
    let has = if m.role.has_org(OrgPermission::AccessAllTeams) {
        true
    } else {
        let mine = state.store.team_roles_in_org(OrgId(m.org.id), UserId(m.caller.user.id)).await?;
        mine.iter().any(|r| roles::team_role(r.users_role_id.0).is_some_and(|role| role.has_team(perm)))
    };
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
