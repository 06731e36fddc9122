//! A person's own API tokens: `GET`/`POST /users/me/api-tokens`, `DELETE /users/me/api-tokens/{timestamp}`,
//! `GET /enums/user-api-token-scopes`.

use serde_json::{json, Value};

use crate::helpers::{assert_error, read, suberror_paths, TestApp};

/// Creates a token for the caller and returns the answer's `apiToken`.
async fn create(app: &TestApp, token: &str, label: &str, scope: &[&str]) -> Value {
    let got = app.post("/users/me/api-tokens", token, json!({"label": label, "scope": scope})).await;
    assert_eq!(got.0, 200, "{}", got.1);
    got.1["apiToken"].clone()
}

async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/users/me/api-tokens", token).await;
    assert_eq!(status, 200, "{body}");
    body["apiTokens"].as_array().unwrap().clone()
}

fn path_of(created: &Value) -> String {
    format!("/users/me/api-tokens/{}", created.as_str().unwrap())
}

#[tokio::test]
async fn a_created_token_works_is_listed_masked_and_stops_working_when_deleted() {
    let app = TestApp::spawn().await;
    let made = create(&app, &app.admin, "CI deploy: prod", &["teams:read", "user:read", "user:read"]).await;
    let full = made["token"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::try_parse(&full).is_ok(), "{made}");
    assert_eq!(made["scope"], json!(["teams:read", "user:read"]));
    assert_eq!(made["label"], "CI deploy: prod");
    let created = made["created"].as_str().unwrap();
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");

    let (status, auth) = app.get("/users/me/current-authorization", &full).await;
    assert_eq!((status.as_u16(), &auth["authorization"]["scope"]), (200, &json!(["teams:read", "user:read"])));
    assert_error(&app.get("/organizations", &full).await, 403, "SC403");

    let list = listed(&app, &full).await;
    let mine = list.iter().find(|t| t["created"] == made["created"]).expect("listed");
    let prefix = full.split('-').next().unwrap();
    assert_eq!(mine["token"], format!("{prefix}-****-****-****-************"));
    assert_eq!((&mine["label"], &mine["scope"]), (&made["label"], &made["scope"]));
    assert!(!list.iter().any(|t| t.to_string().contains(&full[9..])), "a list shows only the first segment");
    let stored = app.db.strings("select digest || ' ' || coalesce(hint, '') from tokens").await.join("\n");
    assert!(!stored.contains(&full[9..]), "stored in clear: {stored}");

    let (status, deleted) = app.delete(&path_of(&made["created"]), &app.admin).await;
    assert_eq!((status.as_u16(), &deleted["apiToken"]), (200, &mine["token"]));
    assert_error(&app.get("/users/me", &full).await, 401, "IM015");
    assert!(!listed(&app, &app.admin).await.iter().any(|t| t["created"] == made["created"]));
    assert_error(&app.delete(&path_of(&made["created"]), &app.admin).await, 404, "SC404");
}

#[tokio::test]
async fn a_token_may_delete_itself_and_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let made = create(&app, &app.admin, "self", &["user:write"]).await;
    let token = made["token"].as_str().unwrap();
    let (status, _) = app.delete(&path_of(&made["created"]), token).await;
    assert_eq!(status, 200);
    assert_error(&app.get("/users/me", token).await, 401, "IM015");
}

#[tokio::test]
async fn a_token_grants_no_scope_its_creator_lacks() {
    let app = TestApp::spawn().await;
    let plain = app.user("plain@example.com").await;
    let refused = assert_error(
        &app.post("/users/me/api-tokens", &plain, json!({"label": "x", "scope": ["teams:read", "admin:write"]})).await,
        403,
        "SC403",
    );
    assert!(refused["detail"].as_str().unwrap().contains("admin:write"), "{refused}");
    // A narrower token cannot widen itself either.
    let narrow = create(&app, &plain, "narrow", &["user:write"]).await;
    let narrow = narrow["token"].as_str().unwrap();
    assert_error(
        &app.post("/users/me/api-tokens", narrow, json!({"label": "y", "scope": ["teams:write"]})).await,
        403,
        "SC403",
    );
    // The endpoint pages' spellings are granted by the catalogue's.
    let synonym = create(&app, &plain, "synonym", &["organization:read", "organization-variables:write"]).await;
    assert_eq!(synonym["scope"], json!(["organization:read", "organization-variables:write"]));
    assert_eq!(listed(&app, &plain).await.len(), 3, "the refusals stored nothing");
}

