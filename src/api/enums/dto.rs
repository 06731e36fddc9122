//! Documentation-only wire types of the enums E1–E5; never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

/// A country.
#[derive(ToSchema)]
pub struct Country {
    id: i64,
    name: String,
    /// ISO 3166-1 alpha-3, upper case.
    #[schema(pattern = "^[A-Z]{3}$")]
    code: String,
    /// ISO 3166-1 alpha-2, lower case.
    #[schema(pattern = "^[a-z]{2}$")]
    code2: String,
}

/// E1's answer.
#[derive(ToSchema)]
pub struct Countries {
    countries: Vec<Country>,
}

/// A timezone, with its label and offset as of now.
#[derive(ToSchema)]
pub struct Timezone {
    id: i64,
    /// `(GMT±HH:MM) Area/Location`.
    name: String,
    /// The IANA name.
    code: String,
    /// `±HHMM`.
    #[schema(pattern = "^[+-][0-9]{4}$")]
    offset: String,
}

/// E2's answer.
#[derive(ToSchema)]
pub struct Timezones {
    timezones: Vec<Timezone>,
}

/// An id and a name.
#[derive(ToSchema)]
pub struct IdName {
    id: i64,
    name: String,
}

/// E3's answer: one region, this instance.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Regions {
    imt_regions: Vec<IdName>,
}

/// E4's answer: one zone, this instance's host.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Zones {
    imt_zones: Vec<IdName>,
}

/// E5's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariableTypes {
    variable_types: Vec<IdName>,
}
