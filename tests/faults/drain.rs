//! SIGTERM with a request in flight. The test makes the request genuinely slow by holding a lock the request
//! needs — SQLite's write lock (a `BEGIN IMMEDIATE` of its own), or on PostgreSQL the organization's row
//! (`SELECT … FOR UPDATE`, which orgd's update takes first) — so that orgd's write waits for it. Within the drain timeout the request
//! completes with its real answer; past it the request gets a clean 503 and the process exits anyway. Either way
//! new connections are refused as soon as the signal arrives.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

use crate::common;
use crate::load::{send, Outcome};

const TOKEN: &str = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

struct Setup {
    server: common::Process,
    url: String,
    org: i64,
    _dir: tempfile::TempDir,
}

async fn setup(drain_secs: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("TEST_POSTGRES_URL") {
        Ok(base) => common::fresh_postgres_database(&base).await,
        Err(_) => format!("sqlite://{}", dir.path().join("orgd.db").display()),
    };
    let server = common::serve(&[
        ("ORGD_DATABASE_URL", &url),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
        ("ORGD_DRAIN_TIMEOUT_SECS", drain_secs),
    ]);
    let body = json!({"name": "Before", "regionId": 1, "timezoneId": 113, "countryId": 1});
    let Outcome::Ok(v) =
        send(&Client::new(), Method::POST, &format!("{}/organizations", server.base()), Some(TOKEN), Some(&body)).await
    else {
        panic!("create failed")
    };
    Setup { server, url, org: v["organization"]["id"].as_i64().unwrap(), _dir: dir }
}

/// A lock the PATCH needs, held until [`Lock::release`].
enum Lock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Lock {
    async fn take(s: &Setup) -> Lock {
        if s.url.starts_with("sqlite:") {
            let mut conn = SqliteConnection::connect(&s.url).await.unwrap();
            conn.execute("begin immediate").await.unwrap();
            Lock::Sqlite(conn)
        } else {
            let mut conn = PgConnection::connect(&s.url).await.unwrap();
            conn.execute("begin").await.unwrap();
            let lock = sqlx::query("select id from organizations where id = $1 for update").bind(s.org);
            lock.execute(&mut conn).await.unwrap();
            Lock::Postgres(conn)
        }
    }

    /// Ends the holding transaction without changing anything.
    async fn release(self) {
        match self {
            Lock::Sqlite(c) => c.close().await.unwrap(),
            Lock::Postgres(c) => c.close().await.unwrap(),
        }
    }
}

async fn name_in_database(s: &Setup) -> String {
    let sql = "select name from organizations where id = $1";
    if s.url.starts_with("sqlite:") {
        let mut conn = SqliteConnection::connect(&s.url).await.unwrap();
        sqlx::query_scalar(sql).bind(s.org).fetch_one(&mut conn).await.unwrap()
    } else {
        let mut conn = PgConnection::connect(&s.url).await.unwrap();
        sqlx::query_scalar(sql).bind(s.org).fetch_one(&mut conn).await.unwrap()
    }
}

/// Starts the PATCH that will wait for the lock, then sends SIGTERM once it is surely in flight.
async fn patch_then_sigterm(s: &mut Setup) -> (tokio::task::JoinHandle<(Outcome, Instant)>, Instant) {
    let url = format!("{}/organizations/{}", s.server.base(), s.org);
    let patch = tokio::spawn(async move {
        let out = send(&Client::new(), Method::PATCH, &url, Some(TOKEN), Some(&json!({"name": "After"}))).await;
        (out, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    if patch.is_finished() {
        panic!("the request should be waiting for the lock: {:?}", patch.await.unwrap().0);
    }
    let pid = s.server.child.id().to_string();
    // Taken before `kill` runs: the signal arrives while it runs, so the drain deadline starts no earlier than this,
    // and a time measured from here is never shorter than the server's own.
    let signalled = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = std::net::TcpStream::connect(&s.server.addr);
    assert!(refused.is_err(), "a new connection was accepted after SIGTERM");
    (patch, signalled)
}

/// Waits up to `limit` for the process to exit; returns how long after `since` it did, and its success.
fn wait_exit(server: &mut common::Process, since: Instant, limit: Duration) -> (Duration, bool) {
    while since.elapsed() < limit {
        if let Some(status) = server.child.try_wait().unwrap() {
            return (since.elapsed(), status.success());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("orgd still running {limit:?} after SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_at_sigterm_completes_with_its_real_answer() {
    let mut s = setup("10").await;
    let lock = Lock::take(&s).await;
    let (patch, signalled) = patch_then_sigterm(&mut s).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!patch.is_finished(), "the request must still wait for the lock");
    lock.release().await;
    let (out, answered) = patch.await.unwrap();
    let Outcome::Ok(body) = out else { panic!("the in-flight request got {out:?}") };
    assert_eq!(body["organization"]["name"], "After");
    let (exited, clean) = wait_exit(&mut s.server, signalled, Duration::from_secs(10));
    println!(
        "drain: in-flight request answered 200 {:.2} s after SIGTERM, process exited (status ok: {clean}) after {:.2} s",
        answered.duration_since(signalled).as_secs_f64(),
        exited.as_secs_f64()
    );
    assert!(clean, "orgd should exit 0 after a clean drain");
    assert_eq!(name_in_database(&s).await, "After", "the acknowledged change is durable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_drain_timeout_a_request_in_flight_gets_503_and_the_process_exits() {
    let mut s = setup("2").await;
    let lock = Lock::take(&s).await;
    let (patch, signalled) = patch_then_sigterm(&mut s).await;
    let (out, answered) = patch.await.unwrap();
    let Outcome::Status { status, retry_after, body } = out else { panic!("expected 503, got {out:?}") };
    assert_eq!(status, 503);
    assert_eq!(body["code"], "SC503", "{body}");
    assert!(retry_after.is_some(), "503 without Retry-After");
    let waited = answered.duration_since(signalled);
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(4), "503 after {waited:?}");
    let (exited, _) = wait_exit(&mut s.server, signalled, Duration::from_secs(8));
    println!(
        "drain timeout 2 s: in-flight request answered 503 after {:.2} s, process exited after {:.2} s",
        waited.as_secs_f64(),
        exited.as_secs_f64()
    );
    lock.release().await;
    assert_eq!(name_in_database(&s).await, "Before", "the cut-off request changed nothing");
}
