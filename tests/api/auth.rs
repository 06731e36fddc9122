//! Authentication and scopes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, read, TestApp};

#[tokio::test]
async fn missing_malformed_and_unknown_credentials_get_401_with_the_observed_body() {
    let app = TestApp::spawn().await;
    for header in [
        None,
        Some("Basic abc"),
        Some("Token not-a-uuid"),
        Some("Token"),
        Some("Token 0b1e4c1e-0000-4000-8000-000000000000"),
    ] {
        let mut req = app.raw(Method::GET, "/organizations");
        if let Some(h) = header {
            req = req.header("Authorization", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.headers().get("www-authenticate").unwrap(), "Token");
        let body = assert_error(&read(res).await, 401, "IM015");
        assert_eq!(body["message"], "User is not logged in.", "{header:?}");
    }
}

#[tokio::test]
async fn bearer_and_token_schemes_both_work_case_insensitively() {
    let app = TestApp::spawn().await;
    for scheme in ["Token", "Bearer", "token", "BEARER"] {
        let res = app
            .raw(Method::GET, "/users/me")
            .header("Authorization", format!("{scheme} {}", app.admin))
            .send()
            .await
            .unwrap();
        let (status, body) = read(res).await;
        assert_eq!(status, StatusCode::OK, "{scheme}");
        assert_eq!(body["authUser"]["email"], "admin@localhost");
    }
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let token = app.user("rev@example.com").await;
    assert_eq!(app.get("/users/me", &token).await.0, StatusCode::OK);
    orgd::commands::tokens_revoke(&*app.store, &token).await.unwrap();
    assert_error(&app.get("/users/me", &token).await, 401, "IM015");
    assert!(orgd::commands::tokens_revoke(&*app.store, &token).await.is_err(), "second revoke reports nothing to do");
}

#[tokio::test]
async fn scopes_are_checked_per_endpoint_with_synonyms() {
    let app = TestApp::spawn().await;
    let reader = app.user_with_scopes("reader@example.com", Some("organizations:read")).await;
    let singular = app.user_with_scopes("singular@example.com", Some("organization:read")).await;
    let admin_writer = app.user_with_scopes("aw@example.com", Some("admin:write,organizations:read")).await;
    let body = json!({"name": "Scoped", "regionId": 1, "timezoneId": 113, "countryId": 1});

    let denied = assert_error(&app.post("/organizations", &reader, body.clone()).await, 403, "SC403");
    assert_eq!(denied["message"], "Permission denied");
    assert!(denied["detail"].as_str().unwrap().contains("organizations:write"));
    assert_eq!(app.get("/organizations", &reader).await.0, StatusCode::OK);

    assert_error(&app.get("/organizations", &singular).await, 403, "SC403");
    assert_eq!(app.get("/enums/countries", &singular).await.0, StatusCode::OK, "enums need only a valid token");

    let (status, created) = app.post("/organizations", &admin_writer, body).await;
    assert_eq!(status, StatusCode::OK, "admin:write may create (Make's docs for POST /organizations list it)");
    let id = created["organization"]["id"].as_i64().unwrap();
    assert_error(&app.patch(&format!("/organizations/{id}"), &admin_writer, json!({"name": "No"})).await, 403, "SC403");
}

#[tokio::test]
async fn tokens_are_stored_only_as_digests() {
    let app = TestApp::spawn().await;
    let token = app.user("hash@example.com").await;
    let stored = app.db.strings("select digest from tokens").await;
    assert_eq!(stored.len(), 2);
    for d in &stored {
        assert_eq!(d.len(), 64);
        assert!(!d.contains(&token) && !d.contains(&app.admin));
    }
    if let Some(path) = app.db.url.strip_prefix("sqlite://") {
        let dump = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&dump);
        assert!(!text.contains(&token), "clear token must not be in the database file");
    }
}

#[tokio::test]
async fn current_authorization_lists_the_token_scopes() {
    let app = TestApp::spawn().await;
    let token = app.user_with_scopes("ca@example.com", Some("teams:read,user:read")).await;
    let (status, body) = app.get("/users/me/current-authorization", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"authorization": {"authUsed": "token", "scope": ["teams:read", "user:read"]}}));
}
