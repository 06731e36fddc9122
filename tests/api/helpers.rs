//! The test harness: `TestApp::spawn()` runs orgd in-process on an ephemeral port over a fresh database.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use orgd::config::Config;
use orgd::store::Store;
use orgd::{commands, AppState};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_TOKEN: &str = "5a0b3f6e-9c1d-4e2f-8a7b-1c2d3e4f5a6b";

/// A database that outlives one server run (for restart tests): a SQLite file in a temporary folder removed on
/// drop, or, when `TEST_POSTGRES_URL` is set, a new PostgreSQL database with a random name on that server.
pub struct Db {
    pub url: String,
    _dir: Arc<tempfile::TempDir>,
}

/// Whether this run tests the PostgreSQL backend.
pub fn on_postgres() -> bool {
    std::env::var("TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty())
}

impl Db {
    pub async fn fresh() -> Db {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = match std::env::var("TEST_POSTGRES_URL") {
            Ok(base) if !base.is_empty() => crate::common::fresh_postgres_database(&base).await,
            _ => {
                let path: PathBuf = dir.path().join("orgd.db");
                format!("sqlite://{}", path.display())
            }
        };
        Db { url, _dir: Arc::new(dir) }
    }

    fn share(&self) -> Db {
        Db { url: self.url.clone(), _dir: self._dir.clone() }
    }

    /// Runs one statement against the database.
    pub async fn exec(&self, sql: &str) {
        if self.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect("sql");
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect("sql");
            pool.close().await;
        }
    }

    /// The first column of every row, as text.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        if self.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.expect("sql");
            pool.close().await;
            rows.into_iter().map(|r| r.0).collect()
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.expect("sql");
            pool.close().await;
            rows.into_iter().map(|r| r.0).collect()
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub admin: String,
    pub store: Arc<dyn Store>,
    pub db: Db,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

pub fn config_for(db: &Db) -> Config {
    Config {
        database_url: db.url.clone().into(),
        bootstrap_token: Some(ADMIN_TOKEN.into()),
        rate_limit: orgd::config::Switch::Off,
        // The hosted catalogue's smallest plan, so the limit tests have limits to meet; the self-hosted default
        // (`unlimited`) has its own tests in defaults.rs.
        default_plan: "free".into(),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Db::fresh().await, |_| {}).await
    }

    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_full(db, tweak, None).await
    }

    /// A server whose clock stands still at `now`.
    pub async fn spawn_at(now: chrono::DateTime<chrono::Utc>, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_full(Db::fresh().await, tweak, Some(now)).await
    }

    pub async fn spawn_full(
        db: Db,
        tweak: impl FnOnce(&mut Config),
        now: Option<chrono::DateTime<chrono::Utc>>,
    ) -> TestApp {
        let mut config = config_for(&db);
        tweak(&mut config);
        let store = commands::open_store(&config, true).await.expect("open store");
        store.watch_changes();
        commands::bootstrap(&*store, &config).await.expect("bootstrap");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let zone = config.zone.clone().unwrap_or_else(|| addr.to_string());
        let mut state = AppState::new(store.clone(), config, zone).expect("state");
        if let Some(now) = now {
            state = state.with_clock(Arc::new(move || now));
        }
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(orgd::serve(listener, state, async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}/api/v2"),
            admin: ADMIN_TOKEN.into(),
            store,
            db,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// Stops the server gracefully and hands back its database.
    pub async fn stop(mut self) -> Db {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server");
        }
        self.store.close().await;
        self.db.share()
    }

    /// A new user with a token (all non-admin scopes unless `scopes` is given).
    pub async fn user_with_scopes(&self, email: &str, scopes: Option<&str>) -> String {
        commands::users_add(&*self.store, email, "Test User", scopes, false, "Etc/UTC")
            .await
            .expect("users add")
            .to_string()
    }

    pub async fn user(&self, email: &str) -> String {
        self.user_with_scopes(email, None).await
    }

    /// Sends a request; `token` may be `None`. Asserts the JSON content type on every answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        read(res).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// A raw request builder for unusual requests (odd headers, raw bodies).
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{}", self.base, path))
    }

    pub fn root(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Creates an organization and returns its id.
    pub async fn create_org(&self, token: &str, name: &str) -> i64 {
        let (status, body) = self
            .post("/organizations", token, json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["organization"]["id"].as_i64().expect("organization id")
    }
}

/// Reads a response as JSON, asserting Make's content type.
pub async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = res.text().await.expect("body");
    assert_eq!(ct, "application/json; charset=utf-8", "content type of {status}: {text}");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// Asserts a Make error body with the given status and code; returns the body.
pub fn assert_error(got: &(StatusCode, Value), status: u16, code: &str) -> Value {
    let (s, body) = got;
    assert_eq!(s.as_u16(), status, "status; body: {body}");
    assert_eq!(body["code"], code, "code; body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "message; body: {body}");
    assert!(body["detail"].is_string(), "detail; body: {body}");
    assert!(body["suberrors"].is_array(), "suberrors; body: {body}");
    body.clone()
}

/// The `path`s of a validation error's suberrors.
pub fn suberror_paths(body: &Value) -> Vec<String> {
    body["suberrors"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["path"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

impl TestApp {
    /// The first team of an organization.
    pub async fn first_team(&self, token: &str, org: i64) -> i64 {
        let (status, body) = self.get(&format!("/teams?organizationId={org}&pg[sortBy]=id"), token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["teams"][0]["id"].as_i64().expect("team id")
    }

    /// Invites `email` (with an account made first) as `role`, then accepts as them; returns their token.
    pub async fn join(&self, org: i64, inviter: &str, email: &str, role: i64) -> String {
        let token = self.user(email).await;
        let (status, body) = self
            .post(
                &format!("/organizations/{org}/invite"),
                inviter,
                json!({"email": email, "name": "Invitee", "usersRoleId": role}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let hash = self.hash_for(&token, org).await;
        let (status, body) = self.post("/organizations/accept-invitation", &token, json!({"hash": hash})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        token
    }

    /// The invitee's open invitation hash into `org`.
    pub async fn hash_for(&self, token: &str, org: i64) -> String {
        let (_, body) = self.get("/users/me/organization-invitations", token).await;
        body["userOrganizationInvitations"]
            .as_array()
            .expect("invitations")
            .iter()
            .find(|i| i["organizationId"] == org)
            .and_then(|i| i["hash"].as_str())
            .expect("an open invitation")
            .to_string()
    }

    pub async fn user_id(&self, token: &str) -> i64 {
        self.get("/users/me", token).await.1["authUser"]["id"].as_i64().expect("user id")
    }

    /// Runs SQL against the test database (to age invitations, inspect rows).
    pub async fn sql(&self, sql: &str) {
        self.db.exec(sql).await
    }
}

/// A server whose new organizations get the `teams` plan (25 teams, 100 users, TFA enforcement).
pub async fn spawn_teams_plan() -> TestApp {
    TestApp::spawn_with(Db::fresh().await, |c| c.default_plan = "teams".into()).await
}
