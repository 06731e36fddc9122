//! Custom roles (`POST /users/custom-roles`, `PATCH`/`DELETE /users/custom-roles/{roleId}`): an organization's own
//! roles, licensed by its plan's `customRoles`, changed by members holding `organization custom roles edit`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::ids::RoleId;
use crate::domain::permissions::PermSet;
use crate::domain::roles::{self, Category};
use crate::domain::scopes::UserWrite;
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::{perms, Granted};
use crate::store::models::Org;
use crate::store::roles::{CustomRolePatch, NewCustomRole};

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_role)).routes(routes!(update_role, delete_role))
}

/// Whether the organization's plan licenses custom roles (`license.customRoles`).
pub fn licensed(state: &AppState, org: &Org) -> bool {
    state.plan(&org.plan).1.license.custom_roles()
}

/// Whether the role `role_id` may be given in `org` as a role of `category`, or the message of the field's 400:
/// built-in roles passed their field's check already; a custom role must be the organization's, of that category,
/// on a plan that licenses custom roles.
pub async fn assignable(state: &AppState, org: &Org, role_id: i64, category: Category) -> Result<Result<(), String>> {
    if !roles::is_custom(role_id) {
        return Ok(Ok(()));
    }
    let role =
        state.store.custom_role(RoleId(role_id)).await?.filter(|r| r.organization_id == org.id && licensed(state, org));
    Ok(match role {
        Some(r) if r.category() == category => Ok(()),
        _ => Err(format!("{role_id} is not an {} role of this organization", category.name())),
    })
}

/// The caller's proof of `organization custom roles edit` in `org_id`, on a plan that licenses custom roles.
async fn editor(state: &AppState, scoped: Scoped<UserWrite>, org_id: i64) -> Result<Granted<perms::CustomRolesEdit>> {
    let m = OrgMember::resolve(state, scoped, org_id).await?;
    if !licensed(state, &m.org) {
        // 403, as Make answers an organization without the feature (the SDK's own test reads it so).
        return Err(ApiError::Forbidden("Custom roles are not available on this organization's plan.".into()));
    }
    m.require::<perms::CustomRolesEdit>()
}

/// `POST /users/custom-roles`.
#[utoipa::path(post, path = "/users/custom-roles", operation_id = "create", request_body = dto::CreateRole,
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The new role.", body = dto::RoleAnswer),
        (status = 400, description = "Validation failed: a bad field, an unknown permission or one of the other category, or a name the organization has (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, no `organization custom roles edit`, or custom roles not licensed.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn create_role(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    Draft { body, mut problems }: Draft<dto::CreateRole>,
) -> Result<Reply<dto::RoleAnswer>> {
    let category = body.category.get().copied();
    let ids = body.permissions.get().map(|i| i.0.clone()).unwrap_or_default();
    let perms = category.map(|c| PermSet::closed(c, &ids));
    if let Some(Err(e)) = &perms {
        problems.add("permissions", e.clone());
    }
    problems.finish()?;
    let g = editor(&state, scoped, body.organization_id.into_inner().0).await?;
    let role = NewCustomRole {
        category: body.category.into_inner(),
        name: body.name.into_inner().0,
        description: body.description.into_inner().map(|d| d.0),
        permissions: perms.and_then(Result::ok).unwrap_or_default(),
        now: state.now(),
    };
    let row = state.store.create_custom_role(&g, role).await?;
    Ok(Reply(dto::RoleAnswer { role: (&row).into() }))
}

/// `PATCH /users/custom-roles/{roleId}`: takes effect on the holders' next request.
#[utoipa::path(patch, path = "/users/custom-roles/{roleId}", operation_id = "update", params(dto::RolePath),
    request_body = dto::UpdateRole,
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The role as it is now.", body = dto::RoleAnswer),
        (status = 400, description = "Validation failed, or a name the organization has (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, no `organization custom roles edit`, or custom roles not licensed.", body = ErrorBody),
        (status = 404, description = "No such organization, or no such custom role in it.", body = ErrorBody),
    ))]
async fn update_role(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    path: PathIds,
    Draft { body, problems }: Draft<dto::UpdateRole>,
) -> Result<Reply<dto::RoleAnswer>> {
    let role_id = path.id("roleId")?;
    problems.finish()?;
    let g = editor(&state, scoped, body.organization_id.into_inner().0).await?;
    let permissions = match body.permissions.into_inner() {
        None => None,
        Some(ids) => Some(
            category_of(&state, &g, role_id)
                .await
                .and_then(|c| PermSet::closed(c, &ids.0).map_err(|e| ApiError::field("permissions", e)))?,
        ),
    };
    let description = body.description.sent().then(|| body.description.into_inner().map(|d| d.0));
    let patch = CustomRolePatch { name: body.name.into_inner().map(|n| n.0), description, permissions };
    let row = state.store.update_custom_role(&g, RoleId(role_id), patch).await?;
    Ok(Reply(dto::RoleAnswer { role: (&row).into() }))
}

/// The category of the organization's custom role `role_id` (404 for another organization's or none).
async fn category_of(state: &AppState, g: &Granted<perms::CustomRolesEdit>, role_id: i64) -> Result<Category> {
    let role = state.store.custom_role(RoleId(role_id)).await?.filter(|r| r.organization_id == g.org_id());
    Ok(role.ok_or_else(|| ApiError::NotFound(format!("Custom role {role_id} not found.")))?.category())
}

/// `DELETE /users/custom-roles/{roleId}` with the body `{organizationId}`: refused while anyone holds the role.
#[utoipa::path(delete, path = "/users/custom-roles/{roleId}", operation_id = "delete", params(dto::RolePath),
    request_body = dto::DeleteRole,
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The deleted role's id.", body = dto::RoleDeleted),
        (status = 400, description = "A bad id or body, or someone holds the role (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, no `organization custom roles edit`, or custom roles not licensed.", body = ErrorBody),
        (status = 404, description = "No such organization, or no such custom role in it.", body = ErrorBody),
    ))]
async fn delete_role(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    path: PathIds,
    AppJson(body): AppJson<dto::DeleteRole>,
) -> Result<Reply<dto::RoleDeleted>> {
    let role_id = path.id("roleId")?;
    let g = editor(&state, scoped, body.organization_id.into_inner().0).await?;
    state.store.delete_custom_role(&g, RoleId(role_id)).await?;
    Ok(Reply(dto::RoleDeleted { role_id }))
}
