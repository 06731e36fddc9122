//! Two-factor sign-in over HTTP, as the console does it: enrolment (secret, QR code, first code, recovery codes),
//! the code after the password, each code once, recovery codes once, turning it off; and enforcement.

use orgd::domain::totp::code_at;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};

/// The current 30-second step. Tests keep the step a code was made for, not the clock, because a step boundary may
/// pass between two requests (the server accepts one step either way).
fn now_step() -> u64 {
    (chrono::Utc::now().timestamp() / 30) as u64
}

fn code(secret: &str, step: u64) -> String {
    code_at(secret, step).unwrap()
}

async fn post(b: &mut Browser, app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let a = b.send(app, Method::POST, path, Some(body)).await;
    (a.status, a.body)
}

/// Enrols the signed-in browser's person; answers the secret, the recovery codes and the step of the code that
/// confirmed enrolment.
async fn enrol(b: &mut Browser, app: &TestApp) -> (String, Vec<String>, u64) {
    let (status, e) = post(b, app, "/auth/tfa/enrol", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let secret = e["secret"].as_str().unwrap().to_string();
    assert!(e["otpauthUrl"].as_str().unwrap().starts_with("otpauth://totp/orgd:"), "{e}");
    let qr = reqwest::Client::new().get(app.root("/auth/tfa/qr.svg")).header("Cookie", b.cookie.clone().unwrap());
    let qr = qr.send().await.unwrap();
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let (status, body) = post(b, app, "/auth/tfa/confirm", json!({"code": "000000"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a wrong first code: {body}");
    let step = now_step();
    let (status, body) = post(b, app, "/auth/tfa/confirm", json!({"code": code(&secret, step)})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> =
        body["recoveryCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes, step)
}

async fn tfa_status(b: &mut Browser, app: &TestApp) -> Value {
    b.send(app, Method::GET, "/auth/tfa", None).await.body
}

/// Signs in with the password; answers the stage the session is at.
async fn sign_in(b: &mut Browser, app: &TestApp, email: &str) -> String {
    let a = b.sign_in(app, email, PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["stage"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn enrolment_then_a_code_after_the_password_each_code_once() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(sign_in(&mut b, &app, "ann@example.com").await, "full");
    assert_eq!(tfa_status(&mut b, &app).await["tfaStatus"], 0);
    let (secret, recovery, step) = enrol(&mut b, &app).await;
    assert_eq!(tfa_status(&mut b, &app).await["tfaStatus"], 1);

    b.send(&app, Method::POST, "/auth/sign-out", None).await;
    assert_eq!(sign_in(&mut b, &app, "ann@example.com").await, "password", "the code is owed");
    assert_eq!(b.send(&app, Method::POST, "/auth/token", None).await.status, StatusCode::FORBIDDEN);
    let before = b.cookie.clone();
    let (status, _) = post(&mut b, &app, "/auth/second-factor", json!({"code": code(&secret, step)})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the code that confirmed enrolment is used up");
    let (status, body) = post(&mut b, &app, "/auth/second-factor", json!({"code": code(&secret, step + 1)})).await;
    assert_eq!((status, body["stage"].as_str()), (StatusCode::OK, Some("full")), "{body}");
    assert_ne!(b.cookie, before, "a new session id after the second factor");
    b.token(&app).await;

    b.send(&app, Method::POST, "/auth/sign-out", None).await;
    sign_in(&mut b, &app, "ann@example.com").await;
    let (status, _) = post(&mut b, &app, "/auth/second-factor", json!({"code": code(&secret, step + 1)})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the same code a second time");
    let (status, _) = post(&mut b, &app, "/auth/second-factor", json!({"code": recovery[0].to_uppercase()})).await;
    assert_eq!(status, StatusCode::OK, "a recovery code");
    assert_eq!(tfa_status(&mut b, &app).await["recoveryCodesLeft"], 9);

    b.send(&app, Method::POST, "/auth/sign-out", None).await;
    sign_in(&mut b, &app, "ann@example.com").await;
    let (status, _) = post(&mut b, &app, "/auth/second-factor", json!({"code": recovery[0]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a recovery code only once");
    let (status, _) = post(&mut b, &app, "/auth/second-factor", json!({"code": recovery[1]})).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = post(&mut b, &app, "/auth/tfa/disable", json!({"code": "123456"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "turning it off needs a current code");
    let (status, _) = post(&mut b, &app, "/auth/tfa/disable", json!({"code": recovery[2]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tfa_status(&mut b, &app).await["tfaStatus"], 0);
    b.send(&app, Method::POST, "/auth/sign-out", None).await;
    assert_eq!(sign_in(&mut b, &app, "ann@example.com").await, "full");
}

#[tokio::test]
async fn the_operators_reset_removes_the_secret_and_codes() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    sign_in(&mut b, &app, "ann@example.com").await;
    enrol(&mut b, &app).await;
    assert!(app.store.set_user_tfa("ann@example.com", false).await.unwrap(), "`orgd users tfa --email E off`");
    b.send(&app, Method::POST, "/auth/sign-out", None).await;
    assert_eq!(sign_in(&mut b, &app, "ann@example.com").await, "full");
    assert_eq!(tfa_status(&mut b, &app).await, json!({"tfaStatus": 0, "recoveryCodesLeft": 0, "required": false}));
}

#[tokio::test]
async fn enforcement_ends_sessions_and_holds_members_at_enrolment() {
    let app = TestApp::spawn_with(crate::helpers::Db::fresh().await, |c| c.default_plan = "unlimited".into()).await;
    assert!(app.store.set_user_tfa("admin@localhost", true).await.unwrap(), "the owner has two-factor");
    let org = app.create_org(&app.admin, "Enforcing").await;
    app.join(org, &app.admin, "bob@example.com", 13).await;
    person(&app, "bob@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(sign_in(&mut b, &app, "bob@example.com").await, "full");
    let console_token = b.token(&app).await;

    let (status, body) =
        app.patch(&format!("/organizations/{org}/tfa-enforcement"), &app.admin, json!({"enable": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // `GET /auth/session` answers 200 `{signedIn: false}` for an ended session (people's 493e727), not 401.
    assert_eq!(b.send(&app, Method::GET, "/auth/session", None).await.body["signedIn"], false, "signed out");
    assert_eq!(app.get("/users/me", &console_token).await.0, StatusCode::UNAUTHORIZED, "with the console's token");

    assert_eq!(sign_in(&mut b, &app, "bob@example.com").await, "enrol", "only enrolment");
    assert_eq!(b.send(&app, Method::POST, "/auth/token", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(tfa_status(&mut b, &app).await["required"], true);
    enrol(&mut b, &app).await;
    assert_eq!(b.send(&app, Method::GET, "/auth/session", None).await.body["stage"], "full", "in, once set up");
    b.token(&app).await;
    let (status, _) = post(&mut b, &app, "/auth/tfa/disable", json!({"code": "000000"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not while enforced");
}

/// `tfaStatus` and `tfaEnabled` of `GET /users/me`.
async fn me_tfa(app: &TestApp, token: &str) -> (Value, Value) {
    let (status, body) = app.get("/users/me?cols[]=tfaStatus&cols[]=tfaEnabled", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (body["authUser"]["tfaStatus"].clone(), body["authUser"]["tfaEnabled"].clone())
}

#[tokio::test]
async fn users_me_carries_tfa_status_0_then_2_then_1() {
    let app = TestApp::spawn().await;
    person(&app, "tara@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(sign_in(&mut b, &app, "tara@example.com").await, "full");
    let token = b.token(&app).await;
    assert_eq!(me_tfa(&app, &token).await, (json!(0), json!(false)), "not set up");
    let (s, _) = post(&mut b, &app, "/auth/tfa/enrol", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me_tfa(&app, &token).await, (json!(2), json!(false)), "enrolment started");
    enrol(&mut b, &app).await;
    assert_eq!(me_tfa(&app, &token).await, (json!(1), json!(true)), "set up");
    let (_, body) = app.get("/users/me", &token).await;
    assert!(body["authUser"].get("tfaStatus").is_none(), "not a default column, like tfaEnabled: {body}");
}
