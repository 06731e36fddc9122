//! The organization object on the wire (spec §3): its columns and how a stored organization becomes one.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::api::params::{Columns, PageSpec, MAX_LIMIT};
use crate::app::AppState;
use crate::error::Result;
use crate::store::models::{Org, Team, UsageTotals};

pub const COLUMNS_LIST: Columns = Columns { all: ALL, default: &["id", "name", "timezoneId"] };
/// The detail set (O5, and the O2/O7 answers) is every column. `privateSpaces` is `[]` there: orgd has no private
/// spaces, and Make's recorded detail answer carries the key.
pub const COLUMNS_DETAIL: Columns = Columns { all: ALL, default: ALL };

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

/// Renders organizations with only the data the selected columns need loaded, computing only those columns
/// (a list of 100 organizations by id and name no longer builds and drops 100 licenses; bench/RESULTS.md).
pub async fn render(
    state: &AppState,
    orgs: &[Org],
    cols: &Columns,
    selected: Option<&[&'static str]>,
) -> Result<Vec<Value>> {
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let now = state.now();
    let resets = period(now);
    let (teams, usage) = match (cols.wants(selected, NEEDS_TEAMS), cols.wants(selected, NEEDS_USAGE)) {
        (true, true) => state.store.teams_and_usage(&ids, resets.0, resets.1).await?,
        (true, false) => (state.store.teams_of(&ids).await?, HashMap::new()),
        (false, true) => (HashMap::new(), state.store.usage_totals(&ids, resets.0, resets.1).await?),
        (false, false) => (HashMap::new(), HashMap::new()),
    };
    let no_teams = Vec::new();
    let no_usage = UsageTotals::default();
    let keys = selected.unwrap_or(cols.default);
    Ok(orgs
        .iter()
        .map(|o| {
            let org = OrgView {
                state,
                o,
                teams: teams.get(&o.id).unwrap_or(&no_teams),
                usage: usage.get(&o.id).unwrap_or(&no_usage),
                resets,
            };
            let mut out = Map::with_capacity(keys.len());
            for k in keys {
                out.insert((*k).to_string(), org.column(k).unwrap_or(Value::Null));
            }
            Value::Object(out)
        })
        .collect())
}

/// One organization with what its columns are computed from.
struct OrgView<'a> {
    state: &'a AppState,
    o: &'a Org,
    teams: &'a [Team],
    usage: &'a UsageTotals,
    resets: (DateTime<Utc>, DateTime<Utc>),
}

impl OrgView<'_> {
    /// One column (`None` for a name that is not a column). License and plan fields are `null` for
    /// organizations of another zone.
    fn column(&self, col: &str) -> Option<Value> {
        let (state, o, usage) = (self.state, self.o, self.usage);
        let (_, plan) = state.plan(&o.plan);
        let local = o.zone == *state.zone;
        let (last_reset, next_reset) = self.resets;
        Some(match col {
            "id" => json!(o.id),
            "name" => json!(o.name),
            "countryId" => json!(o.country_id),
            "timezoneId" => json!(o.timezone_id),
            "zone" => json!(o.zone),
            "license" => {
                if local {
                    Value::Object(plan.license.clone())
                } else {
                    Value::Null
                }
            }
            "serviceName" => {
                if local {
                    json!(plan.service_name)
                } else {
                    Value::Null
                }
            }
            "productName" => json!(plan.product_name),
            "isPaused" => {
                if local {
                    json!(false)
                } else {
                    Value::Null
                }
            }
            "teams" => self.teams.iter().map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>().into(),
            "externalId" => json!(o.external_id),
            "tfaEnforced" => json!(o.tfa_enforced),
            "privateSpaces" => json!([]),
            "nextReset" => json!(iso(next_reset)),
            "lastReset" => json!(iso(last_reset)),
            "operations" => json!(usage.operations.to_string()),
            "transfer" => json!(usage.data_transfer.to_string()),
            "operationsExt" => json!("0"),
            "transferExt" => json!("0"),
            "unusedOperations" => {
                json!((plan.license_i64("operations").unwrap_or(0) - usage.operations).max(0).to_string())
            }
            "unusedTransfer" => {
                json!((plan.license_i64("transfer").unwrap_or(0) - usage.data_transfer).max(0).to_string())
            }
            "deleted" => json!(false),
            "features" => json!({}),
            "autoPurchasingActivated" => json!(false),
            "activeScenarios" => json!(0),
            "activeApps" => json!(0),
            "scenarios" => json!(0),
            "solutionPartnerLink" => json!(""),
            "ssoType" => Value::Null,
            "sharedScenarioPartnerCode" => json!(""),
            _ => return None,
        })
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
}
