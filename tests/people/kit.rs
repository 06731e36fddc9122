//! A browser's part in these tests: the session cookie kept by hand, `Origin` on writes.

#![allow(dead_code)]

use orgd::domain::ids::UserId;
use orgd::identity::password;
use orgd::store::sessions::EndSessions;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

/// A person with an account and a password (set through the store, as `orgd users password` does).
pub async fn person(app: &TestApp, email: &str) -> i64 {
    app.user(email).await;
    let (user, _) = app.store.user_with_password(email).await.unwrap().expect("user");
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    app.store.set_password(UserId(user.id), &hash, EndSessions::All).await.unwrap();
    user.id
}

/// One browser: its cookie jar holds the session cookie only.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookie: Option<String>,
    pub origin: Option<String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub set_cookie: Option<String>,
}

impl Browser {
    pub fn at(app: &TestApp) -> Browser {
        Browser { cookie: None, origin: Some(format!("http://{}", app.addr)) }
    }

    /// A request to `path` (from the server's root) with the cookie and, on writes, `Origin`; keeps a new cookie.
    pub async fn send(&mut self, app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = reqwest::Client::new().request(method.clone(), app.root(path));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        if let (Some(o), false) = (&self.origin, method == Method::GET) {
            req = req.header("Origin", o);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let set_cookie = res.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string());
        if let Some(sc) = &set_cookie {
            let pair = sc.split(';').next().unwrap().to_string();
            self.cookie = if pair.ends_with('=') { None } else { Some(pair) };
        }
        let body = res.json().await.unwrap_or(Value::Null);
        Answer { status, body, set_cookie }
    }

    pub async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str) -> Answer {
        self.send(app, Method::POST, "/auth/sign-in", Some(json!({"email": email, "password": password}))).await
    }

    /// Whether `GET /auth/session` says this browser is signed in.
    pub async fn signed_in(&mut self, app: &TestApp) -> bool {
        let a = self.send(app, Method::GET, "/auth/session", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body["signedIn"] == json!(true)
    }

    /// The console's API token for this session.
    pub async fn token(&mut self, app: &TestApp) -> String {
        let a = self.send(app, Method::POST, "/auth/token", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body["token"].as_str().unwrap().to_string()
    }
}
