//! The wire types of the organization endpoints (`/organizations`, `/organizations/{organizationId}`). `view.rs`
//! fills an [`Organization`] with only the columns a request selects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::api::body::{id, FromField, Optional, Required};
use crate::api::enums::REGION_ID;
use crate::api::openapi::common::{params, projectable, CountryId, Name, PgEcho, TimezoneId};
use crate::api::orgs::view::{COLUMNS_DETAIL, COLUMNS_LIST, PAGE};
use crate::api::params::{Page, Selected};
use crate::domain::{countries, names, timezones};
use crate::store::models::Team;

// Every field is an `Option` so that a column nobody selected is never computed; `None` is skipped when
// serialising and the `cols[]` selection writes `null` for a selected column without a value. The `value_type`s
// give the document the wire types.
projectable! {
/// An organization. With `cols[]` only the selected keys are present.
#[derive(Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Name)]
    pub(super) name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) country_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) timezone_id: Option<i64>,
    /// The zone host of the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) zone: Option<String>,
    /// The plan's license; `null` for an organization of another zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub(super) license: Option<crate::domain::plans::License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) product_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) is_paused: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<TeamRef>)]
    pub(super) teams: Option<Vec<TeamRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = bool)]
    pub(super) tfa_enforced: Option<bool>,
    /// The private spaces the caller sees in the organization: their own, and those they observe.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<PrivateSpaceRef>)]
    pub(super) private_spaces: Option<Vec<PrivateSpaceRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, format = DateTime)]
    pub(super) next_reset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, format = DateTime)]
    pub(super) last_reset: Option<String>,
    /// Operations this calendar month, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) operations: Option<String>,
    /// Data transfer this calendar month in bytes, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) transfer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) operations_ext: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) transfer_ext: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) unused_operations: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) unused_transfer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = bool)]
    pub(super) deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub(super) features: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = bool)]
    pub(super) auto_purchasing_activated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) active_scenarios: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) active_apps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    pub(super) scenarios: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) solution_partner_link: Option<&'static str>,
    /// Always `null`: orgd has no single sign-on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sso_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub(super) shared_scenario_partner_code: Option<&'static str>,
}
}

/// A team as listed inside an organization.
#[derive(Serialize, ToSchema)]
pub struct TeamRef {
    id: i64,
    name: String,
}

impl From<&Team> for TeamRef {
    fn from(t: &Team) -> Self {
        TeamRef { id: t.id, name: t.name.clone() }
    }
}

/// A private space as listed inside an organization, for the caller: whether it is theirs, and whether the
/// organization's admins observe spaces.
#[derive(Serialize, ToSchema, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PrivateSpaceRef {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) is_owner: bool,
    pub(super) has_admin_visibility: bool,
}

/// The list answer.
#[derive(Serialize, ToSchema)]
pub struct OrganizationList {
    #[schema(value_type = Vec<Organization>)]
    pub organizations: Vec<Selected<Organization>>,
    #[schema(value_type = PgEcho)]
    pub pg: Page,
}

/// The answer of a detail or an update.
#[derive(Serialize, ToSchema)]
pub struct OrganizationDetail {
    #[schema(value_type = Organization)]
    pub organization: Selected<Organization>,
}

/// The answer of a deletion: the deleted organization's id.
#[derive(Serialize, ToSchema)]
pub struct OrganizationDeleted {
    pub organization: i64,
}

/// The caller's role in a new organization (always Owner, never an invitation).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRole {
    pub user_id: i64,
    pub organization_id: i64,
    #[schema(minimum = 11, maximum = 11)]
    pub users_role_id: i64,
    #[schema(value_type = Option<String>, required = true)]
    pub invitation: Option<String>,
}

/// The create answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationCreated {
    #[schema(value_type = Organization)]
    pub organization: Selected<Organization>,
    pub user_organization_role: OwnerRole,
}

/// The create body.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrganization {
    #[schema(value_type = Name)]
    pub(crate) name: Required<names::Name>,
    /// The region from `GET /enums/imt-regions`; orgd has one, 1.
    #[schema(value_type = i64, minimum = 1, maximum = 1)]
    pub(crate) region_id: Required<OneRegion>,
    #[schema(value_type = TimezoneId)]
    pub(crate) timezone_id: Required<KnownTimezone>,
    #[schema(value_type = CountryId)]
    pub(crate) country_id: Required<KnownCountry>,
}

/// The update body: absent (or `null`) fields keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganization {
    #[schema(value_type = Option<Name>)]
    pub(crate) name: Optional<names::Name>,
    #[schema(value_type = Option<TimezoneId>)]
    pub(crate) timezone_id: Optional<KnownTimezone>,
    #[schema(value_type = Option<CountryId>)]
    pub(crate) country_id: Optional<KnownCountry>,
}

/// `regionId`: orgd has one region, so the organization does not record it.
pub struct OneRegion;

impl FromField for OneRegion {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        match id(key, v)? {
            REGION_ID => Ok(OneRegion),
            other => Err(format!("{key} {other} does not exist (see GET /enums/imt-regions)")),
        }
    }
}

/// An id from `GET /enums/timezones`.
pub struct KnownTimezone(pub i64);

impl FromField for KnownTimezone {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let id = id(key, v)?;
        timezones::by_id(id)
            .map(|_| KnownTimezone(id))
            .ok_or_else(|| format!("{key} {id} does not exist (see GET /enums/timezones)"))
    }
}

/// An id from `GET /enums/countries`.
pub struct KnownCountry(pub i64);

impl FromField for KnownCountry {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let id = id(key, v)?;
        countries::by_id(id)
            .map(|_| KnownCountry(id))
            .ok_or_else(|| format!("{key} {id} does not exist (see GET /enums/countries)"))
    }
}

params! {
    /// The list query.
    ListQuery = [
        cols(&COLUMNS_LIST),
        page(&PAGE),
        query_string("zone", false, string(), "Only organizations of this zone host."),
        query_string("externalId", false, string(), "Only the organization with this external id."),
    ];
    /// The detail path and query.
    DetailQuery = [
        org_path(),
        flag("wait", "Accepted for compatibility; there is nothing to wait for."),
        cols(&COLUMNS_DETAIL),
    ];
    /// The delete path and query.
    DeleteQuery = [org_path(), flag("confirmed", "Must be true; without it the answer is 406 `IM004`.")];
}
