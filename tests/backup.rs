//! `orgd backup` while writers run, `orgd restore` into a new database: everything acknowledged before the backup
//! began is there, with the token, a variable's history and the audit log; and the refusals (a non-empty target
//! without --force, a backup of the other backend, an existing backup file). Runs on SQLite, and on PostgreSQL
//! when `TEST_POSTGRES_URL` is set.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use common::BIN;

const WRITERS: usize = 4;

fn postgres() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A new, empty database: a fresh PostgreSQL database, or a SQLite file (not created yet) in `dir`.
async fn fresh_url(dir: &Path, name: &str) -> String {
    match postgres() {
        Some(base) => common::fresh_postgres_database(&base).await,
        None => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
    }
}

/// Runs `orgd ARGS` against `url` with no inherited settings.
async fn orgd(url: &str, args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("ORGD_") || k == "RUST_LOG") {
        cmd.env_remove(k);
    }
    cmd.args(args).env("ORGD_DATABASE_URL", url).output().await.unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

/// The command failed with exactly one line on stderr containing `needle`.
fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "expected a refusal containing {needle:?}, got success: {err}");
    assert_eq!(err.lines().count(), 1, "the error must be one line: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    eprintln!("refused as expected: {err}");
}

fn start(url: &str) -> common::Process {
    common::serve(&[("ORGD_DATABASE_URL", url), ("ORGD_DEFAULT_PLAN", "unlimited"), ("ORGD_RATE_LIMIT", "off")])
}

