//! The wire types of the enums (`GET /enums/countries`, `/enums/timezones`, `/enums/imt-regions`,
//! `/enums/imt-zones`, `/enums/variable-types`, `/enums/connected-system-apps`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::countries;
use crate::domain::timezones;

/// A country.
#[derive(Serialize, ToSchema)]
pub struct Country {
    id: i64,
    name: &'static str,
    /// ISO 3166-1 alpha-3, upper case.
    #[schema(pattern = "^[A-Z]{3}$")]
    code: &'static str,
    /// ISO 3166-1 alpha-2, lower case.
    #[schema(pattern = "^[a-z]{2}$")]
    code2: String,
}

impl From<&countries::Country> for Country {
    fn from(c: &countries::Country) -> Self {
        Country { id: c.id, name: c.name, code: c.code, code2: c.code2.clone() }
    }
}

/// The countries' answer.
#[derive(Serialize, ToSchema)]
pub struct Countries {
    pub countries: Vec<Country>,
}

/// A timezone, with its label and offset as of now.
#[derive(Serialize, ToSchema)]
pub struct Timezone {
    id: i64,
    /// `(GMT±HH:MM) Area/Location`.
    name: String,
    /// The IANA name.
    code: &'static str,
    /// `±HHMM`.
    #[schema(pattern = "^[+-][0-9]{4}$")]
    offset: String,
}

impl Timezone {
    /// The timezone as it is at `now` (labels and offsets follow daylight saving time).
    pub fn at(z: &timezones::Zone, now: DateTime<Utc>) -> Self {
        Timezone { id: z.id, name: z.label_at(now), code: z.code(), offset: z.offset_at(now) }
    }
}

/// The timezones' answer.
#[derive(Serialize, ToSchema)]
pub struct Timezones {
    pub timezones: Vec<Timezone>,
}

/// An id and a name.
// Named apart from the audit log's `IdName` (whose name may be null): one schema name, one shape.
#[derive(Serialize, ToSchema)]
#[schema(as = EnumIdName)]
pub struct IdName {
    pub id: i64,
    pub name: String,
}

/// The regions' answer: one region, this instance.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Regions {
    pub imt_regions: Vec<IdName>,
}

/// The zones' answer: one zone, this instance's host.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Zones {
    pub imt_zones: Vec<IdName>,
}

/// The variable types' answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariableTypes {
    pub variable_types: Vec<IdName>,
}

/// An app a connected system can run, as Make lists it.
#[derive(Serialize, ToSchema)]
pub struct ConnectedSystemApp {
    /// The slug a connected system names as its `appName`.
    pub name: String,
    pub label: String,
    pub icon: String,
}

/// The connected-system apps' answer (empty on orgd, which has no connected systems).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedSystemApps {
    pub connected_system_apps: Vec<ConnectedSystemApp>,
}
