//! `GET /private-spaces`, `GET`/`PATCH /private-spaces/{privateSpaceId}`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{dto, licensed, period};
use crate::access::OrgMember;
use crate::api::body::Draft;
use crate::api::openapi::answers::NotAMember;
use crate::api::params::{Columns, PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::private_spaces::lowers_below_use;
use crate::domain::scopes::{PrivateSpacesRead, PrivateSpacesWrite, Requirement};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::private_spaces::{PrivateSpace, SpaceLimit};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_spaces)).routes(routes!(get_space, update_space))
}

/// Make's list and detail columns; `operations`, `transfer` and `centicredits` only when asked for.
pub const COLUMNS: Columns = Columns { all: ALL, default: DEFAULT };

const ALL: &[&str] = &[
    "id",
    "name",
    "organizationId",
    "globalAgentsEnabled",
    "type",
    "privateSpaceOwnerName",
    "privateSpaceOwnerEmail",
    "privateSpaceOwnerId",
    "operationsLimit",
    "transferLimit",
    "consumedOperations",
    "consumedTransfer",
    "isPaused",
    "consumedCenticredits",
    "operations",
    "transfer",
    "centicredits",
];

const DEFAULT: &[&str] = &[
    "id",
    "name",
    "organizationId",
    "globalAgentsEnabled",
    "type",
    "privateSpaceOwnerName",
    "privateSpaceOwnerEmail",
    "privateSpaceOwnerId",
    "operationsLimit",
    "transferLimit",
    "consumedOperations",
    "consumedTransfer",
    "isPaused",
    "consumedCenticredits",
];

pub const PAGE: PageSpec = PageSpec { sortable: &["name"], default_sort: "name", default_limit: MAX_LIMIT };

/// `GET /private-spaces?organizationId=`: every space of the organization, for members with `personal team manage`.
#[utoipa::path(get, path = "/private-spaces", operation_id = "list", params(dto::ListQuery),
    security(("Token" = ["private-spaces:read"])),
    responses(
        (status = 200, description = "The organization's private spaces.", body = dto::SpaceList),
        (status = 400, description = "A missing or bad `organizationId`, `cols[]` or `pg[...]`.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, no `personal team manage`, or private spaces not licensed (`IM903`).", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn list_spaces(
    State(state): State<AppState>,
    scoped: Scoped<PrivateSpacesRead>,
    q: Params,
) -> Result<Reply<dto::SpaceList>> {
    let org_id = q.required_id("organizationId")?;
    let cols = q.cols(&COLUMNS)?;
    let page = q.page(&PAGE)?;
    let external_id = q.get("externalId").filter(|s| !s.is_empty());
    let m = OrgMember::resolve(&state, scoped, org_id).await?;
    licensed(&state, &m.org)?;
    let g = m.require::<perms::PersonalTeamManage>()?;
    let spaces = state.store.private_spaces(&g, external_id, &page, period(&state)).await?;
    let license = &state.plan(&m.org.plan).1.license;
    let list = spaces.iter().map(|s| COLUMNS.select(dto::PrivateSpace::new(s, license), cols.as_deref())).collect();
    Ok(Reply(dto::SpaceList { private_spaces: list, pg: page }))
}

/// The space `id` and the caller's membership in its organization, if the caller may see it: its owner (with
/// `personal team own view`) or a member with `personal team manage`. Anyone else, a stranger included, is told
/// there is no such space, as Make answers.
async fn visible<S: Requirement>(state: &AppState, scoped: Scoped<S>, id: i64) -> Result<(PrivateSpace, OrgMember<S>)> {
    let missing = || ApiError::NotFound(format!("Private space {id} not found."));
    let space = state.store.private_space(id, period(state)).await?.ok_or_else(missing)?;
    let m = match OrgMember::resolve(state, scoped, space.organization_id).await {
        Err(ApiError::Forbidden(_)) => return Err(missing()),
        other => other?,
    };
    licensed(state, &m.org)?;
    let own = space.owner_id == m.caller.user.id && m.require::<perms::PersonalTeamOwnView>().is_ok();
    if own || m.require::<perms::PersonalTeamManage>().is_ok() {
        Ok((space, m))
    } else {
        Err(missing())
    }
}

/// `GET /private-spaces/{privateSpaceId}`.
#[utoipa::path(get, path = "/private-spaces/{privateSpaceId}", operation_id = "detail", params(dto::DetailQuery),
    security(("Token" = ["private-spaces:read"])),
    responses(
        (status = 200, description = "The space.", body = dto::SpaceDetail),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "No scope, or private spaces not licensed (`IM903`).", body = ErrorBody),
        (status = 404, description = "No such space, or the caller is neither its owner nor a member with `personal team manage`.", body = ErrorBody),
    ))]
