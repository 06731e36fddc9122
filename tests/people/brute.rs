//! Brute force: wrong passwords are slowed, then refused with 429 and `Retry-After`, an unknown e-mail the same.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::kit::{person, Browser, PASSWORD};

/// Fifteen wrong passwords in a row for one account (each from its own browser): the first ones get 401, the
/// account's later ones 429 with `Retry-After`, and then the right password too, so the limit tells nothing.
#[tokio::test]
async fn fifteen_wrong_passwords_are_slowed_to_429() {
    // A clock that stands still: the per-minute window cannot roll over halfway.
    let app = TestApp::spawn_at(chrono::Utc::now(), |c| c.rate_limit = orgd::config::Switch::On).await;
    person(&app, "ann@example.com").await;
    for email in ["ann@example.com", "nobody@example.com"] {
        let mut statuses = Vec::new();
        for _ in 0..15 {
            let mut b = Browser::at(&app);
            let a = b.sign_in(&app, email, "wrong password, try again").await;
            if a.status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(a.body["code"], "SC429", "{}", a.body);
            }
            statuses.push(a.status);
        }
        let refused = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        assert!((3..=10).contains(&refused), "{email}: {statuses:?}");
        assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{email}: {statuses:?}");
    }
    let res = reqwest::Client::new()
        .post(app.root("/auth/sign-in"))
        .header("Origin", format!("http://{}", app.addr))
        .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let mut other = Browser::at(&app);
    assert!(!other.signed_in(&app).await, "nothing was signed in");
}
