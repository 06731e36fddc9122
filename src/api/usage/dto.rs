//! The wire types of `GET /organizations/{organizationId}/usage`.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::openapi::common::params;
use crate::store::models::UsageTotals;

/// One day's usage.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    #[schema(format = Date)]
    date: String,
    operations: i64,
    data_transfer: i64,
    centicredits: i64,
}

impl From<(NaiveDate, UsageTotals)> for Day {
    fn from((date, u): (NaiveDate, UsageTotals)) -> Self {
        Day {
            date: date.to_string(),
            operations: u.operations,
            data_transfer: u.data_transfer,
            centicredits: u.centicredits,
        }
    }
}

/// The usage answer: the 30 days ending today, oldest first.
#[derive(Serialize, ToSchema)]
pub struct Usage {
    #[schema(min_items = 30, max_items = 30)]
    pub data: Vec<Day>,
}

params! {
    /// The usage path and query.
    UsageQuery = [
        org_path(),
        flag("organizationTimezone", "Cut days in the organization's timezone instead of the caller's."),
    ];
}
