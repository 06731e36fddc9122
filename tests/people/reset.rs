//! Password reset by e-mail, end to end: the server sends through a real SMTP server (the mail tests' aiosmtpd
//! sink) and the tests follow the link in the message that arrived.

use std::sync::Arc;

use orgd::config::Config;
use orgd::mail::{worker::Worker, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};
use crate::sink::{self, Sink};

const NEW_PASSWORD: &str = "a brand new passphrase 42";

/// The outbox worker of `orgd serve`, sending this server's mail to `sink`.
pub(crate) fn send_mail(app: &TestApp, sink: &Sink) {
    let config = Config { smtp_url: Some(sink.url().into()), mail_poll_interval_ms: 50, ..Config::default() };
    let settings = Settings::from_config(&config, format!("http://{}", app.addr)).expect("mail settings");
    Worker::new(app.store.clone(), settings, Arc::default(), Arc::default()).spawn();
}

/// The reset token in a received message's link.
fn token_in(m: &Value) -> String {
    let text = m["text"].as_str().unwrap();
    let at = text.find("/console/#/reset/").expect("the message has the reset link") + "/console/#/reset/".len();
    text[at..].chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn ask(app: &TestApp, email: &str) -> (StatusCode, Value) {
    let a = Browser::at(app).send(app, Method::POST, "/auth/reset", Some(json!({"email": email}))).await;
    (a.status, a.body)
}

async fn use_link(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    let body = Some(json!({"token": token, "password": password}));
    let a = Browser::at(app).send(app, Method::POST, "/auth/reset/password", body).await;
    (a.status, a.body)
}

#[tokio::test]
async fn the_mailed_link_sets_a_new_password_once_and_ends_every_session() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (TestApp::spawn().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    person(&app, "ann@example.com").await;
    let mut old = Browser::at(&app);
    assert_eq!(old.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK);

    assert_eq!(ask(&app, "Ann@Example.com").await, (StatusCode::OK, json!({})));
    assert_eq!(ask(&app, "nobody@example.com").await, (StatusCode::OK, json!({})), "the same answer");
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got[0]["rcpt_tos"], json!(["ann@example.com"]));
    assert_eq!(got[0]["subject"], "Reset your orgd password");
    let token = token_in(&got[0]);
    assert_eq!(token.len(), 64, "256 random bits: {token}");
    assert!(got[0]["html"].as_str().unwrap().contains(&format!("/console/#/reset/{token}")));

    let (status, body) = use_link(&app, &token, "short").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the password policy: {body}");
    assert_eq!(use_link(&app, &token, NEW_PASSWORD).await.0, StatusCode::OK, "a weak try does not use the link up");
    assert!(!old.signed_in(&app).await, "the reset ended the session it found");
    let (status, body) = use_link(&app, &token, "another new passphrase 7").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a second use: {body}");
    let mut b = Browser::at(&app);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(b.sign_in(&app, "ann@example.com", NEW_PASSWORD).await.status, StatusCode::OK);

    // Ann hears that her password changed (ASVS 6.3.7).
    let got = smtp.wait_for(2, 30).await;
    assert_eq!(got[1]["subject"], "Your orgd account: password changed");
    assert!(got[1]["text"].as_str().unwrap().contains("through a password reset link"), "{}", got[1]["text"]);

    // The stored link goes once the message is sent; the unknown address got nothing.
    let sent = "select params from outbox where kind = 'password_reset' and status = 'sent'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.db.strings(sent).await != ["{}"] {
        assert!(std::time::Instant::now() < deadline, "the sent reset message's parameters are scrubbed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 2, "nothing for an unknown address");
    assert_eq!(app.db.strings("select recipient from outbox").await, ["ann@example.com", "ann@example.com"]);
}

#[tokio::test]
async fn an_expired_or_replaced_link_is_refused() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (TestApp::spawn().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    person(&app, "ann@example.com").await;
    ask(&app, "ann@example.com").await;
    let first = token_in(&smtp.wait_for(1, 30).await[0]);
    ask(&app, "ann@example.com").await;
    let second = token_in(&smtp.wait_for(2, 30).await[1]);
    assert_ne!(first, second);
    assert_eq!(use_link(&app, &first, NEW_PASSWORD).await.0, StatusCode::NOT_FOUND, "replaced by the newer link");

    app.db.exec("update password_resets set expires_ms = created_ms - 1").await;
    let (status, body) = use_link(&app, &second, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("expired"), "{body}");
    let mut b = Browser::at(&app);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK, "the password stayed");
}

#[tokio::test]
async fn an_unknown_address_or_one_without_a_password_sends_nothing() {
    if !sink::available() {
        return;
    }
    let (app, smtp) = (TestApp::spawn().await, Sink::start(&[]));
    send_mail(&app, &smtp);
    app.user("api-only@example.com").await;
    assert_eq!(ask(&app, "nobody@example.com").await, (StatusCode::OK, json!({})));
    assert_eq!(ask(&app, "api-only@example.com").await, (StatusCode::OK, json!({})));
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(smtp.messages().is_empty());
    assert!(app.db.strings("select recipient from outbox").await.is_empty());
    assert_eq!(use_link(&app, &"0".repeat(64), NEW_PASSWORD).await.0, StatusCode::NOT_FOUND);
}
