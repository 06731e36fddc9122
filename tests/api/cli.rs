//! The `orgd` binary as an operator drives it: bootstrap, `users add`, `tokens revoke`, `usage add`, SIGTERM.

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{self, Process, BIN};
use crate::helpers::{read, Db};

fn orgd(db: &Db, args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).env("ORGD_DATABASE_URL", &db.url).env_remove("ORGD_BOOTSTRAP_TOKEN").output().unwrap()
}

/// Starts `orgd serve` on the database without a configured bootstrap token.
fn start(db: &Db) -> Process {
    common::serve(&[("ORGD_DATABASE_URL", &db.url)])
}

async fn get(addr: &str, path: &str, token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("http://{addr}/api/v2{path}"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    read(res).await
}

fn sigterm_and_wait(mut s: Process) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    for _ in 0..100 {
        if let Some(status) = s.child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    s.child.kill().unwrap();
    panic!("server did not stop on SIGTERM");
}

#[tokio::test]
async fn first_start_prints_a_uuid_v4_bootstrap_token_that_works_and_sigterm_stops_cleanly() {
    let db = Db::fresh().await;
    let server = start(&db);
    let token = server.bootstrap_token.clone().expect("bootstrap token line");
    let parsed = uuid::Uuid::parse_str(&token).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    let (status, body) = get(&server.addr, "/users/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authUser"]["email"], "admin@localhost");
    assert!(sigterm_and_wait(server).success());

    let again = start(&db);
    assert!(again.bootstrap_token.is_none(), "no second bootstrap on a used database");
    assert!(sigterm_and_wait(again).success());
}

#[tokio::test]
async fn users_add_prints_a_token_and_tokens_revoke_ends_it() {
    let db = Db::fresh().await;
    assert!(orgd(&db, &["migrate"]).status.success());
    let out = orgd(
        &db,
        &["users", "add", "--email", "Ops@Example.com", "--name", "Ops Person", "--scopes", "organizations:read"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(uuid::Uuid::parse_str(&token).unwrap().get_version_num(), 4);

    let server = start(&db);
    let (status, body) = get(&server.addr, "/users/me/current-authorization", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authorization"]["scope"], serde_json::json!(["organizations:read"]));
    let (_, me) = get(&server.addr, "/users/me", &token).await;
    assert_eq!(me["authUser"]["email"], "ops@example.com");

    let out = orgd(&db, &["tokens", "revoke", &token]);
    assert!(out.status.success(), "revoke while the server runs");
    // SQLite keeps nothing between requests: the very next one is refused. A PostgreSQL node drops its cached
    // token when the database's change notification arrives (milliseconds): refused within the promised second.
    let revoked = std::time::Instant::now();
    loop {
        let status = get(&server.addr, "/users/me", &token).await.0;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(crate::helpers::on_postgres(), "SQLite must refuse the next request at once, got {status}");
        assert!(revoked.elapsed() < Duration::from_secs(1), "still {status} a second after the revoke");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sigterm_and_wait(server).success());
}

#[tokio::test]
async fn commands_fail_with_one_line_errors() {
    let db = Db::fresh().await;
    for args in [
        vec!["users", "add", "--email", "not-an-email", "--name", "X"],
        vec!["users", "add", "--email", "a@b.c", "--name", "X", "--scopes", "everything"],
        vec!["tokens", "revoke", "2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f"],
        vec!["usage", "add", "--organization", "999", "--date", "2026-01-01", "--operations", "5"],
        vec!["usage", "add", "--organization", "1", "--date", "2026-01-01", "--operations", "-5"],
    ] {
        let out = orgd(&db, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("orgd: ") || err.starts_with("error:"), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn usage_add_accumulates_into_the_organization() {
    let db = Db::fresh().await;
    let server = start(&db);
    let token = server.bootstrap_token.clone().unwrap();
    let res = reqwest::Client::new()
        .post(format!("http://{}/api/v2/organizations", server.addr))
        .header("Authorization", format!("Token {token}"))
        .json(&serde_json::json!({"name": "Used", "regionId": 1, "timezoneId": 113, "countryId": 1}))
        .send()
        .await
        .unwrap();
    let (_, body) = read(res).await;
    let id = body["organization"]["id"].to_string();
    // The organization's day (Europe/Prague, id 113): usage counts by its month, which begins an hour before
    // UTC's.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive().to_string();
    for _ in 0..2 {
        let out = orgd(
            &db,
            &["usage", "add", "--organization", &id, "--date", &today, "--operations", "21", "--data-transfer", "1000"],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (_, body) = get(&server.addr, &format!("/organizations/{id}"), &token).await;
    assert_eq!(body["organization"]["operations"], "42");
    assert_eq!(body["organization"]["transfer"], "2000");
    assert!(sigterm_and_wait(server).success());
}
