//! `GET`/`PATCH /organizations/{organizationId}/private-spaces-settings`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{dto, licensed, period};
use crate::access::OrgMember;
use crate::api::body::Draft;
use crate::api::openapi::answers::{BadId, NoSuchOrganization, NotAMember};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{Page, Params, SortDir};
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::domain::private_spaces::lowers_below_use;
use crate::domain::scopes::{PrivateSpacesRead, PrivateSpacesWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::{perms, Granted};
use crate::store::private_spaces::{SpaceLimit, SpacesSettings};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}

/// `GET /organizations/{organizationId}/private-spaces-settings`: every member may read them.
#[utoipa::path(get, path = "/organizations/{organizationId}/private-spaces-settings", operation_id = "settings",
    params(OrgPath),
    security(("Token" = ["private-spaces:read"])),
    responses(
        (status = 200, description = "The organization's settings for private spaces.", body = dto::SettingsAnswer),
        BadId,
        (status = 403, description = "No scope, not a member, or private spaces not licensed (`IM903`).", body = ErrorBody),
        NoSuchOrganization,
    ))]
async fn get_settings(
    State(state): State<AppState>,
    m: OrgMember<PrivateSpacesRead>,
) -> Result<Reply<dto::SettingsAnswer>> {
    licensed(&state, &m.org)?;
    let g = m.view()?;
    let settings = state.store.spaces_settings(crate::domain::ids::OrgId(g.org_id())).await?;
    Ok(Reply(dto::SettingsAnswer { private_spaces_settings: settings.into() }))
}

/// `PATCH /organizations/{organizationId}/private-spaces-settings`: needs `personal team manage`. With
/// `bulkUpdateExistingLimits` every existing space gets the `defaultOperationsLimit` sent (IM005 without one);
/// a limit below a space's use needs `confirmed=true` (IM004) and pauses that space. Admins observing spaces
/// needs the plan's `privateSpacesObservability` (402).
#[utoipa::path(patch, path = "/organizations/{organizationId}/private-spaces-settings", operation_id = "update_settings",
    params(dto::SettingsQuery),
    request_body = dto::UpdateSettings,
    security(("Token" = ["private-spaces:write"])),
    responses(
        (status = 200, description = "The settings as they are now.", body = dto::SettingsAnswer),
        (status = 400, description = "Validation failed, or `bulkUpdateExistingLimits` without `defaultOperationsLimit` (`IM005`).", body = ErrorBody),
        (status = 402, description = "Admins observing spaces is not licensed (`privateSpacesObservability`).", body = ErrorBody),
        NotAMember,
        (status = 403, description = "No `personal team manage`, or private spaces not licensed (`IM903`).", body = ErrorBody),
        NoSuchOrganization,
        (status = 406, description = "A bulk limit below a space's use without `confirmed=true` (`IM004`).", body = ErrorBody),
    ))]
async fn update_settings(
    State(state): State<AppState>,
    m: OrgMember<PrivateSpacesWrite>,
    q: Params,
    Draft { body, problems }: Draft<dto::UpdateSettings>,
) -> Result<Reply<dto::SettingsAnswer>> {
    let confirmed = q.bool("confirmed", false)?;
    problems.finish()?;
    licensed(&state, &m.org)?;
    let g = m.require::<perms::PersonalTeamManage>()?;
    let bulk = body.bulk_update_existing_limits.get() == Some(&true);
    if bulk && !body.default_operations_limit.sent() {
        return Err(ApiError::InvalidInput("bulkUpdateExistingLimits needs defaultOperationsLimit.".into()));
    }
    let old = state.store.spaces_settings(crate::domain::ids::OrgId(g.org_id())).await?;
    let new = SpacesSettings {
        auto_creation: body.private_spaces_auto_creation_enabled.into_inner().unwrap_or(old.auto_creation),
        default_operations_limit: match body.default_operations_limit.sent() {
            true => body.default_operations_limit.into_inner().map(|n| n.0),
            false => old.default_operations_limit,
        },
        admins_observe: body.add_admins_as_observers.into_inner().unwrap_or(old.admins_observe),
    };
    if new.admins_observe && !old.admins_observe && !state.plan(&m.org.plan).1.license.private_spaces_observability() {
        return Err(ApiError::PaymentRequired("Admins observing private spaces needs a higher plan.".into()));
    }
    let limits = match bulk {
        true => Some(bulk_limits(&state, &g, new.default_operations_limit, confirmed).await?),
        false => None,
    };
    state.store.set_spaces_settings(&g, new, limits).await?;
    Ok(Reply(dto::SettingsAnswer { private_spaces_settings: new.into() }))
}

/// Every space of the organization with `limit`, paused where it is below its use; IM004 if any is, unconfirmed.
async fn bulk_limits(
    state: &AppState,
    g: &Granted<perms::PersonalTeamManage>,
    limit: Option<i64>,
    confirmed: bool,
) -> Result<Vec<(i64, SpaceLimit)>> {
    let all = Page { sort_by: "name", sort_dir: SortDir::Asc, limit: i64::MAX, offset: 0 };
    let spaces = state.store.private_spaces(g, None, &all, period(state)).await?;
    let out: Vec<(i64, SpaceLimit)> = spaces
        .iter()
        .map(|s| (s.id, SpaceLimit { operations_limit: limit, pause: lowers_below_use(limit, s.consumed_operations) }))
        .collect();
    let cut = out.iter().filter(|(_, l)| l.pause).count();
    if cut > 0 && !confirmed {
        return Err(ApiError::ConfirmationRequired(format!(
            "{cut} space(s) used more than the new limit this period; repeat with confirmed=true to set it and pause them."
        )));
    }
    Ok(out)
}
