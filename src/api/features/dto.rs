//! Documentation-only wire types of O8 and O22–O24; never constructed.

#![allow(dead_code)]

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::api::openapi::common::{params, projectable};

/// A text in English.
#[derive(ToSchema)]
pub struct Localized {
    en: String,
}

projectable! {
/// A feature control; with `cols[]` only the selected keys are present.
#[derive(ToSchema)]
pub struct FeatureControl {
    id: i64,
    name: String,
    label: Localized,
    description: Localized,
    tags: Vec<String>,
    warning_message: Localized,
    enabled: bool,
}
}

/// O22's answer, highest id first.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureControls {
    /// Whether every control is enabled.
    enable_all_control_features: bool,
    feature_controls: Vec<FeatureControl>,
}

/// O23's body.
#[derive(ToSchema)]
pub struct SetFeatureControl {
    #[schema(minimum = 1)]
    id: i64,
    enabled: bool,
}

/// A control after O23.
#[derive(ToSchema)]
pub struct ControlState {
    id: i64,
    enabled: bool,
}

/// O23's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureControlSet {
    feature_controls: ControlState,
}

/// O24's body: `enable`, or `enabled` as an alias (`enable` wins when both are sent).
pub struct TfaBody;

impl PartialSchema for TfaBody {
    fn schema() -> RefOr<Schema> {
        let flag = |key: &str| {
            ObjectBuilder::new().property(key, ObjectBuilder::new().schema_type(Type::Boolean)).required(key)
        };
        AnyOfBuilder::new().item(flag("enable")).item(flag("enabled")).into()
    }
}

impl ToSchema for TfaBody {}

/// The organization's TFA enforcement after O24.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TfaState {
    tfa_enforced: bool,
}

/// O24's answer.
#[derive(ToSchema)]
pub struct TfaSet {
    organization: TfaState,
}

/// One installed custom app.
#[derive(ToSchema)]
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

/// O8's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalledApps {
    installed_apps: Vec<InstalledApp>,
}

params! {
    /// O22's path and query.
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
