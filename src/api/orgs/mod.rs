//! Organizations: list, create, read, update and delete (`/organizations`, `/organizations/{organizationId}`).

pub mod dto;
pub mod view;

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft};
use crate::api::openapi::answers::{LacksScope, NoOrganizationEdit, NoSuchOrganization, NotAMember, NotConfirmed};
use crate::api::openapi::common::OrgPath;
use crate::api::params::Params;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::names::Name;
use crate::domain::roles;
use crate::domain::scopes::{OrgsCreate, OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{NewOrg, OrgFilter, OrgPatch};
use view::{COLUMNS_DETAIL, COLUMNS_LIST, PAGE};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_organizations, create_organization)).routes(routes!(
        get_organization,
        update_organization,
        delete_organization
    ))
}

/// `GET /organizations`: the caller's organizations, sorted and paged.
#[utoipa::path(get, path = "/organizations", operation_id = "list", params(dto::ListQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The caller's organizations.", body = dto::OrganizationList),
        (status = 400, description = "A bad `cols[]`, `pg[...]` value.", body = ErrorBody),
        LacksScope,
    ))]
async fn list_organizations(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::OrganizationList>> {
    let cols = q.cols(&COLUMNS_LIST)?;
    let page = q.page(&PAGE)?;
    let filter = OrgFilter {
        user_id: caller.user.id,
        zone: q.get("zone").filter(|z| !z.is_empty()).map(str::to_owned),
        external_id: q.get("externalId").filter(|z| !z.is_empty()).map(str::to_owned),
    };
    let orgs = state.store.list_orgs(&filter, &page).await?;
    let organizations = view::render(&state, &orgs, caller.user.id, &COLUMNS_LIST, cols.as_deref()).await?;
    Ok(Reply(dto::OrganizationList { organizations, pg: page }))
}

/// `POST /organizations`: the caller becomes Owner; a first team "My Team" is created.
#[utoipa::path(post, path = "/organizations", operation_id = "create", request_body = dto::CreateOrganization,
    security(("Token" = ["organizations:write"]), ("Token" = ["admin:write"])),
    responses(
        (status = 200, description = "The new organization and the caller's Owner role.", body = dto::OrganizationCreated),
        (status = 400, description = "Validation failed (`SC400`, one suberror per field).", body = ErrorBody),
        LacksScope,
    ))]
async fn create_organization(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<OrgsCreate>,
    AppJson(body): AppJson<dto::CreateOrganization>,
) -> Result<Reply<dto::OrganizationCreated>> {
    let dto::CreateOrganization { name, region_id: _one_region, timezone_id, country_id } = body;
    let cmd = NewOrg {
        name: name.into_inner().into_string(),
        country_id: country_id.into_inner().0,
        timezone_id: timezone_id.into_inner().0,
        zone: state.zone.to_string(),
        plan: state.config.default_plan.clone(),
        owner_id: caller.user.id,
        now: state.now(),
    };
    let (org, _team) = state.store.create_org(cmd).await?;
    Ok(Reply(dto::OrganizationCreated {
        organization: view::render_detail(&state, &org, caller.user.id).await?,
        user_organization_role: dto::OwnerRole {
            user_id: caller.user.id,
            organization_id: org.id,
            users_role_id: roles::OWNER,
            invitation: None,
        },
    }))
}

/// `GET /organizations/{organizationId}`. `wait` is accepted and has nothing to wait for on one database.
#[utoipa::path(get, path = "/organizations/{organizationId}", operation_id = "detail", params(dto::DetailQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The organization.", body = dto::OrganizationDetail),
        (status = 400, description = "A bad id, `wait` or `cols[]`.", body = ErrorBody),
        NotAMember,
        NoSuchOrganization,
    ))]
async fn get_organization(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::OrganizationDetail>> {
    m.view()?;
    q.bool("wait", false)?;
    let cols = q.cols(&COLUMNS_DETAIL)?;
    let mut one =
        view::render(&state, std::slice::from_ref(&m.org), m.caller.user.id, &COLUMNS_DETAIL, cols.as_deref()).await?;
    let organization = one.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("rendering gave none")))?;
    Ok(Reply(dto::OrganizationDetail { organization }))
}

/// `PATCH /organizations/{organizationId}`: `name`, `countryId`, `timezoneId`; absent fields keep their value.
#[utoipa::path(patch, path = "/organizations/{organizationId}", operation_id = "update", params(OrgPath),
    request_body = dto::UpdateOrganization,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The changed organization.", body = dto::OrganizationDetail),
        (status = 400, description = "Validation failed.", body = ErrorBody),
        NoOrganizationEdit,
        NoSuchOrganization,
    ))]
async fn update_organization(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    Draft { body, problems }: Draft<dto::UpdateOrganization>,
) -> Result<Reply<dto::OrganizationDetail>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    problems.finish()?;
    let patch = OrgPatch {
        name: body.name.into_inner().map(Name::into_string),
        country_id: body.country_id.into_inner().map(|c| c.0),
        timezone_id: body.timezone_id.into_inner().map(|t| t.0),
    };
    let org = state.store.update_org(&g, patch).await?;
    let organization = view::render_detail(&state, &org, m.caller.user.id).await?;
    Ok(Reply(dto::OrganizationDetail { organization }))
}

/// `DELETE /organizations/{organizationId}?confirmed=true`: deletes it with its teams and memberships.
#[utoipa::path(delete, path = "/organizations/{organizationId}", operation_id = "delete", params(dto::DeleteQuery),
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "Deleted; the answer names its id.", body = dto::OrganizationDeleted),
        (status = 400, description = "A bad id or `confirmed`.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization delete`.", body = ErrorBody),
        NoSuchOrganization,
        NotConfirmed,
    ))]
async fn delete_organization(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    q: Params,
) -> Result<Reply<dto::OrganizationDeleted>> {
    let g = m.require::<perms::OrganizationDelete>()?;
    if !q.bool("confirmed", false)? {
        return Err(ApiError::ConfirmationRequired(
            "Deleting an organization deletes its teams and data; repeat with confirmed=true.".into(),
        ));
    }
    state.store.delete_org(&g).await?;
    Ok(Reply(dto::OrganizationDeleted { organization: m.org.id }))
}
