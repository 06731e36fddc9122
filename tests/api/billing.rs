//! Plans and billing: payments, the subscription endpoints, the price list, and the license following the plan
//! everywhere at once.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, suberror_paths, TestApp};

async fn license(app: &TestApp, org: i64) -> Value {
    app.get(&format!("/organizations/{org}?cols[]=license&cols[]=productName"), &app.admin).await.1["organization"]
        .clone()
}

async fn payments(app: &TestApp, org: i64) -> Vec<Value> {
    app.get(&format!("/organizations/{org}/payments"), &app.admin).await.1["payments"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_price_list_covers_every_plan_and_interval() {
    let app = TestApp::spawn().await;
    let (_, body) = app.get("/enums/prices", &app.admin).await;
    let ids: Vec<_> =
        body["prices"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 12, "five hosted plans and the self-hosted one");
    assert_eq!(&ids[..2], ["free-monthly", "free-yearly"]);
    let teams = body["prices"].as_array().unwrap().iter().find(|p| p["id"] == "teams-monthly").unwrap();
    assert_eq!((teams["license"]["apiLimit"].as_i64(), teams["currency"].as_str()), (Some(240), Some("USD")));
    let limits: Vec<_> = ["free", "core", "pro", "teams", "enterprise"]
        .iter()
        .map(|k| {
            body["prices"].as_array().unwrap().iter().find(|p| p["id"] == format!("{k}-monthly")).unwrap()["license"]
                ["apiLimit"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(limits, [30, 60, 120, 240, 1000]);
}

#[tokio::test]
async fn free_to_teams_and_back_switches_the_license_at_once_and_records_every_change() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Billing").await;
    let sub = format!("/organizations/{org}/subscription");
    assert_eq!(license(&app, org).await["productName"], "Free");
    assert_error(&app.post("/teams", &app.admin, json!({"name": "Second", "organizationId": org})).await, 400, "IM011");
    let (_, s) = app.get(&sub, &app.admin).await;
    assert_eq!(
        (s["subscription"]["status"].as_str(), s["subscription"]["product"]["id"].as_str()),
        (Some("none"), Some("free-monthly"))
    );

    let (status, started) = app
        .post(&sub, &app.admin, json!({"priceId": "teams-monthly", "couponCode": "WELCOME",
            "customer": {"email": "billing@acme.test", "name": "Acme Billing", "isBusiness": true, "companyName": "Acme s.r.o.", "countryId": 1}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let url = started["checkoutUrl"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://{}/api/v2/checkout/", app.addr)), "{url}");
    let (_, page) = crate::helpers::read(reqwest::get(url).await.unwrap()).await;
    assert_eq!(
        (page["checkout"]["status"].as_str(), page["checkout"]["organizationId"].as_i64()),
        (Some("complete"), Some(org))
    );

    let now = license(&app, org).await;
    assert_eq!(now["productName"], "Teams");
    assert_eq!(
        (now["license"]["apiLimit"].as_i64(), now["license"]["customVariables"].as_bool()),
        (Some(240), Some(true))
    );
    let (status, second) = app.post("/teams", &app.admin, json!({"name": "Second", "organizationId": org})).await;
    assert_eq!(status, StatusCode::OK, "teams limit follows");
    let (_, s) = app.get(&sub, &app.admin).await;
    assert_eq!(s["subscription"]["status"], "active");
    assert_eq!(s["subscription"]["product"]["price"], 3458);
    assert!(s["subscription"]["product"]["nextBill"].is_string());
    assert_error(&app.post(&sub, &app.admin, json!({"priceId": "pro-monthly"})).await, 400, "IM005");

    let (status, changed) = app.patch(&sub, &app.admin, json!({"priceId": "enterprise-yearly"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["subscription"]["product"]["name"], "Enterprise");
    assert_eq!(license(&app, org).await["license"]["apiLimit"], 1000);

    assert_error(&app.delete(&sub, &app.admin).await, 400, "IM011");
    app.delete(&format!("/teams/{}?confirmed=true", second["team"]["id"]), &app.admin).await;
    assert_eq!(app.delete(&sub, &app.admin).await.1, json!({"ok": 1}));
    assert_eq!(
        license(&app, org).await["productName"],
        "Free".to_string(),
        "cancel returns to the default plan at once"
    );
    assert_error(&app.patch(&sub, &app.admin, json!({"priceId": "pro-monthly"})).await, 400, "IM005");
    assert_error(&app.delete(&sub, &app.admin).await, 400, "IM005");

    let list = payments(&app, org).await;
    let kinds: Vec<_> = list
        .iter()
        .map(|p| {
            (p["type_name"].as_str().unwrap(), p["amount_total"].as_i64().unwrap(), p["product_name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        kinds,
        [("subscription", 3458, "Teams"), ("plan change", 299000, "Enterprise"), ("cancellation", 0, "Free")]
    );
    let yearly = &list[1];
    let from = chrono::DateTime::parse_from_rfc3339(yearly["period_from"].as_str().unwrap()).unwrap();
    let to = chrono::DateTime::parse_from_rfc3339(yearly["period_to"].as_str().unwrap()).unwrap();
    assert!((to - from).num_days() >= 365, "a yearly price pays for a year");
    assert_eq!(list[0]["invoice_number"], format!("ORGD-{:08}", list[0]["id"].as_i64().unwrap()));
    let (_, paged) =
        app.get(&format!("/organizations/{org}/payments?pg[limit]=1&pg[sortBy]=id&pg[sortDir]=desc"), &app.admin).await;
    assert_eq!(paged["payments"][0]["type_name"], "cancellation");
    assert_eq!(paged["pg"]["limit"], 1);
}

#[tokio::test]
async fn moving_to_free_needs_confirmation_and_refuses_to_strand_usage() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Downgrade").await;
    let sub = format!("/organizations/{org}/subscription");
    app.post(&sub, &app.admin, json!({"priceId": "teams-yearly"})).await;
    for n in ["B", "C"] {
        assert_eq!(app.post("/teams", &app.admin, json!({"name": n, "organizationId": org})).await.0, StatusCode::OK);
    }
    let free = format!("/organizations/{org}/subscription-free");
    assert_error(&app.post(&free, &app.admin, json!({})).await, 406, "IM004");
    let body = assert_error(&app.post(&format!("{free}?confirmed=true"), &app.admin, json!({})).await, 400, "IM011");
    assert!(body["detail"].as_str().unwrap().contains("3 teams"), "{body}");
    assert_eq!(license(&app, org).await["productName"], "Teams", "a refused downgrade changes nothing");
    assert_eq!(payments(&app, org).await.len(), 1);

    let (_, teams) = app.get(&format!("/teams?organizationId={org}&pg[sortBy]=id"), &app.admin).await;
    for t in &teams["teams"].as_array().unwrap()[1..] {
        app.delete(&format!("/teams/{}?confirmed=true", t["id"]), &app.admin).await;
    }
    let (status, body) = app.post(&format!("{free}?confirmed=true"), &app.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["customerId"], org);
    assert_eq!(license(&app, org).await["productName"], "Free");
    assert_eq!(payments(&app, org).await.last().unwrap()["type_name"], "free plan");
}

#[tokio::test]
async fn subscription_requests_are_validated_field_by_field() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Valid").await;
    let sub = format!("/organizations/{org}/subscription");
    assert_eq!(suberror_paths(&assert_error(&app.post(&sub, &app.admin, json!({})).await, 400, "SC400")), ["priceId"]);
    let bad = json!({"priceId": "gold-monthly", "couponCode": 7, "customer": {"email": "x", "isBusiness": true, "countryId": 2}});
    let body = assert_error(&app.post(&sub, &app.admin, bad).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["priceId", "couponCode", "customer"]);
    assert!(body["suberrors"][2]["message"].as_str().unwrap().contains("companyName"));
    assert_error(&app.patch(&sub, &app.admin, json!({"priceId": 5})).await, 400, "SC400");
    assert!(payments(&app, org).await.is_empty());
    assert_error(&app.get("/api/v2/checkout/not-a-session", &app.admin).await, 404, "SC404");
}

#[tokio::test]
async fn only_billing_roles_read_or_change_the_subscription() {
    let app = crate::helpers::spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let accountant = app.join(org, &app.admin, "acc@example.com", 14).await;
    let member = app.join(org, &app.admin, "mem@example.com", 13).await;
    let sub = format!("/organizations/{org}/subscription");
    assert_eq!(app.get(&sub, &accountant).await.0, StatusCode::OK);
    assert_eq!(app.get(&format!("/organizations/{org}/payments"), &accountant).await.0, StatusCode::OK);
    assert_error(&app.post(&sub, &accountant, json!({"priceId": "pro-monthly"})).await, 403, "SC403");
    assert_error(&app.get(&sub, &member).await, 403, "SC403");
    assert_error(&app.get(&format!("/organizations/{org}/payments"), &member).await, 403, "SC403");
    assert_error(
        &app.post(&format!("/organizations/{org}/subscription-free?confirmed=true"), &member, json!({})).await,
        403,
        "SC403",
    );
}
