//! Open sign-up (`--signup open`) and the notice of a credential change, end to end through a real SMTP server
//! (the mail tests' aiosmtpd sink): the tests follow the links in the messages that arrived.

use orgd::config::Signup;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp};
use crate::kit::{person, Browser, PASSWORD};
use crate::reset::send_mail;
use crate::sink::{self, Sink};

const CHOSEN: &str = "my own new passphrase 9";

async fn open_server() -> TestApp {
    TestApp::spawn_with(Db::fresh().await, |c| c.signup = Signup::Open).await
}

/// The token in a received sign-up message's link.
fn token_in(m: &Value) -> String {
    let text = m["text"].as_str().unwrap();
    let at = text.find("/console/#/signup/").expect("the message has the sign-up link") + "/console/#/signup/".len();
    text[at..].chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn post(app: &TestApp, b: &mut Browser, path: &str, body: Value) -> (StatusCode, Value) {
    let a = b.send(app, Method::POST, path, Some(body)).await;
    (a.status, a.body)
}

#[tokio::test]
async fn a_new_address_gets_a_link_that_makes_the_account_once_and_signs_it_in() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (open_server().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    let mut b = Browser::at(&app);
    assert_eq!(b.send(&app, Method::GET, "/auth/signup", None).await.body, json!({"open": true}));
    let asked = post(&app, &mut b, "/auth/signup", json!({"email": "New.Person@Example.com"})).await;
    assert_eq!(asked, (StatusCode::OK, json!({})));
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got[0]["rcpt_tos"], json!(["new.person@example.com"]));
    assert_eq!(got[0]["subject"], "Create your orgd account");
    let token = token_in(&got[0]);
    assert_eq!(token.len(), 64, "256 random bits: {token}");

    let shown = post(&app, &mut b, "/auth/signup/link", json!({"token": token})).await;
    assert_eq!(shown, (StatusCode::OK, json!({"email": "new.person@example.com"})));
    let weak = post(&app, &mut b, "/auth/signup/finish", json!({"token": token, "name": "New", "password": "short"}));
    assert_eq!(weak.await.0, StatusCode::BAD_REQUEST, "the password policy");
    let body = json!({"token": token, "name": "New Person", "password": CHOSEN});
    let (status, done) = post(&app, &mut b, "/auth/signup/finish", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!((done["next"].as_str(), done["user"]["name"].as_str()), (Some("console"), Some("New Person")));
    assert!(b.signed_in(&app).await, "signed in by the link");
    let token_for_api = b.token(&app).await;
    let (_, me) = app.get("/users/me", &token_for_api).await;
    assert_eq!(me["authUser"]["email"], "new.person@example.com");

    let (status, again) = post(&app, &mut Browser::at(&app), "/auth/signup/finish", body).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "used once: {again}");
    let mut other = Browser::at(&app);
    assert_eq!(other.sign_in(&app, "new.person@example.com", CHOSEN).await.status, StatusCode::OK);
    // The stored link goes once the message is sent.
    let sent = app.db.strings("select params from outbox where kind = 'signup' and status = 'sent'").await;
    assert_eq!(sent, ["{}"]);
}

#[tokio::test]
async fn an_address_with_an_account_gets_the_same_answer_and_a_message_saying_so() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (open_server().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(
        post(&app, &mut b, "/auth/signup", json!({"email": "ann@example.com"})).await,
        (StatusCode::OK, json!({}))
    );
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got[0]["subject"], "You already have an orgd account");
    assert!(
        !got[0]["text"].as_str().unwrap().contains("/console/#/signup/"),
        "no link that could make a second account"
    );
    let mut ann = Browser::at(&app);
    assert_eq!(ann.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK, "the password stayed");
    let bad = post(&app, &mut b, "/auth/signup", json!({"email": "not an address"})).await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    let link = post(&app, &mut b, "/auth/signup/link", json!({"token": "0".repeat(64)})).await;
    assert_eq!(link.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_open_sign_up_the_endpoints_refuse() {
    let app = TestApp::spawn().await;
    let mut b = Browser::at(&app);
    assert_eq!(b.send(&app, Method::GET, "/auth/signup", None).await.body, json!({"open": false}));
    let (status, body) = post(&app, &mut b, "/auth/signup", json!({"email": "x@example.com"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(app.db.strings("select email from users where email = 'x@example.com'").await.is_empty());
    let cross = Browser { cookie: None, origin: Some("https://evil.example".into()) };
    let (status, _) = post(&app, &mut cross.clone(), "/auth/signup", json!({"email": "x@example.com"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another origin");
}

#[tokio::test]
async fn a_password_change_is_told_by_mail_without_the_password() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (TestApp::spawn().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK);
    let change = json!({"currentPassword": PASSWORD, "newPassword": CHOSEN});
    let (status, body) = post(&app, &mut b, "/auth/password", change).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got[0]["subject"], "Your orgd account: password changed");
    for part in ["text", "html"] {
        let text = got[0][part].as_str().unwrap();
        assert!(text.contains("Your password was changed in your profile"), "{text}");
        assert!(!text.contains(CHOSEN) && !text.contains(PASSWORD), "no password in the notice");
    }
}
