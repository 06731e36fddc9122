//! What the server acknowledged survives a restart.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, ADMIN_TOKEN};

#[tokio::test]
async fn organizations_and_tokens_survive_a_restart_and_bootstrap_runs_once() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let id = app.create_org(&ann, "Durable").await;
    app.patch(&format!("/organizations/{id}"), &ann, json!({"name": "Durable 2"})).await;
    let db = app.stop().await;

    let other = "7d6f1c2a-3b4e-4f5a-9b8c-7d6e5f4a3b2c";
    let app = TestApp::spawn_with(db, |c| c.bootstrap_token = Some(other.into())).await;
    let (status, body) = app.get(&format!("/organizations/{id}"), &ann).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["organization"]["name"], "Durable 2");
    assert_eq!(body["organization"]["teams"][0]["name"], "My Team");
    assert_eq!(app.get("/users/me", ADMIN_TOKEN).await.0, StatusCode::OK);
    assert_eq!(
        app.get("/users/me", other).await.0,
        StatusCode::UNAUTHORIZED,
        "bootstrap is ignored on a used database"
    );
}
