//! The person's own account: sessions, sign out everywhere, a password change.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    person(&app, "ann@example.com").await;
    let (mut laptop, mut phone) = (Browser::at(&app), Browser::at(&app));
    laptop.sign_in(&app, "ann@example.com", PASSWORD).await;
    phone.sign_in(&app, "ann@example.com", PASSWORD).await;
    let phone_token = phone.token(&app).await;
    let list = laptop.send(&app, Method::GET, "/auth/sessions", None).await;
    let sessions = list.body["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{}", list.body);
    assert_eq!(sessions.iter().filter(|s| s["current"] == json!(true)).count(), 1);

    let wrong = json!({"currentPassword": "not my password", "newPassword": "a brand new passphrase"});
    let a = laptop.send(&app, Method::POST, "/auth/password", Some(wrong)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let before = laptop.cookie.clone();
    let right = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let a = laptop.send(&app, Method::POST, "/auth/password", Some(right)).await;
    assert_eq!((a.status, &a.body["endedSessions"]), (StatusCode::OK, &json!(1)), "{}", a.body);
    assert_ne!(laptop.cookie, before, "a new session id after the change");
    assert!(laptop.signed_in(&app).await);
    assert!(!phone.signed_in(&app).await, "the other session ended");
    assert_eq!(app.get("/users/me", &phone_token).await.0, StatusCode::UNAUTHORIZED);

    let a = laptop.send(&app, Method::POST, "/auth/sign-out-everywhere", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!laptop.signed_in(&app).await);
    assert_eq!(laptop.sign_in(&app, "ann@example.com", "a brand new passphrase").await.status, StatusCode::OK);
}
