//! Documentation-only wire types of the organization endpoints: the handlers build JSON with `json!` (see
//! `view.rs`); these describe it for the OpenAPI document and are never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::openapi::common::{params, projectable, CountryId, Name, PgEcho, TimezoneId};
use crate::api::orgs::view::{COLUMNS_DETAIL, COLUMNS_LIST, PAGE};

projectable! {
/// An organization (spec §3.1). With `cols[]` only the selected keys are present.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    id: i64,
    #[schema(value_type = Name)]
    name: String,
    country_id: i64,
    timezone_id: i64,
    /// The zone host of the organization.
    zone: String,
    /// The plan's license; `null` for an organization of another zone.
    #[schema(value_type = Option<Object>)]
    license: Option<()>,
    service_name: Option<String>,
    product_name: String,
    is_paused: Option<bool>,
    teams: Vec<TeamRef>,
    external_id: Option<String>,
    tfa_enforced: bool,
    #[schema(value_type = Vec<Object>)]
    private_spaces: Vec<()>,
    #[schema(format = DateTime)]
    next_reset: String,
    #[schema(format = DateTime)]
    last_reset: String,
    /// Operations this calendar month, as a decimal string.
    operations: String,
    /// Data transfer this calendar month in bytes, as a decimal string.
    transfer: String,
    operations_ext: String,
    transfer_ext: String,
    unused_operations: String,
    unused_transfer: String,
    deleted: bool,
    #[schema(value_type = Object)]
    features: (),
    auto_purchasing_activated: bool,
    active_scenarios: i64,
    active_apps: i64,
    scenarios: i64,
    solution_partner_link: String,
    sso_type: Option<String>,
    shared_scenario_partner_code: String,
}
}

/// A team as listed inside an organization.
#[derive(ToSchema)]
pub struct TeamRef {
    id: i64,
    name: String,
}

/// O1's answer.
#[derive(ToSchema)]
pub struct OrganizationList {
    organizations: Vec<Organization>,
    pg: PgEcho,
}

/// O5's and O7's answer.
#[derive(ToSchema)]
pub struct OrganizationDetail {
    organization: Organization,
}

/// O6's answer: the deleted organization's id.
#[derive(ToSchema)]
pub struct OrganizationDeleted {
    organization: i64,
}

/// The caller's role in a new organization (always Owner, never an invitation).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRole {
    user_id: i64,
    organization_id: i64,
    #[schema(minimum = 11, maximum = 11)]
    users_role_id: i64,
    #[schema(value_type = Option<String>, required = true)]
    invitation: Option<()>,
}

/// O2's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationCreated {
    organization: Organization,
    user_organization_role: OwnerRole,
}

/// O2's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganization {
    #[schema(value_type = Name)]
    name: String,
    /// The region from `GET /enums/imt-regions`; orgd has one, 1.
    #[schema(minimum = 1, maximum = 1)]
    region_id: i64,
    #[schema(value_type = TimezoneId)]
    timezone_id: i64,
    #[schema(value_type = CountryId)]
    country_id: i64,
}

/// O7's body: absent (or `null`) fields keep their value.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganization {
    #[schema(value_type = Option<Name>)]
    name: Option<String>,
    #[schema(value_type = Option<TimezoneId>)]
    timezone_id: Option<i64>,
    #[schema(value_type = Option<CountryId>)]
    country_id: Option<i64>,
}

params! {
    /// O1's query.
    ListQuery = [
        cols(&COLUMNS_LIST),
        page(&PAGE),
        query_string("zone", false, string(), "Only organizations of this zone host."),
        query_string("externalId", false, string(), "Only the organization with this external id."),
    ];
    /// O5's path and query.
    DetailQuery = [
        org_path(),
        flag("wait", "Accepted for compatibility; there is nothing to wait for."),
        cols(&COLUMNS_DETAIL),
    ];
    /// O6's path and query.
    DeleteQuery = [org_path(), flag("confirmed", "Must be true; without it the answer is 406 `IM004`.")];
}
