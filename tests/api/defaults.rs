//! A fresh install as it ships: the self-hosted `unlimited` plan with no entity limits and an API limit no
//! scripted use meets, rate limiting still on; billing still works from it.

use orgd::config::Config;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, Db, TestApp};

/// The server with the shipped defaults (only the database and the bootstrap token are the test's).
async fn shipped() -> TestApp {
    TestApp::spawn_with(Db::fresh().await, |c| {
        let d = Config::default();
        (c.default_plan, c.rate_limit) = (d.default_plan, d.rate_limit);
    })
    .await
}

#[tokio::test]
async fn a_fresh_install_walls_nobody_off() {
    let app = shipped().await;
    let org = app.create_org(&app.admin, "Self-hosted").await;
    let (_, body) = app.get(&format!("/organizations/{org}"), &app.admin).await;
    let o = &body["organization"];
    assert_eq!((o["serviceName"].as_str(), o["productName"].as_str()), (Some("unlimited"), Some("Unlimited")));
    assert_eq!(
        (o["license"]["customVariables"].as_bool(), o["license"]["tfaEnforcement"].as_bool()),
        (Some(true), Some(true))
    );

    // More teams and members than any hosted plan below Teams allows, and well over 30 requests a minute.
    for i in 0..6 {
        let (status, body) =
            app.post("/teams", &app.admin, json!({"name": format!("Team {i}"), "organizationId": org})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    for i in 0..4 {
        let email = format!("member{i}@example.com");
        let (status, body) = app
            .post(
                &format!("/organizations/{org}/invite"),
                &app.admin,
                json!({"email": email, "name": "M", "usersRoleId": 13}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .post(&format!("/organizations/{org}/variables"), &app.admin, json!({"name": "v", "typeId": 1, "value": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "custom variables are licensed: {body}");
    for _ in 0..80 {
        assert_eq!(app.get("/users/me", &app.admin).await.0, StatusCode::OK);
        assert_eq!(app.get(&format!("/organizations/{org}"), &app.admin).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn billing_works_from_the_self_hosted_default() {
    let app = shipped().await;
    let org = app.create_org(&app.admin, "Billing").await;
    let (_, prices) = app.get("/enums/prices", &app.admin).await;
    let ids: Vec<_> = prices["prices"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(&ids[10..], ["unlimited-monthly", "unlimited-yearly"], "{ids:?}");
    let sub = format!("/organizations/{org}/subscription");
    let (_, s) = app.get(&sub, &app.admin).await;
    let product = &s["subscription"]["product"];
    assert_eq!((s["subscription"]["status"].as_str(), product["planId"].as_str()), (Some("none"), Some("unlimited")));

    let (status, body) = app.post(&sub, &app.admin, json!({"priceId": "enterprise-yearly"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, o) = app.get(&format!("/organizations/{org}?cols[]=serviceName"), &app.admin).await;
    assert_eq!(o["organization"]["serviceName"], "enterprise");
    let (status, body) = app.delete(&sub, &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, o) = app.get(&format!("/organizations/{org}?cols[]=serviceName"), &app.admin).await;
    assert_eq!(o["organization"]["serviceName"], "unlimited", "cancelling returns to the default plan");
}

#[tokio::test]
async fn a_hosted_service_can_take_the_self_hosted_plan_off_sale() {
    let app = TestApp::spawn_with(Db::fresh().await, |c| {
        c.plans = json!({"unlimited": {"purchasable": false}}).as_object().unwrap().clone();
    })
    .await;
    let org = app.create_org(&app.admin, "Hosted").await;
    let (_, prices) = app.get("/enums/prices", &app.admin).await;
    assert_eq!(prices["prices"].as_array().unwrap().len(), 10);
    let sub = format!("/organizations/{org}/subscription");
    assert_error(&app.post(&sub, &app.admin, json!({"priceId": "unlimited-monthly"})).await, 400, "SC400");
}
