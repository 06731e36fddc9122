//! The organization object on the wire: its columns and how a stored organization becomes one.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::Map;

use super::dto::{Organization, PrivateSpaceRef, TeamRef};
use crate::api::params::{Columns, PageSpec, Selected, MAX_LIMIT};
use crate::api::reply::timestamp;
use crate::app::AppState;
use crate::error::{ApiError, Result};
use crate::store::models::{Org, Team, UsageTotals};

pub const COLUMNS_LIST: Columns = Columns { all: ALL, default: &["id", "name", "timezoneId"] };
/// The detail set (`GET /organizations/{organizationId}`, and the create and update answers) is every column,
/// `privateSpaces` (the caller's) included, as Make's recorded detail answer carries it.
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
const NEEDS_SPACES: &[&str] = &["privateSpaces"];
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

/// Renders organizations with only the data the selected columns need loaded, computing only those columns
/// (a list of 100 organizations by id and name no longer builds and drops 100 licenses; bench/RESULTS.md).
pub async fn render(
    state: &AppState,
    orgs: &[Org],
    viewer: i64,
    cols: &Columns,
    selected: Option<&[&'static str]>,
) -> Result<Vec<Selected<Organization>>> {
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let now = state.now();
    let resets = period(now);
    let (teams, usage) = match (cols.wants(selected, NEEDS_TEAMS), cols.wants(selected, NEEDS_USAGE)) {
        (true, true) => state.store.teams_and_usage(&ids, resets.0, resets.1).await?,
        (true, false) => (state.store.teams_of(&ids).await?, HashMap::new()),
        (false, true) => (HashMap::new(), state.store.usage_totals(&ids, resets.0, resets.1).await?),
        (false, false) => (HashMap::new(), HashMap::new()),
    };
    let spaces = match cols.wants(selected, NEEDS_SPACES) {
        true => spaces_by_org(state, viewer).await?,
        false => HashMap::new(),
    };
    let no_teams = Vec::new();
    let no_spaces = Vec::new();
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
                spaces: spaces.get(&o.id).unwrap_or(&no_spaces),
                resets,
            };
            cols.select(org.organization(keys), selected)
        })
        .collect())
}

/// One organization rendered with every column of the detail set (the create and update answers).
pub async fn render_detail(state: &AppState, org: &Org, viewer: i64) -> Result<Selected<Organization>> {
    let mut one = render(state, std::slice::from_ref(org), viewer, &COLUMNS_DETAIL, None).await?;
    one.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("rendering one organization gave none")))
}

/// The private spaces `viewer` sees, by organization (`privateSpaces`).
async fn spaces_by_org(state: &AppState, viewer: i64) -> Result<HashMap<i64, Vec<PrivateSpaceRef>>> {
    let mut out: HashMap<i64, Vec<PrivateSpaceRef>> = HashMap::new();
    for seen in crate::api::private_spaces::seen_by(state, viewer, None).await? {
        let s = seen.space;
        let one =
            PrivateSpaceRef { id: s.id, name: s.name, is_owner: seen.is_owner, has_admin_visibility: s.admins_observe };
        out.entry(s.organization_id).or_default().push(one);
    }
    Ok(out)
}

/// One organization with what its columns are computed from.
struct OrgView<'a> {
    state: &'a AppState,
    o: &'a Org,
    teams: &'a [Team],
    usage: &'a UsageTotals,
    spaces: &'a [PrivateSpaceRef],
    resets: (DateTime<Utc>, DateTime<Utc>),
}

impl OrgView<'_> {
    /// The organization with the `keys` columns computed and no other.
    fn organization(&self, keys: &[&str]) -> Organization {
        let mut out = Organization::default();
        for k in keys {
            self.fill(&mut out, k);
        }
        out
    }

    fn fill(&self, out: &mut Organization, col: &str) {
        let o = self.o;
        match col {
            "id" => out.id = Some(o.id),
            "name" => out.name = Some(o.name.clone()),
            "countryId" => out.country_id = Some(o.country_id),
            "timezoneId" => out.timezone_id = Some(o.timezone_id),
            "zone" => out.zone = Some(o.zone.clone()),
            "teams" => out.teams = Some(self.teams.iter().map(TeamRef::from).collect()),
            "privateSpaces" => out.private_spaces = Some(self.spaces.to_vec()),
            "externalId" => out.external_id = o.external_id.clone(),
            "tfaEnforced" => out.tfa_enforced = Some(o.tfa_enforced),
            "nextReset" => out.next_reset = Some(timestamp(self.resets.1)),
            "lastReset" => out.last_reset = Some(timestamp(self.resets.0)),
            "license" | "serviceName" | "productName" | "isPaused" | "operations" | "transfer" | "unusedOperations"
            | "unusedTransfer" => self.fill_plan(out, col),
            _ => fill_constant(out, col),
        }
    }

    /// The columns that come from the plan and this month's usage. License and plan fields are `null` for
    /// organizations of another zone.
    fn fill_plan(&self, out: &mut Organization, col: &str) {
        let (state, o, usage) = (self.state, self.o, self.usage);
        let (_, plan) = state.plan(&o.plan);
        let local = o.zone == *state.zone;
        let unused = |limit: i64, used: i64| Some((limit - used).max(0).to_string());
        match col {
            "license" => out.license = local.then(|| plan.license.clone()),
            "serviceName" => out.service_name = local.then(|| plan.service_name.clone()),
            "productName" => out.product_name = Some(plan.product_name.clone()),
            "isPaused" => out.is_paused = local.then_some(false),
            "operations" => out.operations = Some(usage.operations.to_string()),
            "transfer" => out.transfer = Some(usage.data_transfer.to_string()),
            "unusedOperations" => out.unused_operations = unused(plan.license.operations(), usage.operations),
            "unusedTransfer" => out.unused_transfer = unused(plan.license.transfer(), usage.data_transfer),
            _ => {}
        }
    }
}

/// The columns that are the same for every organization: orgd runs no scenarios, apps or partner programmes.
fn fill_constant(out: &mut Organization, col: &str) {
    match col {
        "operationsExt" => out.operations_ext = Some("0"),
        "transferExt" => out.transfer_ext = Some("0"),
        "deleted" => out.deleted = Some(false),
        "features" => out.features = Some(Map::new()),
        "autoPurchasingActivated" => out.auto_purchasing_activated = Some(false),
        "activeScenarios" => out.active_scenarios = Some(0),
        "activeApps" => out.active_apps = Some(0),
        "scenarios" => out.scenarios = Some(0),
        "solutionPartnerLink" => out.solution_partner_link = Some(""),
        "sharedScenarioPartnerCode" => out.shared_scenario_partner_code = Some(""),
        // `ssoType` is always null: orgd has no single sign-on.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_spans_the_calendar_month() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 0).unwrap();
        let (last, next) = period(now);
        assert_eq!(
            (timestamp(last), timestamp(next)),
            ("2026-12-01T00:00:00.000Z".into(), "2027-01-01T00:00:00.000Z".into())
        );
    }

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<Organization>(), ALL);
    }
}
