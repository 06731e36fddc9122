//! The organization object on the wire (spec §3): its columns and how a stored organization becomes one.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::api::params::{Columns, PageSpec, MAX_LIMIT};
use crate::app::AppState;
use crate::error::Result;
use crate::store::models::{Org, Team, UsageTotals};

pub const COLUMNS_LIST: Columns = Columns { all: ALL, default: &["id", "name", "timezoneId"] };
pub const COLUMNS_DETAIL: Columns = Columns { all: ALL, default: DETAIL };

pub const PAGE: PageSpec = PageSpec {
    sortable: &["id", "name", "countryId", "timezoneId", "zone", "externalId"],
    default_sort: "name",
    default_limit: MAX_LIMIT,
};

const ALL: &[&str] = &[
    "id",
    "name",
    "countryId",
    "timezoneId",
    "zone",
    "license",
    "serviceName",
    "productName",
    "isPaused",
    "teams",
    "externalId",
    "tfaEnforced",
    "privateSpaces",
    "nextReset",
    "lastReset",
    "operations",
    "transfer",
    "operationsExt",
    "transferExt",
    "unusedOperations",
    "unusedTransfer",
    "deleted",
    "features",
    "autoPurchasingActivated",
    "activeScenarios",
    "activeApps",
    "scenarios",
    "solutionPartnerLink",
    "ssoType",
    "sharedScenarioPartnerCode",
];

/// The detail set: everything but `privateSpaces` (spec §9 q.3).
const DETAIL: &[&str] = &[
    "id",
    "name",
    "countryId",
    "timezoneId",
    "zone",
    "license",
    "serviceName",
    "productName",
    "isPaused",
    "teams",
    "externalId",
    "tfaEnforced",
    "nextReset",
    "lastReset",
    "operations",
    "transfer",
    "operationsExt",
    "transferExt",
    "unusedOperations",
    "unusedTransfer",
    "deleted",
    "features",
    "autoPurchasingActivated",
    "activeScenarios",
    "activeApps",
    "scenarios",
    "solutionPartnerLink",
    "ssoType",
    "sharedScenarioPartnerCode",
];

const NEEDS_TEAMS: &[&str] = &["teams"];
const NEEDS_USAGE: &[&str] = &["operations", "transfer", "unusedOperations", "unusedTransfer"];

/// The current usage period: the calendar month (UTC) that holds `now`, as `[start, end)`.
pub fn period(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let next = if now.month() == 12 {
        NaiveDate::from_ymd_opt(now.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(now.year(), now.month() + 1, 1)
    }
    .unwrap_or_default();
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    (at(first), at(next))
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Renders organizations with only the data the selected columns need loaded.
pub async fn render(
    state: &AppState,
    orgs: &[Org],
    cols: &Columns,
    selected: Option<&[&'static str]>,
) -> Result<Vec<Value>> {
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let now = state.now();
    let (last_reset, next_reset) = period(now);
    let teams = if cols.wants(selected, NEEDS_TEAMS) { state.store.teams_of(&ids).await? } else { HashMap::new() };
    let usage = if cols.wants(selected, NEEDS_USAGE) {
        state.store.usage_totals(&ids, last_reset, next_reset).await?
    } else {
        HashMap::new()
    };
    let no_teams = Vec::new();
    let no_usage = UsageTotals::default();
    Ok(orgs
        .iter()
        .map(|o| {
            let full = full(
                state,
                o,
                teams.get(&o.id).unwrap_or(&no_teams),
                usage.get(&o.id).unwrap_or(&no_usage),
                (last_reset, next_reset),
            );
            cols.project(&full, selected)
        })
        .collect())
}

/// Every column of one organization. License and plan fields are `null` for organizations of another zone.
fn full(
    state: &AppState,
    o: &Org,
    teams: &[Team],
    usage: &UsageTotals,
    (last_reset, next_reset): (DateTime<Utc>, DateTime<Utc>),
) -> Map<String, Value> {
    let (_, plan) = state.plan(&o.plan);
    let local = o.zone == *state.zone;
    let ops_limit = plan.license_i64("operations").unwrap_or(0);
    let transfer_limit = plan.license_i64("transfer").unwrap_or(0);
    let v = json!({
        "id": o.id,
        "name": o.name,
        "countryId": o.country_id,
        "timezoneId": o.timezone_id,
        "zone": o.zone,
        "license": if local { Value::Object(plan.license.clone()) } else { Value::Null },
        "serviceName": if local { json!(plan.service_name) } else { Value::Null },
        "productName": plan.product_name,
        "isPaused": if local { json!(false) } else { Value::Null },
        "teams": teams.iter().map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>(),
        "externalId": o.external_id,
        "tfaEnforced": o.tfa_enforced,
        "privateSpaces": [],
        "nextReset": iso(next_reset),
        "lastReset": iso(last_reset),
        "operations": usage.operations.to_string(),
        "transfer": usage.data_transfer.to_string(),
        "operationsExt": "0",
        "transferExt": "0",
        "unusedOperations": (ops_limit - usage.operations).max(0).to_string(),
        "unusedTransfer": (transfer_limit - usage.data_transfer).max(0).to_string(),
        "deleted": false,
        "features": {},
        "autoPurchasingActivated": false,
        "activeScenarios": 0,
        "activeApps": 0,
        "scenarios": 0,
        "solutionPartnerLink": "",
        "ssoType": null,
        "sharedScenarioPartnerCode": "",
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_spans_the_calendar_month() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 0).unwrap();
        let (last, next) = period(now);
        assert_eq!((iso(last), iso(next)), ("2026-12-01T00:00:00.000Z".into(), "2027-01-01T00:00:00.000Z".into()));
    }

    #[test]
    fn detail_is_all_but_private_spaces() {
        let missing: Vec<_> = ALL.iter().filter(|c| !DETAIL.contains(c)).collect();
        assert_eq!(missing, [&"privateSpaces"]);
    }
}
