//! `/metrics`, `/health`, request ids, and the bounds on request targets and headers.

use reqwest::{Method, StatusCode};

use crate::helpers::{assert_error, read, TestApp};

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Observed").await;
    for _ in 0..3 {
        app.get(&format!("/organizations/{org}"), &app.admin).await;
    }
    app.get("/organizations/999999", &app.admin).await;
    let res = reqwest::get(app.root("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    let line = |needle: &str| {
        text.lines().find(|l| l.starts_with(needle)).unwrap_or_else(|| panic!("no {needle} in\n{text}")).to_string()
    };
    let ok =
        line(r#"orgd_http_requests_total{method="GET",route="/api/v2/organizations/{organizationId}",status="200"}"#);
    assert!(ok.ends_with(" 3"), "{ok}");
    let missing =
        line(r#"orgd_http_requests_total{method="GET",route="/api/v2/organizations/{organizationId}",status="404"}"#);
    assert!(missing.ends_with(" 1"), "{missing}");
    let created = line(r#"orgd_http_requests_total{method="POST",route="/api/v2/organizations",status="200"}"#);
    assert!(created.ends_with(" 1"), "{created}");
    assert!(text.contains(
        r#"orgd_http_request_duration_seconds_count{method="GET",route="/api/v2/organizations/{organizationId}"} 4"#
    ));
    let max: f64 = line("orgd_db_pool_max_connections ").rsplit(' ').next().unwrap().parse().unwrap();
    assert!(max >= 2.0);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_clients() {
    let app = TestApp::spawn().await;
    let res =
        app.raw(Method::GET, "/users/me").header("Authorization", format!("Token {}", app.admin)).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let res = app.raw(Method::GET, "/nothing").header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42");
    assert_error(&read(res).await, 404, "SC404");
}

#[tokio::test]
async fn over_long_targets_and_headers_are_refused_in_the_make_format() {
    let app = TestApp::spawn().await;
    let long = format!("/organizations?externalId={}", "x".repeat(9000));
    let res = app.raw(Method::GET, &long).header("Authorization", format!("Token {}", app.admin)).send().await.unwrap();
    assert_error(&read(res).await, 414, "SC414");
    let res = app
        .raw(Method::GET, "/users/me")
        .header("Authorization", format!("Token {}", app.admin))
        .header("X-Padding", "p".repeat(40 * 1024))
        .send()
        .await
        .unwrap();
    assert_error(&read(res).await, 431, "SC431");
}

#[tokio::test]
async fn health_checks_the_database() {
    let app = TestApp::spawn().await;
    assert_eq!(reqwest::get(app.root("/health")).await.unwrap().status(), StatusCode::OK);
    app.store.close().await;
    let res = reqwest::get(app.root("/health")).await.unwrap();
    assert_error(&read(res).await, 503, "SC503");
}