struct Api {
    client: Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Token {}", self.token));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn create_org(&self, name: &str) -> i64 {
        let body = json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1});
        let (status, body) = self.call(reqwest::Method::POST, "/organizations", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["organization"]["id"].as_i64().unwrap()
    }

    /// Every organization's id; each must be whole (with its one team), never half-written.
    async fn org_ids(&self) -> HashSet<i64> {
        let list = self.get("/organizations?cols[]=id&cols[]=teams&pg[limit]=10000").await;
        let all = list["organizations"].as_array().unwrap();
        for o in all {
            assert_eq!(o["teams"].as_array().map(Vec::len), Some(1), "half-written organization {o}");
        }
        all.iter().map(|o| o["id"].as_i64().unwrap()).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writing_then_restore_into_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let backend = if postgres().is_some() { "PostgreSQL" } else { "SQLite" };
    let source = fresh_url(dir.path(), "source").await;
    let client = Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let server = start(&source);
    let out = orgd(&source, &["users", "add", "--email", "ops@example.com", "--name", "Ops"]).await;
    assert!(out.status.success(), "users add: {}", stderr(&out));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let api = Api { client: client.clone(), base: server.base(), token: token.clone() };

    // Some organizations, and a variable with a history (and audit entries for all of it).
    let home = api.create_org("Home").await;
    for i in 0..4 {
        api.create_org(&format!("Before {i}")).await;
    }
    let vars = format!("/organizations/{home}/variables");
    let (status, body) =
        api.call(reqwest::Method::POST, &vars, Some(json!({"name": "limit", "typeId": 1, "value": 1}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for v in 2..=6 {
        let (status, body) =
            api.call(reqwest::Method::PATCH, &format!("{vars}/limit"), Some(json!({"value": v}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let history = api.get(&format!("{vars}/limit/history")).await;
    assert_eq!(history["organizationVariableHistory"].as_array().unwrap().len(), 6);
    let audit_path = format!("/audit-logs/v2/organization/{home}?pg[limit]=10000");
    let audit = api.get(&audit_path).await;
    let audit_entries = audit["auditLogs"].as_array().unwrap().len();
    assert!(audit_entries >= 7, "expected the creation and six variable entries: {audit}");

    // Writers creating organizations, each acknowledgement recorded with its instant.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (client, base, token, stop, acked) =
            (client.clone(), server.base(), token.clone(), stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let res = client
                    .post(format!("{base}/organizations"))
                    .header("Authorization", format!("Token {token}"))
                    .json(&json!({"name": format!("W {w}-{i}"), "regionId": 1, "timezoneId": 113, "countryId": 1}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                let body: Value = res.json().await.unwrap();
                let id = body["organization"]["id"].as_i64().unwrap();
                acked.lock().unwrap().push((id, Instant::now()));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let file = dir.path().join("orgd.backup");
    let file_arg = file.to_str().unwrap();
    let began = Instant::now();
    let out = orgd(&source, &["backup", "--to", file_arg]).await;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    eprintln!("{backend} backup: {}", stderr(&out));
    assert!(!dir.path().join("orgd.backup.partial").exists());

    // Restore into a brand new database and serve it.
    let target = fresh_url(dir.path(), "restored").await;
    let out = orgd(&target, &["restore", "--from", file_arg]).await;
    assert!(out.status.success(), "restore failed: {}", stderr(&out));
    eprintln!("{backend} restore: {}", stderr(&out));
    let restored = start(&target);
    let r = Api { client: client.clone(), base: restored.base(), token: token.clone() };

    // The token still authenticates; everything acknowledged before the backup began is there.
    let me = r.get("/users/me").await;
    assert_eq!(me["authUser"]["email"], "ops@example.com", "{me}");
    let found = r.org_ids().await;
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let (mut before, mut during, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for (id, at) in &acked {
        match at {
            at if *at < began => before.push(*id),
            at if *at < ended => during.push(*id),
            _ => after.push(*id),
        }
    }
    let present = |ids: &[i64]| ids.iter().filter(|id| found.contains(id)).count();
    eprintln!(
        "{backend}: writers acknowledged {} organizations: {} before the backup began ({} in the restore), {} during \
         it ({} in the restore), {} after it ({} in the restore); the backup took {:.0} ms; {} organizations restored",
        acked.len(),
        before.len(),
        present(&before),
        during.len(),
        present(&during),
        after.len(),
        present(&after),
        (ended - began).as_secs_f64() * 1000.0,
        found.len()
    );
    assert!(!before.is_empty(), "no writes before the backup: the test proves nothing");
    for id in &before {
        assert!(found.contains(id), "organization {id}, acknowledged before the backup began, is missing");
    }
    assert_eq!(present(&after), 0, "organizations acknowledged after the backup ended cannot be in it");
    assert!(found.contains(&home) && found.len() >= 5 + before.len());

    // The variable, its full history, and the audit log as they were.
    let value = r.get(&vars).await;
    let limit = value["organizationVariables"].as_array().unwrap().iter().find(|v| v["name"] == "limit").unwrap();
    assert_eq!(limit["value"], 6);
    assert_eq!(r.get(&format!("{vars}/limit/history")).await, history, "variable history differs");
    assert_eq!(r.get(&audit_path).await, audit, "audit log differs");
    eprintln!("{backend}: token, variable (value 6, 6 history entries) and {audit_entries} audit entries intact");

    // Refusals: a non-empty target without --force, a backup of the other backend, an existing backup file.
    assert_refused(&orgd(&target, &["restore", "--from", file_arg]).await, "--force");
    let other = dir.path().join("other-format");
    let (magic, needle): (&[u8], _) = match postgres() {
        Some(_) => (b"SQLite format 3\0\x10\0", "is a SQLite database"),
        None => (b"PGDMP\x01\x0e\0", "is a PostgreSQL backup"),
    };
    std::fs::write(&other, magic).unwrap();
    let empty = fresh_url(dir.path(), "empty").await;
    assert_refused(&orgd(&empty, &["restore", "--from", other.to_str().unwrap()]).await, needle);
    assert_refused(&orgd(&source, &["backup", "--to", file_arg]).await, "exists");
    drop(restored);

    // --force replaces a database with data (the servers stopped): the source goes back to the backup.
    drop(server);
    let out = orgd(&source, &["restore", "--from", file_arg, "--force"]).await;
    assert!(out.status.success(), "restore --force failed: {}", stderr(&out));
    let again = start(&source);
    let a = Api { client, base: again.base(), token };
    assert_eq!(a.org_ids().await, found, "restore --force did not bring back exactly the backup");
    assert_eq!(a.get(&format!("{vars}/limit/history")).await, history);
    eprintln!("{backend}: restore --force over the source brought back the same {} organizations", found.len());
}
