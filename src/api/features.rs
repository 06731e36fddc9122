//! O22/O23 feature controls, O24 TFA enforcement, O8 installed custom apps.

use axum::extract::State;
use axum::routing::{get, patch};
use axum::Router;
use serde_json::{json, Map, Value};

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
use crate::store::models::FeatureControl;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{organizationId}/feature-controls", get(list).patch(set))
        .route("/teams/{teamId}/feature-controls", get(list_for_team))
        .route("/organizations/{organizationId}/tfa-enforcement", patch(tfa))
        .route("/organizations/{organizationId}/apps", get(apps))
}

const COLUMNS: Columns = Columns {
    all: &["id", "name", "label", "description", "tags", "warning_message", "enabled"],
    default: &["id", "name", "label", "description", "tags", "warning_message", "enabled"],
};

fn control_json(c: &FeatureControl) -> Map<String, Value> {
    let cat = features::by_name(&c.name);
    let v = json!({
        "id": c.id,
        "name": c.name,
        "label": {"en": cat.map(|k| k.label).unwrap_or(&c.name)},
        "description": {"en": cat.map(|k| k.description).unwrap_or("")},
        "tags": cat.map(|k| k.tags).unwrap_or(&[]),
        "warning_message": {"en": cat.map(|k| k.warning).unwrap_or("")},
        "enabled": c.enabled,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

async fn render(state: &AppState, g: &crate::grant::Granted<perms::OrganizationView>, q: &Params) -> Result<Reply> {
    let cols = q.cols(&COLUMNS)?;
    let wanted = q.get("featureControlName").map(str::trim).filter(|s| !s.is_empty());
    let controls = state.store.feature_controls(g).await?;
    let all_enabled = controls.iter().all(|c| c.enabled);
    let list: Vec<Value> = controls
        .iter()
        .filter(|c| {
            wanted.is_none_or(|w| {
                c.name.eq_ignore_ascii_case(w)
                    || features::by_name(&c.name).is_some_and(|k| k.label.eq_ignore_ascii_case(w))
            })
        })
        .map(|c| COLUMNS.project(&control_json(c), cols.as_deref()))
        .collect();
    Ok(Reply(json!({ "enableAllControlFeatures": all_enabled, "featureControls": list })))
}

/// O22 `GET /organizations/{organizationId}/feature-controls`: highest id first; `featureControlName` matches the
/// name or the English label.
#[utoipa::path(get, path = "/organizations/{organizationId}/feature-controls", params(dto::ListQuery),
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The feature controls.", body = dto::FeatureControls),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn list(State(state): State<AppState>, m: OrgMember<OrgRead>, q: Params) -> Result<Reply> {
    render(&state, &m.view()?, &q).await
}

/// `GET /teams/{teamId}/feature-controls`: the controls of the team's organization.
#[utoipa::path(get, path = "/teams/{teamId}/feature-controls", params(dto::TeamQuery),
    security(("Token" = ["organization:read"]), ("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The feature controls of the team's organization.", body = dto::FeatureControls),
        (status = 400, description = "A bad id or `cols[]`.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such team.", body = ErrorBody),
    ))]
async fn list_for_team(
    State(state): State<AppState>,
    scoped: Scoped<OrgRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply> {
    let id = path.id("teamId")?;
    let team = state.store.team(id).await?.ok_or_else(|| ApiError::NotFound(format!("Team {id} not found.")))?;
    let m = OrgMember::resolve(&state, scoped, team.organization_id).await?;
    render(&state, &m.view()?, &q).await
}

/// O23 `PATCH /organizations/{organizationId}/feature-controls` with `{id, enabled}`: Owner and Admin only.
#[utoipa::path(patch, path = "/organizations/{organizationId}/feature-controls", params(OrgPath),
    request_body = dto::SetFeatureControl,
    security(("Token" = ["organizations:write"]), ("Token" = ["organization:read"])),
    responses(
        (status = 200, description = "The control's new state.", body = dto::FeatureControlSet),
        (status = 400, description = "Validation failed.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization or control.", body = ErrorBody),
    ))]
async fn set(State(state): State<AppState>, m: OrgMember<FeatureControlsWrite>, body: JsonObject) -> Result<Reply> {
    let g = m.require::<perms::OrganizationEdit>()?;
    let mut f = Fields::new(&body);
    let id = f.required("id", body::id("id"));
    let enabled = f.required("enabled", body::boolean("enabled"));
    let (id, enabled) = f.finish(|| Some((id?, enabled?)))?;
    let c = state.store.set_feature_control(&g, id, enabled).await?;
    Ok(Reply(json!({ "featureControls": {"id": c.id, "enabled": c.enabled} })))
}

/// O24 `PATCH /organizations/{organizationId}/tfa-enforcement` with `{enable}` (or `{enabled}`). 403 without
/// `organization edit`, 400 when this instance offers no TFA enforcement, 402 when the plan lacks it.
#[utoipa::path(patch, path = "/organizations/{organizationId}/tfa-enforcement", params(OrgPath),
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
async fn tfa(State(state): State<AppState>, m: OrgMember<OrgsWrite>, body: JsonObject) -> Result<Reply> {
    let g = m.require::<perms::OrganizationEdit>()?;
    let mut f = Fields::new(&body);
    let key = if f.has("enable") || !f.has("enabled") { "enable" } else { "enabled" };
    let enable = f.required(key, body::boolean(if key == "enable" { "enable" } else { "enabled" }));
    let enable = f.finish(|| enable)?;
    if !state.config.tfa_enforcement_available {
        return Err(ApiError::FeatureUnavailable("TFA enforcement feature is not available".into()));
    }
    if !state.plan(&m.org.plan).1.license_bool("tfaEnforcement") {
        return Err(ApiError::PaymentRequired("Upgrade your plan to use TFA enforcement feature".into()));
    }
    if enable && !m.caller.user.tfa_enabled {
        return Err(ApiError::InvalidInput(
            "Set up two-factor authentication on your own account before enforcing it; otherwise you would lock yourself out.".into(),
        ));
    }
    state.store.set_tfa_enforced(&g, enable).await?;
    Ok(Reply(json!({ "organization": {"tfaEnforced": enable} })))
}

/// O8 `GET /organizations/{organizationId}/apps`: custom apps installed in the organization.
#[utoipa::path(get, path = "/organizations/{organizationId}/apps", params(OrgPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The installed custom apps.", body = dto::InstalledApps),
        (status = 400, description = "A bad id.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn apps(State(state): State<AppState>, m: OrgMember<OrgsRead>) -> Result<Reply> {
    let list: Vec<Value> = state
        .store
        .installed_apps(&m.view()?)
        .await?
        .iter()
        .map(|a| {
            json!({"appName": a.app_name, "appVersion": a.app_version, "organizationId": a.organization_id,
                   "installedAt": a.installed_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), "installedBy": a.installed_by})
        })
        .collect();
    Ok(Reply(json!({ "installedApps": list })))
}
