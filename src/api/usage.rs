//! An organization's usage: the last 30 days, one entry per day, days cut in the caller's or the organization's timezone.

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::openapi::answers::{NoSuchOrganization, NotAMember};
use crate::api::params::Params;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::domain::scopes::OrgsRead;
use crate::domain::timezones;
use crate::error::{ErrorBody, Result};
use crate::store::models::UsageTotals;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(usage_by_day))
}

/// How many days the usage answer covers, today included.
pub const DAYS: u64 = 30;

/// The instant a local day starts (midnight, or the first instant after a DST gap that swallows it).
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=3)
        .find_map(|h| tz.from_local_datetime(&(midnight + chrono::Duration::hours(h))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// Sums records into the local days of `[first, last]`, zeros for quiet days.
pub fn by_day(
    tz: Tz,
    first: NaiveDate,
    last: NaiveDate,
    records: &[(DateTime<Utc>, UsageTotals)],
) -> Vec<(NaiveDate, UsageTotals)> {
    let mut days: BTreeMap<NaiveDate, UsageTotals> = BTreeMap::new();
    let mut d = first;
    while d <= last {
        days.insert(d, UsageTotals::default());
        d = d + Days::new(1);
    }
    for (at, u) in records {
        if let Some(sum) = days.get_mut(&at.with_timezone(&tz).date_naive()) {
            sum.operations += u.operations;
            sum.data_transfer += u.data_transfer;
            sum.centicredits += u.centicredits;
        }
    }
    days.into_iter().collect()
}

/// `GET /organizations/{organizationId}/usage?organizationTimezone=`.
#[utoipa::path(get, path = "/organizations/{organizationId}/usage", operation_id = "usage", params(dto::UsageQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "Usage per day.", body = dto::Usage),
        (status = 400, description = "A bad id or `organizationTimezone`.", body = ErrorBody),
        NotAMember,
        NoSuchOrganization,
    ))]
async fn usage_by_day(State(state): State<AppState>, m: OrgMember<OrgsRead>, q: Params) -> Result<Reply<dto::Usage>> {
    let g = m.view()?;
    let zone_id = if q.bool("organizationTimezone", false)? { m.org.timezone_id } else { m.caller.user.timezone_id };
    let tz = timezones::by_id(zone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    let today = state.now().with_timezone(&tz).date_naive();
    let first = today - Days::new(DAYS - 1);
    let records = state.store.usage_records(&g, day_start(tz, first), day_start(tz, today + Days::new(1))).await?;
    let data = by_day(tz, first, today, &records).into_iter().map(dto::Day::from).collect();
    Ok(Reply(dto::Usage { data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_follow_daylight_saving_in_the_chosen_zone() {
        let prague: Tz = "Europe/Prague".parse().unwrap();
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!((day_start(prague, spring + Days::new(1)) - day_start(prague, spring)).num_hours(), 23);
        assert_eq!((day_start(prague, autumn + Days::new(1)) - day_start(prague, autumn)).num_hours(), 25);
        // 23:30 UTC on the 28th is already the 29th in Prague (UTC+1); 22:30 UTC on the 29th is the 30th (UTC+2).
        let u = |ops| UsageTotals { operations: ops, ..Default::default() };
        let recs = [
            (Utc.with_ymd_and_hms(2026, 3, 28, 23, 30, 0).unwrap(), u(1)),
            (Utc.with_ymd_and_hms(2026, 3, 29, 21, 30, 0).unwrap(), u(10)),
            (Utc.with_ymd_and_hms(2026, 3, 29, 22, 30, 0).unwrap(), u(100)),
        ];
        let days = by_day(prague, spring - Days::new(1), spring + Days::new(1), &recs);
        let ops: Vec<i64> = days.iter().map(|(_, t)| t.operations).collect();
        assert_eq!(ops, [0, 11, 100]);
        let utc = by_day(chrono_tz::UTC, spring - Days::new(1), spring + Days::new(1), &recs);
        assert_eq!(utc.iter().map(|(_, t)| t.operations).collect::<Vec<_>>(), [1, 110, 0]);
    }

    #[test]
    fn a_day_swallowed_at_midnight_starts_after_the_gap() {
        // America/Santiago springs forward at 00:00 local on 2026-09-06: the day starts at 01:00.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let start = day_start(santiago, day).with_timezone(&santiago);
        assert_eq!(start.date_naive(), day);
    }
}
