//! What the server acknowledged survives a restart.

use orgd::domain::ids::OrgId;
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

#[tokio::test]
async fn history_usage_and_feature_controls_survive_a_restart() {
    let app = crate::helpers::spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Kept").await;
    let vars = format!("/organizations/{org}/variables");
    app.post(&vars, &app.admin, json!({"name": "v", "typeId": 1, "value": 1})).await;
    app.patch(&format!("{vars}/v"), &app.admin, json!({"value": 2})).await;
    app.store
        .add_usage(
            OrgId(org),
            chrono::Utc::now(),
            orgd::store::models::UsageTotals { operations: 9, ..Default::default() },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let controls = format!("/organizations/{org}/feature-controls");
    let (_, list) = app.get(&controls, &app.admin).await;
    let id = list["featureControls"][0]["id"].as_i64().unwrap();
    app.patch(&controls, &app.admin, json!({"id": id, "enabled": false})).await;
    let db = app.stop().await;

    let app = TestApp::spawn_with(db, |c| c.default_plan = "teams".into()).await;
    let (_, history) = app.get(&format!("{vars}/v/history"), &app.admin).await;
    assert_eq!(history["organizationVariableHistory"].as_array().unwrap().len(), 2);
    let (_, usage) = app.get(&format!("/organizations/{org}/usage"), &app.admin).await;
    let total: i64 = usage["data"].as_array().unwrap().iter().map(|e| e["operations"].as_i64().unwrap()).sum();
    assert_eq!(total, 9);
    let (_, list) = app.get(&controls, &app.admin).await;
    assert_eq!(list["enableAllControlFeatures"], false);
}
