//! `orgd sandbox` on the built binary over HTTP (operator contract, "Sandbox"): start-up, seeds and their
//! errors, reset, state export and import, the clock, fault rules and the request log.

#[path = "../common/mod.rs"]
mod common;

mod clock;
mod control;
mod faults;
mod parallel;
mod seed;

use std::path::Path;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const ADMIN: &str = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
pub const ANN: &str = "5f0c9a1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b";
pub const BOB: &str = "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

/// The contract's example seed, with a token for Bob too and a second organization.
pub fn example_seed() -> Value {
    json!({
        "users": [
            {"email": "ann@example.com", "name": "Ann", "password": "optional",
             "tokens": [{"token": ANN, "scopes": ["organizations:read", "organizations:write", "user:read"]}]},
            {"email": "bob@example.com", "name": "Bob",
             "tokens": [{"token": BOB, "scopes": ["organizations:read", "user:read", "user:write"]}]}
        ],
        "organizations": [
            {"name": "Acme", "owner": "ann@example.com", "plan": "enterprise", "timezoneId": 113, "countryId": 1,
             "members": [{"email": "carol@example.com", "usersRoleId": 13}],
             "teams": [{"name": "Ops", "members": [{"email": "carol@example.com", "usersRoleId": 3}]}],
             "variables": [{"name": "apiUrl", "typeId": 2, "value": "https://example.com"}],
             "usage": [{"date": "2026-12-01", "operations": 100, "dataTransfer": 2048}]},
            {"name": "Beta", "owner": "ann@example.com", "plan": "free"}
        ]
    })
}

/// A running sandbox and an HTTP client for it.
pub struct Sandbox {
    pub process: common::Process,
    pub http: reqwest::Client,
}

/// Starts `orgd sandbox` with `args` in `cwd` (default: this process's), the bootstrap token [`ADMIN`].
pub fn start_in(args: &[&str], cwd: Option<&Path>, env: &[(&str, &str)]) -> Sandbox {
    let mut cmd = Command::new(common::BIN);
    cmd.arg("sandbox").args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut all = vec![("ORGD_BOOTSTRAP_TOKEN", ADMIN)];
    all.extend_from_slice(env);
    Sandbox { process: common::serve_command(cmd, &all), http: reqwest::Client::new() }
}

/// A sandbox with `seed` written to a temp file.
pub fn start_seeded(seed: &Value, extra: &[&str]) -> Sandbox {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed.json");
    std::fs::write(&file, seed.to_string()).unwrap();
    let mut args = vec!["--seed", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    start_in(&args, None, &[])
}

impl Sandbox {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.process.addr)
    }

    /// `method path` with `token` and an optional JSON body: the status, the headers and the JSON answer
    /// (`null` when there is none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let text = res.text().await.unwrap();
        (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let (s, _, v) = self.call(Method::GET, path, Some(token), None).await;
        (s, v)
    }

    /// A control call as the bootstrap administrator; panics unless it answers 2xx.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (s, _, v) = self.call(method.clone(), path, Some(ADMIN), body).await;
        assert!(s.is_success(), "{method} {path}: {s} {v}");
        v
    }

    /// The ids of the organizations `token`'s user belongs to.
    pub async fn org_ids(&self, token: &str) -> Vec<i64> {
        let (s, v) = self.get("/api/v2/organizations?pg[sortBy]=id", token).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["organizations"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect()
    }

    pub async fn create_org(&self, token: &str, name: &str) -> (StatusCode, Value) {
        let body = json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1});
        let (s, _, v) = self.call(Method::POST, "/api/v2/organizations", Some(token), Some(body)).await;
        (s, v)
    }
}