async fn get_space(
    State(state): State<AppState>,
    scoped: Scoped<PrivateSpacesRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::SpaceDetail>> {
    let cols = q.cols(&COLUMNS)?;
    let (space, m) = visible(&state, scoped, path.id("privateSpaceId")?).await?;
    let license = &state.plan(&m.org.plan).1.license;
    Ok(Reply(dto::SpaceDetail {
        private_space: COLUMNS.select(dto::PrivateSpace::new(&space, license), cols.as_deref()),
    }))
}

/// `PATCH /private-spaces/{privateSpaceId}` with `{operationsLimit}`: a limit below what the space used this
/// period needs `confirmed=true` (else IM004) and pauses the space; a limit above it lets the space run again.
#[utoipa::path(patch, path = "/private-spaces/{privateSpaceId}", operation_id = "update", params(dto::UpdateQuery),
    request_body = dto::UpdateSpace,
    security(("Token" = ["private-spaces:write"])),
    responses(
        (status = 200, description = "The space as it is now.", body = dto::SpaceUpdated),
        (status = 400, description = "A bad id, `confirmed` or body.", body = ErrorBody),
        NotAMember,
        (status = 403, description = "No `personal team manage`, or private spaces not licensed (`IM903`).", body = ErrorBody),
        (status = 404, description = "No such space in an organization of the caller's.", body = ErrorBody),
        (status = 406, description = "The limit is below the space's use and `confirmed=true` is missing (`IM004`).", body = ErrorBody),
    ))]
async fn update_space(
    State(state): State<AppState>,
    scoped: Scoped<PrivateSpacesWrite>,
    path: PathIds,
    q: Params,
    Draft { body, problems }: Draft<dto::UpdateSpace>,
) -> Result<Reply<dto::SpaceUpdated>> {
    let id = path.id("privateSpaceId")?;
    let confirmed = q.bool("confirmed", false)?;
    problems.finish()?;
    let (space, m) = visible(&state, scoped, id).await?;
    let g = m.require::<perms::PersonalTeamManage>()?;
    let operations_limit = if body.operations_limit.sent() {
        body.operations_limit.into_inner().map(|n| n.0)
    } else {
        space.operations_limit
    };
    let pause = lowers_below_use(operations_limit, space.consumed_operations);
    if pause && !confirmed {
        return Err(ApiError::ConfirmationRequired(format!(
            "The space used {} operations this period, more than {}; repeat with confirmed=true to set it and pause the space.",
            space.consumed_operations,
            operations_limit.unwrap_or_default()
        )));
    }
    state.store.set_space_limit(&g, id, SpaceLimit { operations_limit, pause }).await?;
    let missing = || ApiError::NotFound(format!("Private space {id} not found."));
    let now = state.store.private_space(id, period(&state)).await?.ok_or_else(missing)?;
    let license = &state.plan(&m.org.plan).1.license;
    Ok(Reply(dto::SpaceUpdated { private_space: dto::UpdatedSpace::new(&now, license) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<dto::PrivateSpace>(), ALL);
    }
}
