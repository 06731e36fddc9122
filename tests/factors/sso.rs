//! Single sign-on over HTTP: orgd's start and callback with the real provider in between, as a browser walks it
//! (cookies kept, redirects followed one by one).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Db, TestApp};
use crate::provider::{Provider, CLIENT_ID, CLIENT_SECRET};

/// orgd set up with the provider, and the provider told orgd's callback.
async fn with_provider() -> (TestApp, Provider) {
    let mut op = Provider::launch();
    let issuer = op.issuer.clone();
    let app = TestApp::spawn_with(Db::fresh().await, |c| {
        c.default_plan = "unlimited".into();
        c.oidc_issuer = Some(issuer);
        c.oidc_client_id = Some(CLIENT_ID.into());
        c.oidc_client_secret = Some(CLIENT_SECRET.into());
        c.oidc_label = "Example SSO".into();
    })
    .await;
    op.serve_for(&app.root("/auth/oidc/callback"));
    (app, op)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// From orgd's start through the provider and back: the last answer (orgd's callback's).
async fn walk(b: &reqwest::Client, app: &TestApp) -> reqwest::Response {
    let mut url = reqwest::Url::parse(&app.root("/auth/oidc/start")).unwrap();
    for _ in 0..12 {
        let r = b.get(url.clone()).send().await.unwrap();
        let callback = url.path() == "/auth/oidc/callback";
        if callback || !r.status().is_redirection() {
            return r;
        }
        url = url.join(r.headers()["location"].to_str().unwrap()).unwrap();
    }
    panic!("no end to the redirects");
}

/// The console's token for the browser's session (`Origin` as the console sends it).
async fn console_token(b: &reqwest::Client, app: &TestApp) -> (StatusCode, serde_json::Value) {
    let r = b.post(app.root("/auth/token")).header("Origin", format!("http://{}", app.addr)).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn an_invited_person_signs_in_and_lands_in_the_organization() {
    let (app, op) = with_provider().await;
    let org = app.create_org(&app.admin, "Acme").await;
    let invite = json!({"email": "cy@example.com", "name": "Cy", "usersRoleId": 13});
    let (status, body) = app.post(&format!("/organizations/{org}/invite"), &app.admin, invite).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    op.next_login("cy@example.com", true, None).await;
    let b = browser();
    let r = walk(&b, &app).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/console");
    let (status, minted) = console_token(&b, &app).await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    let token = minted["token"].as_str().unwrap();
    let (_, me) = app.get("/users/me", token).await;
    assert_eq!(me["authUser"]["email"], "cy@example.com");
    let (status, orgs) = app.get("/organizations", token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(orgs["organizations"][0]["id"], org, "a member of the organization: {orgs}");

    // The next time, (issuer, sub) finds the same person.
    let again = browser();
    assert_eq!(walk(&again, &app).await.status(), StatusCode::SEE_OTHER);
    let (_, minted) = console_token(&again, &app).await;
    assert_eq!(app.get("/users/me", minted["token"].as_str().unwrap()).await.1["authUser"]["id"], me["authUser"]["id"]);
}

#[tokio::test]
async fn no_account_an_unverified_e_mail_and_a_foreign_state_are_refused_with_a_page() {
    let (app, op) = with_provider().await;
    op.next_login("nobody@example.com", true, None).await;
    let r = walk(&browser(), &app).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("no orgd account"));

    app.user("dee@example.com").await;
    op.next_login("dee@example.com", false, None).await;
    let r = walk(&browser(), &app).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "an unverified e-mail links nothing");
    assert!(r.text().await.unwrap().contains("did not confirm your e-mail"));

    // A callback this browser did not start (login CSRF): refused before anything is exchanged.
    let r = browser().get(app.root("/auth/oidc/callback?code=x&state=y")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
}

#[tokio::test]
async fn enforcement_applies_unless_the_provider_asserts_a_second_factor() {
    let (app, op) = with_provider().await;
    assert!(app.store.set_user_tfa("admin@localhost", true).await.unwrap());
    let org = app.create_org(&app.admin, "Strict").await;
    app.join(org, &app.admin, "eve@example.com", 13).await;
    let (status, _) =
        app.patch(&format!("/organizations/{org}/tfa-enforcement"), &app.admin, json!({"enable": true})).await;
    assert_eq!(status, StatusCode::OK);

    op.next_login("eve@example.com", true, Some(&["pwd"])).await;
    let b = browser();
    assert_eq!(walk(&b, &app).await.status(), StatusCode::SEE_OTHER);
    let session = b.get(app.root("/auth/session")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(session["stage"], "enrol", "a password at the provider is one factor");

    op.next_login("eve@example.com", true, Some(&["pwd", "otp"])).await;
    let b = browser();
    assert_eq!(walk(&b, &app).await.status(), StatusCode::SEE_OTHER);
    let session = b.get(app.root("/auth/session")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(session["stage"], "full", "the provider checked a second factor (amr)");
}

#[tokio::test]
async fn a_provider_that_is_down_gives_a_clear_page() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(Db::fresh().await, |c| {
        c.oidc_issuer = Some(format!("http://127.0.0.1:{port}"));
        c.oidc_client_id = Some(CLIENT_ID.into());
    })
    .await;
    let r = browser().get(app.root("/auth/oidc/start")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = r.text().await.unwrap();
    assert!(page.contains("Single sign-on cannot be reached right now"), "{page}");
}
