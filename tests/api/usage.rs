//! `GET /organizations/{organizationId}/usage`: 30 days, zeros for quiet days, days cut in the caller's or the
//! organization's timezone.

use chrono::{TimeZone, Utc};
use orgd::domain::ids::OrgId;
use orgd::store::models::UsageTotals;
use serde_json::Value;

use crate::helpers::{assert_error, TestApp};

fn day(body: &Value, date: &str) -> (i64, i64, i64) {
    let e =
        body["data"].as_array().unwrap().iter().find(|e| e["date"] == date).unwrap_or_else(|| panic!("{date} missing"));
    (e["operations"].as_i64().unwrap(), e["dataTransfer"].as_i64().unwrap(), e["centicredits"].as_i64().unwrap())
}

fn ops(n: i64) -> UsageTotals {
    UsageTotals { operations: n, data_transfer: n * 100, centicredits: n * 10 }
}

#[tokio::test]
async fn thirty_days_oldest_first_with_zeros_and_the_timezone_switch() {
    let now = Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap();
    let app = TestApp::spawn_at(now, |_| {}).await;
    let org = app.create_org(&app.admin, "Usage").await;
    // 23:30 UTC on June 10 is June 11 in Prague (UTC+2 in summer).
    app.store.add_usage(OrgId(org), Utc.with_ymd_and_hms(2026, 6, 10, 23, 30, 0).unwrap(), ops(5), now).await.unwrap();
    app.store.add_usage(OrgId(org), Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap(), ops(2), now).await.unwrap();
    app.store.add_usage(OrgId(org), Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap(), ops(1000), now).await.unwrap();

    let (_, utc) = app.get(&format!("/organizations/{org}/usage"), &app.admin).await;
    let dates: Vec<&str> = utc["data"].as_array().unwrap().iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert_eq!(dates.len(), 30);
    assert_eq!((dates[0], dates[29]), ("2026-05-17", "2026-06-15"));
    assert_eq!(day(&utc, "2026-06-10"), (7, 700, 70), "the caller (admin) lives in Etc/UTC");
    assert_eq!(day(&utc, "2026-06-11"), (0, 0, 0));
    let total: i64 = utc["data"].as_array().unwrap().iter().map(|e| e["operations"].as_i64().unwrap()).sum();
    assert_eq!(total, 7, "usage older than 30 days is outside");

    let (_, local) = app.get(&format!("/organizations/{org}/usage?organizationTimezone=true"), &app.admin).await;
    assert_eq!(day(&local, "2026-06-10"), (2, 200, 20));
    assert_eq!(day(&local, "2026-06-11"), (5, 500, 50));
    assert_error(
        &app.get(&format!("/organizations/{org}/usage?organizationTimezone=yes"), &app.admin).await,
        400,
        "SC400",
    );
}

#[tokio::test]
async fn days_across_the_end_of_daylight_saving_are_25_hours_long() {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    let app = TestApp::spawn_at(now, |_| {}).await;
    let org = app.create_org(&app.admin, "DST").await;
    // Prague leaves summer time at 03:00 local on 2026-10-25: that day runs from 22:00 UTC on the 24th to 23:00
    // UTC on the 25th.
    for (h, m, n) in [(21, 59, 1), (22, 0, 10), (22, 59, 100), (23, 0, 1000)] {
        let at = if h == 21 || (h == 22 && m == 0) {
            Utc.with_ymd_and_hms(2026, 10, 24, h, m, 0).unwrap()
        } else {
            Utc.with_ymd_and_hms(2026, 10, 25, h, m, 0).unwrap()
        };
        app.store.add_usage(OrgId(org), at, ops(n), now).await.unwrap();
    }
    let (_, local) = app.get(&format!("/organizations/{org}/usage?organizationTimezone=true"), &app.admin).await;
    assert_eq!(day(&local, "2026-10-24").0, 1);
    assert_eq!(day(&local, "2026-10-25").0, 110, "22:00 UTC on the 24th through 22:59 UTC on the 25th");
    assert_eq!(day(&local, "2026-10-26").0, 1000);
    let (_, utc) = app.get(&format!("/organizations/{org}/usage"), &app.admin).await;
    assert_eq!((day(&utc, "2026-10-24").0, day(&utc, "2026-10-25").0), (11, 1100));
}

#[tokio::test]
async fn concurrent_adds_all_count() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Busy").await;
    let at = Utc::now();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move { store.add_usage(OrgId(org), at, ops(3), Utc::now()).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let (_, body) = app.get(&format!("/organizations/{org}/usage"), &app.admin).await;
    let total: i64 = body["data"].as_array().unwrap().iter().map(|e| e["operations"].as_i64().unwrap()).sum();
    assert_eq!(total, 120);
}
