//! API tokens created by a console session: the session's own token is not listed, and creating one needs a
//! password confirmed within 15 minutes (`POST /auth/reauthenticate`, which also gives the session a new id).

use chrono::{Duration, Utc};
use orgd::identity::session;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, TestApp};
use crate::kit::{person, Browser, PASSWORD};

#[tokio::test]
async fn a_session_creates_tokens_only_with_a_fresh_password() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK);
    let console = b.token(&app).await;
    let body = json!({"label": "laptop", "scope": ["user:read"]});

    // Just signed in: allowed. The session's own token is the session's, not listed among the person's.
    let (status, made) = app.post("/users/me/api-tokens", &console, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let (_, list) = app.get("/users/me/api-tokens", &console).await;
    let labels: Vec<&str> =
        list["apiTokens"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["", "laptop"], "the `orgd users add` token and the new one: {list}");

    // Twenty minutes after the password: refused until it is confirmed again.
    let session_id: i64 = app.db.strings("select cast(id as text) from sessions").await[0].parse().unwrap();
    let id = session::new_id();
    let past = Utc::now() - Duration::minutes(20);
    assert!(app.store.advance_session(session_id, &session::digest(&id), "full", true, past).await.unwrap());
    b.cookie = Some(format!("orgd-session={id}"));
    let refused = assert_error(&app.post("/users/me/api-tokens", &console, body.clone()).await, 403, "SC403");
    assert!(refused["detail"].as_str().unwrap().starts_with("Re-authentication required"), "{refused}");
    let (status, _) = app.get("/users/me", &console).await;
    assert_eq!(status, StatusCode::OK, "everything else goes on");

    let wrong = b.send(&app, Method::POST, "/auth/reauthenticate", Some(json!({"password": "not the password"}))).await;
    assert_eq!((wrong.status, wrong.body["detail"].as_str()), (StatusCode::FORBIDDEN, Some("The password is wrong.")));
    assert_error(&app.post("/users/me/api-tokens", &console, body.clone()).await, 403, "SC403");

    let mut forged = Browser { origin: Some("https://evil.example".into()), ..b.clone() };
    let cross = forged.send(&app, Method::POST, "/auth/reauthenticate", Some(json!({"password": PASSWORD}))).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "another origin: {}", cross.body);

    let old_cookie = b.cookie.clone();
    let ok = b.send(&app, Method::POST, "/auth/reauthenticate", Some(json!({"password": PASSWORD}))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_ne!(b.cookie, old_cookie, "a new session id");
    let (status, again) = app.post("/users/me/api-tokens", &console, body).await;
    assert_eq!(status, StatusCode::OK, "the console's token still works and may create: {again}");
    let me = b.send(&app, Method::GET, "/auth/session", None).await;
    assert_eq!(me.status, StatusCode::OK, "the new id is the session: {}", me.body);
}
