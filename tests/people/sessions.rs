//! Sign-in, the session cookie, the console's token, sign-out and the `Origin` rule.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};

#[tokio::test]
async fn sign_in_mint_a_token_use_the_api_and_sign_out() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    let a = b.sign_in(&app, "Ann@Example.com", PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!((a.body["stage"].as_str(), a.body["next"].as_str()), (Some("full"), Some("console")));
    let cookie = a.set_cookie.unwrap();
    for attr in ["orgd-session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let id = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    assert!(id.len() >= 32, "at least 128 bits: {id}");
    let stored = app.db.strings("select digest from sessions").await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], id, "the id is stored hashed");

    let me = b.send(&app, Method::GET, "/auth/session", None).await;
    assert_eq!(me.body["user"]["email"], "ann@example.com", "{}", me.body);
    let token = b.token(&app).await;
    let (status, body) = app.get("/users/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["authUser"]["email"], "ann@example.com");

    let out = b.send(&app, Method::POST, "/auth/sign-out", None).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    assert!(app.db.strings("select digest from sessions").await.is_empty(), "the row is gone");
    let (status, _) = app.get("/users/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session's token ended with it");
    let mut stale = Browser { cookie: Some(format!("orgd-session={id}")), ..Browser::at(&app) };
    assert!(!stale.signed_in(&app).await, "the old cookie signs no one in");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    app.user("nopass@example.com").await;
    let mut b = Browser::at(&app);
    let wrong = b.sign_in(&app, "ann@example.com", "not the password at all").await;
    let unknown = b.sign_in(&app, "nobody@example.com", "not the password at all").await;
    let no_password = b.sign_in(&app, "nopass@example.com", "not the password at all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    for other in [&unknown, &no_password] {
        assert_eq!((other.status, &other.body), (wrong.status, &wrong.body));
        assert!(other.set_cookie.is_none());
    }
}

#[tokio::test]
async fn a_new_session_id_at_every_sign_in() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    let first = b.cookie.clone().unwrap();
    let token = b.token(&app).await;
    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    assert_ne!(b.cookie.clone().unwrap(), first);
    assert_eq!(app.db.strings("select stage from sessions").await, ["full"], "the older session ended");
    assert_eq!(app.get("/users/me", &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookie_authorized_writes_from_another_origin_are_refused() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut forged = Browser { origin: origin.map(String::from), ..b.clone() };
        for path in ["/auth/token", "/auth/sign-out", "/auth/sign-in"] {
            let body = Some(json!({"email": "ann@example.com", "password": PASSWORD}));
            let a = forged.send(&app, Method::POST, path, body).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{path} from {origin:?}: {}", a.body);
        }
    }
    assert!(b.signed_in(&app).await, "the session survived the forged sign-out");
}

#[tokio::test]
async fn sessions_time_out_idle_and_absolute() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let mut b = Browser::at(&app);
    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    let token = b.token(&app).await;
    // 31 minutes without activity: past the 30-minute idle timeout.
    app.db.exec("update sessions set last_seen_at = '2000-01-01T00:00:00Z'").await;
    assert_eq!(app.get("/users/me", &token).await.0, StatusCode::UNAUTHORIZED);
    assert!(app.db.strings("select digest from sessions").await.is_empty(), "an expired session is ended");

    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    app.db.exec("update sessions set created_at = '2000-01-01T00:00:00Z'").await;
    assert!(!b.signed_in(&app).await, "past the absolute timeout despite activity");
}

/// `orgd users password` and `orgd sessions revoke`, run as the operator runs them (the binary, stdin).
#[tokio::test]
async fn operator_commands_set_a_password_and_end_sessions() {
    let app = TestApp::spawn().await;
    app.user("ann@example.com").await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(crate::common::BIN)
            .args(args)
            .env("ORGD_DATABASE_URL", &app.db.url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, err) = run(&["users", "password", "--email", "ann@example.com"], "password1234\n");
    assert!(!ok && err.contains("common"), "{err}");
    let (ok, err) = run(&["users", "password", "--email", "ann@example.com"], &format!("{PASSWORD}\n"));
    assert!(ok, "{err}");
    let mut b = Browser::at(&app);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::OK);
    let token = b.token(&app).await;
    let (ok, err) = run(&["sessions", "revoke", "--email", "ann@example.com"], "");
    assert!(ok && err.contains("1 console session(s)"), "{err}");
    assert_eq!(app.get("/users/me", &token).await.0, StatusCode::UNAUTHORIZED);
    assert!(!b.signed_in(&app).await);

    b.sign_in(&app, "ann@example.com", PASSWORD).await;
    let (ok, err) = run(&["users", "password", "--email", "ann@example.com"], "another long passphrase\n");
    assert!(ok, "{err}");
    assert!(!b.signed_in(&app).await);
    assert_eq!(b.sign_in(&app, "ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(b.sign_in(&app, "ann@example.com", "another long passphrase").await.status, StatusCode::OK);
}