#[tokio::test]
async fn bad_bodies_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    for (body, paths) in [
        (json!({}), vec!["label", "scope"]),
        (json!({"label": "", "scope": []}), vec!["label", "scope"]),
        (json!({"label": "x".repeat(101), "scope": ["nope:read"]}), vec!["label", "scope"]),
        (json!({"label": " lead", "scope": "teams:read"}), vec!["label", "scope"]),
        (json!({"label": "tab\tx", "scope": [1]}), vec!["label", "scope"]),
        (json!({"label": 5, "scope": ["teams:read"]}), vec!["label"]),
    ] {
        let got = assert_error(&app.post("/users/me/api-tokens", &app.admin, body.clone()).await, 400, "SC400");
        assert_eq!(suberror_paths(&got), paths, "{body}: {got}");
    }
    assert_error(&app.delete("/users/me/api-tokens/yesterday", &app.admin).await, 400, "SC400");
    assert_eq!(listed(&app, &app.admin).await.len(), 1, "only the bootstrap token");
}

#[tokio::test]
async fn nobody_deletes_or_sees_another_persons_token() {
    let app = TestApp::spawn().await;
    let other = app.user("other@example.com").await;
    let made = create(&app, &other, "theirs", &["user:read"]).await;
    assert_error(&app.delete(&path_of(&made["created"]), &app.admin).await, 404, "SC404");
    assert!(!listed(&app, &app.admin).await.iter().any(|t| t["label"] == "theirs"));
    let (status, _) = app.get("/users/me", made["token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "still live");
}

#[tokio::test]
async fn tokens_made_at_once_get_distinct_creation_times() {
    let app = TestApp::spawn().await;
    let sends = (0..8).map(|i| {
        let req = app
            .raw(reqwest::Method::POST, "/users/me/api-tokens")
            .header("Authorization", format!("Token {}", app.admin));
        tokio::spawn(req.json(&json!({"label": format!("t{i}"), "scope": ["user:read"]})).send())
    });
    let mut made = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        let (status, body) = read(send.await.unwrap().unwrap()).await;
        assert_eq!(status, 200, "{body}");
        made.push(body["apiToken"].clone());
    }
    let mut times: Vec<&str> = made.iter().map(|t| t["created"].as_str().unwrap()).collect();
    times.sort();
    times.dedup();
    assert_eq!(times.len(), 8, "{times:?}");
    // Each deletes exactly its own token.
    let (status, _) = app.delete(&path_of(&made[3]["created"]), &app.admin).await;
    assert_eq!(status, 200);
    assert_eq!(listed(&app, &app.admin).await.len(), 8, "the bootstrap token and seven of eight");
}

#[tokio::test]
async fn a_person_holds_at_most_a_hundred_tokens() {
    let app = TestApp::spawn().await;
    let user = app.user("many@example.com").await;
    for i in 1..100 {
        create(&app, &user, &format!("t{i}"), &["user:read"]).await;
    }
    let got = app.post("/users/me/api-tokens", &user, json!({"label": "one more", "scope": ["user:read"]})).await;
    assert_error(&got, 400, "IM011");
    let first = listed(&app, &user).await[1].clone();
    app.delete(&path_of(&first["created"]), &user).await;
    create(&app, &user, "after a deletion", &["user:read"]).await;
}

#[tokio::test]
async fn tokens_issued_by_the_cli_are_listed_fully_masked() {
    let app = TestApp::spawn().await;
    let list = listed(&app, &app.admin).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["token"], "********-****-****-****-************");
    assert_eq!(list[0]["label"], "");
    // Its `created` names it like any other.
    let other = create(&app, &app.admin, "other", &["user:write"]).await;
    let (status, _) = app.delete(&path_of(&list[0]["created"]), other["token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_error(&app.get("/users/me", &app.admin).await, 401, "IM015");
}

#[tokio::test]
async fn the_scope_enum_lists_what_a_token_may_hold() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/enums/user-api-token-scopes", &app.admin).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        body["userApiTokenScopes"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"organizations:read") && names.contains(&"admin:write"), "{names:?}");
    // The administrator holds every scope (by a spelling or its variant), so it may put each on a token.
    let made = create(&app, &app.admin, "everything", &names).await;
    assert_eq!(made["scope"].as_array().unwrap().len(), names.len());
}
