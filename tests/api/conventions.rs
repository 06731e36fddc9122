//! Conventions every endpoint shares: error bodies for framework rejections, paging bounds, probes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, read, suberror_paths, TestApp};

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_the_make_format() {
    let app = TestApp::spawn().await;
    assert_error(&app.get("/nothing/here", &app.admin).await, 404, "SC404");
    assert_error(&app.get("/Organizations", &app.admin).await, 404, "SC404");
    let res = app
        .raw(Method::PUT, "/organizations")
        .header("Authorization", format!("Token {}", app.admin))
        .send()
        .await
        .unwrap();
    let allow = res.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
    assert_error(&read(res).await, 405, "SC405");
    assert!(allow.unwrap().contains("POST"));
}

#[tokio::test]
async fn malformed_bodies_are_400_naming_the_body() {
    let app = TestApp::spawn().await;
    for raw in ["{", "[1,2]", "\"text\"", "{\"name\": }", "nul\u{0}"] {
        let res = app
            .raw(Method::POST, "/organizations")
            .header("Authorization", format!("Token {}", app.admin))
            .header("Content-Type", "application/json")
            .body(raw.to_string())
            .send()
            .await
            .unwrap();
        let body = assert_error(&read(res).await, 400, "SC400");
        assert_eq!(suberror_paths(&body), ["body"], "{raw}");
    }
}

#[tokio::test]
async fn wrong_content_type_is_415_and_oversized_bodies_413() {
    let app = TestApp::spawn().await;
    let res = app
        .raw(Method::POST, "/organizations")
        .header("Authorization", format!("Token {}", app.admin))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(&read(res).await, 415, "SC415");
    let huge = json!({"name": "x".repeat(400 * 1024), "regionId": 1, "timezoneId": 113, "countryId": 1});
    let got = app.post("/organizations", &app.admin, huge).await;
    let body = assert_error(&got, 413, "SC413");
    assert_eq!(body["detail"], "request entity too large");
    let (_, list) = app.get("/organizations", &app.admin).await;
    assert_eq!(list["organizations"], json!([]));
}

#[tokio::test]
async fn paging_parameters_are_bounded_and_each_bad_one_named() {
    let app = TestApp::spawn().await;
    for (q, path) in [
        ("pg[limit]=0", "pg[limit]"),
        ("pg[limit]=10001", "pg[limit]"),
        ("pg[limit]=ten", "pg[limit]"),
        ("pg[offset]=-1", "pg[offset]"),
        ("pg[sortBy]=license", "pg[sortBy]"),
        ("pg[sortDir]=sideways", "pg[sortDir]"),
        ("cols[x]=id", "cols[x]"),
    ] {
        let body = assert_error(&app.get(&format!("/organizations?{q}"), &app.admin).await, 400, "SC400");
        assert_eq!(suberror_paths(&body), [path], "{q}");
    }
    let (status, body) = app.get("/organizations?pg[limit]=10000&pg[sortDir]=DESC", &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["pg"]["sortDir"], "desc");
}

#[tokio::test]
async fn probes_answer_without_authentication() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.root("/livez")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = reqwest::get(app.root("/health")).await.unwrap();
    let (status, body) = read(res).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
}
