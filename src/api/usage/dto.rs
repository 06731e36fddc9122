//! Documentation-only wire types of O21; never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::openapi::common::params;

/// One day's usage.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    #[schema(format = Date)]
    date: String,
    operations: i64,
    data_transfer: i64,
    centicredits: i64,
}

/// O21's answer: the 30 days ending today, oldest first.
#[derive(ToSchema)]
pub struct Usage {
    #[schema(min_items = 30, max_items = 30)]
    data: Vec<Day>,
}

params! {
    /// O21's path and query.
    UsageQuery = [
        org_path(),
        flag("organizationTimezone", "Cut days in the organization's timezone instead of the caller's."),
    ];
}
