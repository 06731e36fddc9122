//! Joining through an invitation's link: a new account, an existing one, someone else's session, stale links.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};

/// Invites `email` into a new organization of the administrator's; the organization id and the link's hash.
async fn invite(app: &TestApp, email: &str) -> (i64, String) {
    let org = app.create_org(&app.admin, "Acme").await;
    let (status, body) = app
        .post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": email, "name": "Ann", "usersRoleId": 13}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hash = app.db.strings("select hash from invitations where accepted_at is null order by id desc").await;
    (org, hash[0].clone())
}

#[tokio::test]
async fn a_new_account_joins_and_lands_in_the_organization() {
    let app = TestApp::spawn().await;
    let (org, hash) = invite(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    let offer = b.send(&app, Method::GET, &format!("/auth/invitation?hash={hash}"), None).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert_eq!(offer.body["organization"], "Acme");
    assert_eq!((offer.body["account"].as_str(), offer.body["role"].as_str()), (Some("new"), Some("Member")));
    assert!(offer.body["inviter"].is_string(), "{}", offer.body);

    let weak = b
        .send(&app, Method::POST, "/auth/join", Some(json!({"hash": hash, "name": "Ann", "password": "annexample12"})))
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    let joined = b
        .send(&app, Method::POST, "/auth/join", Some(json!({"hash": hash, "name": "Ann Smith", "password": PASSWORD})))
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(joined.body["organizationId"], org);
    let token = b.token(&app).await;
    let (status, body) = app.get(&format!("/organizations/{org}"), &token).await;
    assert_eq!(status, StatusCode::OK, "a member now: {body}");

    let again = Browser::at(&app).send(&app, Method::GET, &format!("/auth/invitation?hash={hash}"), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body["detail"].as_str().unwrap().contains("already accepted"), "{}", again.body);
    let mut fresh = Browser::at(&app);
    assert_eq!(fresh.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_existing_account_signs_in_and_another_account_is_refused() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    person(&app, "bob@example.com").await;
    let (org, hash) = invite(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    let offer = b.send(&app, Method::GET, &format!("/auth/invitation?hash={hash}"), None).await;
    assert_eq!(offer.body["account"], "existing");
    let body = Some(json!({"hash": hash}));
    let anonymous = b.send(&app, Method::POST, "/auth/join", body.clone()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let takeover = Some(json!({"hash": hash, "name": "Mallory", "password": "a long new passphrase"}));
    assert_eq!(
        b.send(&app, Method::POST, "/auth/join", takeover).await.status,
        StatusCode::UNAUTHORIZED,
        "no new password for an account that has one"
    );

    b.sign_in(&app, "bob@example.com", PASSWORD).await;
    let wrong = b.send(&app, Method::POST, "/auth/join", body.clone()).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.body["detail"].as_str().unwrap().contains("sent to ann@example.com"), "{}", wrong.body);

    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    let ok = b.send(&app, Method::POST, "/auth/join", body).await;
    assert_eq!((ok.status, &ok.body["organizationId"]), (StatusCode::OK, &json!(org)), "{}", ok.body);
}

#[tokio::test]
async fn replaced_and_unknown_links_say_so() {
    let app = TestApp::spawn().await;
    let (org, old) = invite(&app, "ann@example.com").await;
    let (status, _) = app
        .post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 13}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let a = Browser::at(&app).send(&app, Method::GET, &format!("/auth/invitation?hash={old}"), None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body["detail"].as_str().unwrap().contains("replaced"), "{}", a.body);
}
