//! Rate limits: per organization from the plan's `apiLimit`, per user for calls without an organization, per
//! client address without credentials. The server's clock stands still, so the minute never rolls over.

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};

use crate::helpers::{assert_error, read, TestApp};

async fn limited_app() -> TestApp {
    let now = Utc.with_ymd_and_hms(2026, 5, 5, 10, 0, 15).unwrap();
    TestApp::spawn_at(now, |c| c.rate_limit = orgd::config::Switch::On).await
}

#[tokio::test]
async fn the_plans_api_limit_applies_per_organization_and_follows_plan_changes() {
    let app = limited_app().await;
    // Organization creation counts against the user bucket (30 on the lowest plan), not the organizations'.
    let org = app.create_org(&app.admin, "Limited").await;
    let other = app.create_org(&app.admin, "Other").await;
    for i in 0..30 {
        assert_eq!(app.get(&format!("/organizations/{org}"), &app.admin).await.0, StatusCode::OK, "request {i}");
    }
    let res = app
        .raw(Method::GET, &format!("/organizations/{org}"))
        .header("Authorization", format!("Token {}", app.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("retry-after").unwrap(), "45");
    let body = assert_error(&read(res).await, 429, "SC429");
    assert_eq!(body["message"], "Requests limit for organization exceeded, please try again later.");
    assert_eq!(
        app.get(&format!("/organizations/{other}"), &app.admin).await.0,
        StatusCode::OK,
        "each organization has its own count"
    );
    let team = app.first_team(&app.admin, other).await;
    assert_eq!(app.get(&format!("/teams/{team}"), &app.admin).await.0, StatusCode::OK);

    app.sql(&format!("update organizations set plan = 'teams' where id = {org}")).await;
    // A change made outside orgd reaches a node's token and membership cache (PostgreSQL) through the database's
    // change notification, milliseconds later: allow up to the one second orgd promises.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let status = app.get(&format!("/organizations/{org}"), &app.admin).await.0;
        if status == StatusCode::OK || std::time::Instant::now() > deadline {
            assert_eq!(status, StatusCode::OK, "240 per minute now");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn calls_without_an_organization_count_per_user() {
    let app = limited_app().await;
    let ann = app.user("ann@example.com").await;
    for _ in 0..30 {
        assert_eq!(app.get("/users/me", &app.admin).await.0, StatusCode::OK);
    }
    assert_error(&app.get("/enums/countries", &app.admin).await, 429, "SC429");
    assert_eq!(app.get("/users/me", &ann).await.0, StatusCode::OK, "another user is not affected");
}

#[tokio::test]
async fn floods_without_credentials_are_limited_per_address() {
    let app = limited_app().await;
    for _ in 0..orgd::config::Config::default().public_per_address_per_minute {
        assert_eq!(app.call(Method::GET, "/organizations", None, None).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_error(
        &app.call(Method::GET, "/organizations", Some("5a0b3f6e-0000-4000-8000-000000000000"), None).await,
        429,
        "SC429",
    );
    assert_eq!(
        app.get("/users/me", &app.admin).await.0,
        StatusCode::OK,
        "valid tokens are counted per user, not per address"
    );
}

/// Behind a trusted proxy the client is the right-most address the proxy added; from anyone else the header is
/// a client's claim and changes nothing.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let now = Utc.with_ymd_and_hms(2026, 5, 5, 10, 0, 15).unwrap();
    let limit = |c: &mut orgd::config::Config| {
        c.rate_limit = orgd::config::Switch::On;
        c.public_per_address_per_minute = 5;
    };
    let status = |app: &TestApp, forwarded: &str| {
        let req =
            reqwest::Client::new().get(format!("{}/organizations", app.base)).header("x-forwarded-for", forwarded);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let proxied = TestApp::spawn_at(now, |c| {
        limit(c);
        c.trusted_proxies = "127.0.0.0/8".parse().unwrap();
    })
    .await;
    for _ in 0..5 {
        assert_eq!(status(&proxied, "198.51.100.1, 203.0.113.1").await, 401);
    }
    assert_eq!(status(&proxied, "198.51.100.2, 203.0.113.1").await, 429, "the left entry is the client's claim");
    assert_eq!(status(&proxied, "203.0.113.2").await, 401, "another client behind the proxy");
    let direct = TestApp::spawn_at(now, limit).await;
    for i in 0..5 {
        assert_eq!(status(&direct, &format!("203.0.113.{i}")).await, 401);
    }
    assert_eq!(status(&direct, "203.0.113.99").await, 429, "an untrusted X-Forwarded-For is ignored");
}

#[tokio::test]
async fn rate_limits_can_be_switched_off() {
    let now = Utc.with_ymd_and_hms(2026, 5, 5, 10, 0, 15).unwrap();
    let app = TestApp::spawn_at(now, |c| c.rate_limit = orgd::config::Switch::Off).await;
    for _ in 0..40 {
        assert_eq!(app.get("/users/me", &app.admin).await.0, StatusCode::OK);
    }
}
