//! One clock: moving the sandbox clock moves invitation expiry, usage days, billing dates, audit entries and the
//! rate-limit windows.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{example_seed, start_seeded, ANN, BOB};

#[tokio::test]
async fn the_clock_expires_an_invitation() {
    let sb = start_seeded(&example_seed(), &["--clock", "2026-12-04T09:00:00Z"]);
    let now = sb.control(Method::GET, "/_orgd/clock", None).await;
    assert_eq!(now["now"], "2026-12-04T09:00:00Z");
    let invite = json!({"email": "bob@example.com", "name": "Bob", "usersRoleId": 13});
    let (s, _, v) = sb.call(Method::POST, "/api/v2/organizations/1/invite", Some(ANN), Some(invite)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mine = "/api/v2/users/me/organization-invitations";
    let (_, v) = sb.get(mine, BOB).await;
    assert_eq!(v["userOrganizationInvitations"].as_array().unwrap().len(), 1, "{v}");
    let moved = sb.control(Method::PUT, "/_orgd/clock", Some(json!({"advanceSeconds": 8 * 86_400}))).await;
    assert_eq!(moved["now"], "2026-12-12T09:00:00Z");
    let (_, v) = sb.get(mine, BOB).await;
    assert!(v["userOrganizationInvitations"].as_array().unwrap().is_empty(), "expired after 7 days: {v}");
}

#[tokio::test]
async fn the_clock_dates_audit_entries_and_cuts_usage_days() {
    let sb = start_seeded(&example_seed(), &[]);
    sb.control(Method::PUT, "/_orgd/clock", Some(json!({"now": "2031-05-05T12:00:00Z"}))).await;
    let (s, _, v) = sb.call(Method::PATCH, "/api/v2/organizations/1", Some(ANN), Some(json!({"name": "Acme 2"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, log) = sb.get("/api/v2/audit-logs/v2/organization/1", ANN).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let newest = &log["auditLogs"][0];
    assert!(newest["triggeredAt"].as_str().unwrap().starts_with("2031-05-05T12:00:00"), "{newest}");

    sb.control(Method::PUT, "/_orgd/clock", Some(json!({"now": "2026-12-03T10:00:00Z"}))).await;
    let (_, usage) = sb.get("/api/v2/organizations/1/usage?organizationTimezone=true", ANN).await;
    let days = usage["data"].as_array().unwrap();
    assert_eq!(days.last().unwrap()["date"], "2026-12-03", "today on the sandbox clock: {usage}");
    let seeded = days.iter().find(|d| d["date"] == "2026-12-01").unwrap();
    assert_eq!(seeded["operations"], 100);
}

#[tokio::test]
async fn the_clock_dates_billing() {
    let sb = start_seeded(&example_seed(), &["--clock", "2027-03-15T10:00:00Z"]);
    let body = json!({"priceId": "teams-monthly"});
    let (s, _, v) = sb.call(Method::POST, "/api/v2/organizations/2/subscription", Some(ANN), Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = sb.get("/api/v2/organizations/2/subscription", ANN).await;
    let next = v["subscription"]["product"]["nextBill"].as_str().unwrap();
    assert!(next.starts_with("2027-04-15"), "a month after the sandbox's now: {v}");
}

#[tokio::test]
async fn rate_limit_windows_follow_the_clock_and_reset_empties_them() {
    // Beta is on the free plan: 30 requests a minute.
    let sb = start_seeded(&example_seed(), &["--clock", "2026-12-04T09:00:00Z"]);
    for _ in 0..30 {
        assert_eq!(sb.get("/api/v2/organizations/2", ANN).await.0, StatusCode::OK);
    }
    let (s, headers, v) = sb.call(Method::GET, "/api/v2/organizations/2", Some(ANN), None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(headers.contains_key("retry-after"));
    sb.control(Method::PUT, "/_orgd/clock", Some(json!({"advanceSeconds": 60}))).await;
    assert_eq!(sb.get("/api/v2/organizations/2", ANN).await.0, StatusCode::OK, "the next minute");
    for _ in 0..30 {
        sb.get("/api/v2/organizations/2", ANN).await;
    }
    sb.control(Method::POST, "/_orgd/reset", None).await;
    assert_eq!(sb.get("/api/v2/organizations/2", ANN).await.0, StatusCode::OK, "counters reset");
}

#[tokio::test]
async fn the_clock_moves_the_month_operations_count_and_next_reset() {
    let seed = json!({
        "users": [{"email": "ann@example.com", "tokens": [{"token": ANN}]}],
        "organizations": [{"name": "Acme", "owner": "ann@example.com", "usage": [
            {"date": "2026-11-30", "operations": 100}, {"date": "2026-12-01", "operations": 7}]}]
    });
    let sb = start_seeded(&seed, &["--clock", "2026-11-30T20:00:00Z"]);
    let (_, v) = sb.get("/api/v2/organizations/1", ANN).await;
    assert_eq!(v["organization"]["nextReset"], "2026-12-01T00:00:00.000Z", "{v}");
    assert_eq!(v["organization"]["operations"].to_string().trim_matches('"'), "100");
    sb.control(Method::PUT, "/_orgd/clock", Some(json!({"advanceSeconds": 86_400}))).await;
    let (_, v) = sb.get("/api/v2/organizations/1", ANN).await;
    assert_eq!(v["organization"]["nextReset"], "2027-01-01T00:00:00.000Z");
    assert_eq!(v["organization"]["operations"].to_string().trim_matches('"'), "7", "a new month on the clock");
}
