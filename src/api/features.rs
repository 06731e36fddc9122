//! Feature controls, TFA enforcement and the installed custom apps of an organization.

use axum::extract::State;
use axum::routing::{get, patch};
use axum::Router;

use crate::access::OrgMember;
use crate::api::body::{self, Fields, JsonObject};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{Columns, Params};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::features;
use crate::domain::scopes::{FeatureControlsWrite, OrgRead, OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{organizationId}/feature-controls",
            get(list_feature_controls).patch(set_feature_control),
        )
        .route("/teams/{teamId}/feature-controls", get(list_team_feature_controls))
        .route("/organizations/{organizationId}/tfa-enforcement", patch(set_tfa_enforcement))
        .route("/organizations/{organizationId}/apps", get(list_installed_apps))
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
        .map(|c| COLUMNS.select(&dto::FeatureControl::from(c), cols.as_deref()))
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
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
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
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such team.", body = ErrorBody),
    ))]
async fn list_team_feature_controls(
    State(state): State<AppState>,
    scoped: Scoped<OrgRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::FeatureControls>> {
    let id = path.id("teamId")?;
    let team = state.store.team(id).await?.ok_or_else(|| ApiError::NotFound(format!("Team {id} not found.")))?;
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
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization or control.", body = ErrorBody),
    ))]
async fn set_feature_control(
    State(state): State<AppState>,
    m: OrgMember<FeatureControlsWrite>,
    body: JsonObject,
) -> Result<Reply<dto::FeatureControlSet>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    let mut f = Fields::new(&body);
    let id = f.required("id", body::id("id"));
    let enabled = f.required("enabled", body::boolean("enabled"));
    let req = f.finish(|| Some(dto::SetFeatureControl { id: id?, enabled: enabled? }))?;
    let c = state.store.set_feature_control(&g, req.id, req.enabled).await?;
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
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn set_tfa_enforcement(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    body: JsonObject,
) -> Result<Reply<dto::TfaSet>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    let mut f = Fields::new(&body);
    let key = if f.has("enable") || !f.has("enabled") { "enable" } else { "enabled" };
    let enable = f.required(key, body::boolean(if key == "enable" { "enable" } else { "enabled" }));
    let enable = f.finish(|| enable)?;
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
    Ok(Reply(dto::TfaSet::enforced(enable)))
}

/// `GET /organizations/{organizationId}/apps`: custom apps installed in the organization.
#[utoipa::path(get, path = "/organizations/{organizationId}/apps", operation_id = "apps", params(OrgPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The installed custom apps.", body = dto::InstalledApps),
        (status = 400, description = "A bad id.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
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
