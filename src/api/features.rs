//! Feature controls, TFA enforcement and the installed custom apps of an organization.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft, FromField};
use crate::api::openapi::answers::{
    BadId, BadIdOrCols, NoOrganizationEdit, NoSuchOrganization, NoSuchTeam, NotAMember,
};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{Columns, Params};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::features;
use crate::domain::ids::TeamId;
use crate::domain::scopes::{FeatureControlsWrite, OrgRead, OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_feature_controls, set_feature_control))
        .routes(routes!(list_team_feature_controls))
        .routes(routes!(set_tfa_enforcement))
        .routes(routes!(list_installed_apps))
}

const COLUMNS: Columns = Columns {
    all: &["id", "name", "label", "description", "tags", "warning_message", "enabled"],
    default: &["id", "name", "label", "description", "tags", "warning_message", "enabled"],
};

/// An organization's feature controls as the two lists answer them (`featureControlName`, `cols[]`).
async fn feature_controls(
    state: &AppState,
    g: &crate::grant::Granted<perms::OrganizationView>,
    q: &Params,
) -> Result<Reply<dto::FeatureControls>> {
    let cols = q.cols(&COLUMNS)?;
    let wanted = q.get("featureControlName").map(str::trim).filter(|s| !s.is_empty());
    let controls = state.store.feature_controls(g).await?;
    let all_enabled = controls.iter().all(|c| c.enabled);
    let list = controls
        .iter()
        .filter(|c| {
            wanted.is_none_or(|w| {
                c.name.eq_ignore_ascii_case(w)
                    || features::by_name(&c.name).is_some_and(|k| k.label.eq_ignore_ascii_case(w))
            })
        })
        .map(|c| COLUMNS.select(dto::FeatureControl::from(c), cols.as_deref()))
        .collect();
    Ok(Reply(dto::FeatureControls { enable_all_control_features: all_enabled, feature_controls: list }))
}

/// `GET /organizations/{organizationId}/feature-controls`: highest id first; `featureControlName` matches the name
/// or the English label.
#[utoipa::path(get, path = "/organizations/{organizationId}/feature-controls", operation_id = "list",
    params(dto::ListQuery),
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The feature controls.", body = dto::FeatureControls),
        BadIdOrCols,
        NotAMember,
        NoSuchOrganization,
    ))]
async fn list_feature_controls(
    State(state): State<AppState>,
    m: OrgMember<OrgRead>,
    q: Params,
) -> Result<Reply<dto::FeatureControls>> {
    feature_controls(&state, &m.view()?, &q).await
}

/// `GET /teams/{teamId}/feature-controls`: the controls of the team's organization.
#[utoipa::path(get, path = "/teams/{teamId}/feature-controls", operation_id = "list_for_team", params(dto::TeamQuery),
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The feature controls of the team's organization.", body = dto::FeatureControls),
        BadIdOrCols,
        NotAMember,
        NoSuchTeam,
    ))]
async fn list_team_feature_controls(
    State(state): State<AppState>,
    scoped: Scoped<OrgRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::FeatureControls>> {
    let id = path.id("teamId")?;
    let team =
        state.store.team(TeamId(id)).await?.ok_or_else(|| ApiError::NotFound(format!("Team {id} not found.")))?;
    let m = OrgMember::resolve(&state, scoped, team.organization_id).await?;
    feature_controls(&state, &m.view()?, &q).await
}

/// `PATCH /organizations/{organizationId}/feature-controls` with `{id, enabled}`: Owner and Admin only.
#[utoipa::path(patch, path = "/organizations/{organizationId}/feature-controls", operation_id = "set", params(OrgPath),
    request_body = dto::SetFeatureControl,
    security(("Token" = ["organizations:write"]), ("Token" = ["organization:read"])),
    responses(
        (status = 200, description = "The control's new state.", body = dto::FeatureControlSet),
        (status = 400, description = "Validation failed.", body = ErrorBody),
        NoOrganizationEdit,
        (status = 404, description = "No such organization or control.", body = ErrorBody),
    ))]
async fn set_feature_control(
    State(state): State<AppState>,
    m: OrgMember<FeatureControlsWrite>,
    Draft { body, problems }: Draft<dto::SetFeatureControl>,
) -> Result<Reply<dto::FeatureControlSet>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    problems.finish()?;
    let (id, enabled) = (body.id.into_inner().0, body.enabled.into_inner());
    let c = state.store.set_feature_control(&g, id, enabled).await?;
    Ok(Reply(dto::FeatureControlSet::from(&c)))
}

/// `PATCH /organizations/{organizationId}/tfa-enforcement` with `{enable}` (or `{enabled}`). 403 without
/// `organization edit`, 400 when this instance offers no TFA enforcement, 402 when the plan lacks it.
#[utoipa::path(patch, path = "/organizations/{organizationId}/tfa-enforcement", operation_id = "tfa", params(OrgPath),
    request_body = dto::TfaBody,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The organization's TFA enforcement.", body = dto::TfaSet),
        (status = 400, description = "Validation failed, the instance offers no TFA enforcement, or the caller has \
            no TFA themselves (`IM005`).", body = ErrorBody),
        (status = 402, description = "The plan lacks TFA enforcement (`SC402`).", body = ErrorBody),
        NoOrganizationEdit,
        NoSuchOrganization,
    ))]
async fn set_tfa_enforcement(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    AppJson(body): AppJson<dto::TfaBody>,
) -> Result<Reply<dto::TfaSet>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    // Only the key that counts is checked: `enable`, unless only `enabled` is sent.
    let (key, sent) = match body {
        dto::TfaBody { enable, enabled } if enable.sent() || !enabled.sent() => ("enable", enable),
        dto::TfaBody { enabled, .. } => ("enabled", enabled),
    };
    let enable = match sent.into_inner() {
        None => Err(format!("{key} is required")),
        Some(v) => bool::from_field(key, &v),
    };
    let enable = enable.map_err(|e| ApiError::field(key, e))?;
    if !state.config.tfa_enforcement_available {
        return Err(ApiError::FeatureUnavailable("TFA enforcement feature is not available".into()));
    }
    if !state.plan(&m.org.plan).1.license.tfa_enforcement() {
        return Err(ApiError::PaymentRequired("Upgrade your plan to use TFA enforcement feature".into()));
    }
    if enable && !m.caller.user.tfa_enabled {
        return Err(ApiError::InvalidInput(
            "Set up two-factor authentication on your own account before enforcing it; otherwise you would lock yourself out.".into(),
        ));
    }
    state.store.set_tfa_enforced(&g, enable).await?;
    if enable {
        let ended = crate::factors::totp::enforce(&*state.store, g.org_id()).await?;
        tracing::info!(
            organization.id = g.org_id(),
            sessions = ended,
            "two-factor enforced: sessions without it ended"
        );
    }
    Ok(Reply(dto::TfaSet::enforced(enable)))
}

/// `GET /organizations/{organizationId}/apps`: custom apps installed in the organization.
#[utoipa::path(get, path = "/organizations/{organizationId}/apps", operation_id = "apps", params(OrgPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The installed custom apps.", body = dto::InstalledApps),
        BadId,
        NotAMember,
        NoSuchOrganization,
    ))]
async fn list_installed_apps(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
) -> Result<Reply<dto::InstalledApps>> {
    let apps = state.store.installed_apps(&m.view()?).await?;
    Ok(Reply(dto::InstalledApps { installed_apps: apps.iter().map(dto::InstalledApp::from).collect() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<dto::FeatureControl>(), COLUMNS.all);
    }
}
