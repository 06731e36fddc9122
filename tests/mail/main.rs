//! E-mail end to end: the real `orgd` binary sends through a real SMTP server (aiosmtpd, `smtp_sink.py`) started
//! by each test. Runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set; without aiosmtpd the tests
//! say loudly that they were skipped (and fail under CI).

mod cluster;
#[path = "../common/mod.rs"]
mod common;
mod delivery;
mod outage;
mod sink;
mod tls;

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub const TOKEN: &str = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a";

/// A database that outlives one server: SQLite in a temporary folder, or a fresh PostgreSQL database.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn fresh() -> Db {
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(base) if !base.is_empty() => Db { url: common::fresh_postgres_database(&base).await, _dir: None },
            _ => {
                let dir = tempfile::tempdir().unwrap();
                Db { url: format!("sqlite://{}", dir.path().join("orgd.db").display()), _dir: Some(dir) }
            }
        }
    }

    /// Renames an organization behind the API's back (its name checks would refuse the name).
    pub async fn rename_org(&self, id: i64, name: &str) {
        let sql = "update organizations set name = $1 where id = $2";
        if self.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::query(sql).bind(name).bind(id).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            sqlx::query(sql).bind(name).bind(id).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// `orgd serve` on `db` with fast mail timings, sending to `smtp` (if any); `extra` settings win.
pub fn serve(db: &Db, smtp: Option<&str>, extra: &[(&str, &str)]) -> common::Process {
    let mut env: Vec<(&str, &str)> = vec![
        ("ORGD_DATABASE_URL", &db.url),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
        ("ORGD_RATE_LIMIT", "off"),
        ("ORGD_MAIL_POLL_INTERVAL_MS", "50"),
        ("ORGD_MAIL_BACKOFF_BASE_MS", "200"),
        ("ORGD_MAIL_BACKOFF_MAX_MS", "1000"),
        ("ORGD_MAIL_TIMEOUT_SECS", "10"),
        ("RUST_LOG", "orgd=debug"),
    ];
    if let Some(url) = smtp {
        env.push(("ORGD_SMTP_URL", url));
    }
    env.extend_from_slice(extra);
    common::serve(&env)
}

/// Runs an `orgd` command on the database; returns its stdout, asserting success.
pub fn orgd(db: &Db, args: &[&str]) -> String {
    let out = Command::new(common::BIN).args(args).env("ORGD_DATABASE_URL", &db.url).output().unwrap();
    assert!(out.status.success(), "orgd {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `orgd outbox list --format jsonl`, oldest first.
pub fn outbox(db: &Db) -> Vec<Value> {
    let mut v: Vec<Value> = orgd(db, &["outbox", "list", "--format", "jsonl", "--limit", "1000"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    v.reverse();
    v
}

/// Waits (at most `secs`) until `done` holds for the outbox; returns it.
pub async fn wait_outbox(db: &Db, secs: u64, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let rows = outbox(db);
        if done(&rows) {
            return rows;
        }
        assert!(Instant::now() < deadline, "{what} within {secs} s; outbox: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (at most `secs`) until the node logged `needle`; returns how many lines have it.
pub async fn wait_log(node: &common::Process, needle: &str, secs: u64) -> usize {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let n = node.log_lines(needle).len();
        if n > 0 {
            return n;
        }
        assert!(Instant::now() < deadline, "no log line with {needle:?} within {secs} s: {:?}", node.log.lock());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn all_sent(rows: &[Value]) -> bool {
    !rows.is_empty() && rows.iter().all(|r| r["status"] == "sent")
}

pub async fn call(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new().request(method, url).header("Authorization", format!("Token {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn create_org(node: &common::Process, name: &str) -> i64 {
    let body = json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1});
    let (status, org) = call(reqwest::Method::POST, format!("{}/organizations", node.base()), TOKEN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    org["organization"]["id"].as_i64().unwrap()
}

pub async fn invite(node: &common::Process, org: i64, email: &str, role: i64) -> (StatusCode, Value) {
    let body = json!({"email": email, "name": "Invitee", "usersRoleId": role});
    call(reqwest::Method::POST, format!("{}/organizations/{org}/invite", node.base()), TOKEN, Some(body)).await
}

pub async fn get_text(url: String) -> (StatusCode, String) {
    let res = Client::new().get(url).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Asserts that no message carries any of the API tokens.
pub fn assert_no_token(messages: &[Value], tokens: &[&str]) {
    for m in messages {
        for part in ["raw", "text", "html", "subject"] {
            let s = m[part].as_str().unwrap_or_default();
            for t in tokens {
                assert!(!s.contains(t), "a message carries an API token in its {part}: {s}");
            }
        }
    }
}
