//! The wire types of the feature controls (`/organizations/{organizationId}/feature-controls`,
//! `/teams/{teamId}/feature-controls`), TFA enforcement (`PATCH /organizations/{organizationId}/tfa-enforcement`)
//! and the installed custom apps (`GET /organizations/{organizationId}/apps`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::api::body::{Id, Optional, Required};
use crate::api::openapi::common::{params, projectable};
use crate::api::params::Selected;
use crate::api::reply::timestamp;
use crate::domain::features;
use crate::store::models;

/// A text in English.
#[derive(Serialize, ToSchema)]
pub struct Localized {
    #[schema(value_type = String)]
    en: String,
}

impl Localized {
    fn en(text: &str) -> Self {
        Localized { en: text.to_string() }
    }
}

projectable! {
/// A feature control; with `cols[]` only the selected keys are present.
#[derive(Serialize, ToSchema)]
pub struct FeatureControl {
    id: i64,
    name: String,
    label: Localized,
    description: Localized,
    #[schema(value_type = Vec<String>)]
    tags: &'static [&'static str],
    warning_message: Localized,
    enabled: bool,
}
}

impl From<&models::FeatureControl> for FeatureControl {
    /// A stored control with its texts from the catalogue (a control the catalogue lacks is labelled by its name).
    fn from(c: &models::FeatureControl) -> Self {
        let known = features::by_name(&c.name);
        FeatureControl {
            id: c.id,
            name: c.name.clone(),
            label: Localized::en(known.map(|k| k.label).unwrap_or(&c.name)),
            description: Localized::en(known.map(|k| k.description).unwrap_or("")),
            tags: known.map(|k| k.tags).unwrap_or(&[]),
            warning_message: Localized::en(known.map(|k| k.warning).unwrap_or("")),
            enabled: c.enabled,
        }
    }
}

/// The answer of the feature control lists, highest id first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureControls {
    /// Whether every control is enabled.
    pub enable_all_control_features: bool,
    #[schema(value_type = Vec<FeatureControl>)]
    pub feature_controls: Vec<Selected<FeatureControl>>,
}

/// The body of `PATCH /organizations/{organizationId}/feature-controls`.
#[derive(Deserialize, ToSchema)]
pub struct SetFeatureControl {
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) id: Required<Id>,
    #[schema(value_type = bool)]
    pub(crate) enabled: Required<bool>,
}

/// A control after a change.
#[derive(Serialize, ToSchema)]
pub struct ControlState {
    id: i64,
    enabled: bool,
}

/// The answer of a feature control change.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureControlSet {
    feature_controls: ControlState,
}

impl From<&models::FeatureControl> for FeatureControlSet {
    fn from(c: &models::FeatureControl) -> Self {
        FeatureControlSet { feature_controls: ControlState { id: c.id, enabled: c.enabled } }
    }
}

/// The TFA enforcement body: `enable`, or `enabled` as an alias (`enable` wins when both are sent). Only the one
/// that counts is checked, so both are read as plain JSON; its schema is written out below because it is an
/// `anyOf` the derive cannot express.
#[derive(Deserialize)]
pub struct TfaBody {
    pub(crate) enable: Optional<Value>,
    pub(crate) enabled: Optional<Value>,
}

impl PartialSchema for TfaBody {
    fn schema() -> RefOr<Schema> {
        let flag = |key: &str| {
            ObjectBuilder::new().property(key, ObjectBuilder::new().schema_type(Type::Boolean)).required(key)
        };
        AnyOfBuilder::new().item(flag("enable")).item(flag("enabled")).into()
    }
}

impl ToSchema for TfaBody {}

/// The organization's TFA enforcement after a change.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TfaState {
    tfa_enforced: bool,
}

/// The answer of a TFA enforcement change.
#[derive(Serialize, ToSchema)]
pub struct TfaSet {
    organization: TfaState,
}

impl TfaSet {
    pub fn enforced(tfa_enforced: bool) -> Self {
        TfaSet { organization: TfaState { tfa_enforced } }
    }
}

/// One installed custom app.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalledApp {
    app_name: String,
    app_version: i64,
    organization_id: i64,
    #[schema(format = DateTime)]
    installed_at: String,
    #[schema(required = true)]
    installed_by: Option<i64>,
}

impl From<&models::InstalledApp> for InstalledApp {
    fn from(a: &models::InstalledApp) -> Self {
        InstalledApp {
            app_name: a.app_name.clone(),
            app_version: a.app_version,
            organization_id: a.organization_id,
            installed_at: timestamp(a.installed_at),
            installed_by: a.installed_by,
        }
    }
}

/// The answer of `GET /organizations/{organizationId}/apps`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalledApps {
    pub installed_apps: Vec<InstalledApp>,
}

params! {
    /// The organization list's path and query.
    ListQuery = [
        org_path(),
        cols(&super::COLUMNS),
        query_string("featureControlName", false, string(), "Only the control with this name or English label."),
    ];
    /// The team variant's path and query.
    TeamQuery = [
        path_id("teamId", "The team's id."),
        cols(&super::COLUMNS),
        query_string("featureControlName", false, string(), "Only the control with this name or English label."),
    ];
}
