//! Read replicas on a real streaming standby: `pg_basebackup -R` of the throwaway primary that `scripts/test`
//! (`scripts/with-postgres`) starts, two orgd nodes reading from it. Runs when `TEST_POSTGRES_URL` is set and the
//! PostgreSQL server binaries are installed; says so loudly when not.
//!
//! One test, so the standby is copied and started once: read-your-writes under load through two nodes, then the
//! standby stopped and started again under load with no failed read, `/health` and `/metrics` following it.

mod common;

#[path = "replicas/standby.rs"]
mod standby;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const TOKEN: &str = "8d7c6b5a-4e3f-4a1b-9c8d-7e6f5a4b3c2d";
/// The multi-node bound (tests/multinode.rs): a change through one node is seen on another within a second.
const ACROSS_NODES: Duration = Duration::from_secs(1);

fn start(url: &str, replica: &str) -> common::Process {
    common::serve(&[
        ("ORGD_DATABASE_URL", url),
        ("ORGD_DATABASE_REPLICAS", replica),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
        ("ORGD_RATE_LIMIT", "off"),
    ])
}

fn root(p: &common::Process) -> String {
    format!("{}://{}", p.scheme, p.addr)
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.header("Authorization", format!("Token {TOKEN}")).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The value of variable `name` in a list of the organization's variables, as node `base` answers it.
async fn variable(c: &Client, base: &str, org: i64, name: &str) -> Option<Value> {
    let (status, body) = send(c.get(format!("{base}/organizations/{org}/variables"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["organizationVariables"].as_array()?.iter().find(|v| v["name"] == name).map(|v| v["value"].clone())
}

/// Waits until `/health` of every node shows the replica in `state`.
async fn replica_state_is(c: &Client, nodes: &[&common::Process], state: &str, within: Duration) {
    let start = Instant::now();
    for node in nodes {
        loop {
            let health: Value = c.get(format!("{}/health", root(node))).send().await.unwrap().json().await.unwrap();
            if health["replicas"][0]["state"] == state {
                break;
            }
            assert!(start.elapsed() < within, "replica not {state} after {within:?}: {health}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_a_standby_without_losing_a_callers_writes_or_a_read() {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!(
            "\n*** SKIPPED: the read replica test needs PostgreSQL (set TEST_POSTGRES_URL or run scripts/test) ***\n"
        );
        return;
    };
    let Some(bin) = standby::server_binaries() else {
        eprintln!(
            "\n*** SKIPPED: the read replica test needs pg_basebackup and pg_ctl (PostgreSQL server binaries) ***\n"
        );
        return;
    };
    let url = common::fresh_postgres_database(&base).await;
    let standby = standby::Standby::start(&bin, &base).await;
    let replica = standby.url_for(&url);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start(&url, &replica));
        let b = s.spawn(|| start(&url, &replica));
        (a.join().unwrap(), b.join().unwrap())
    });
    let c = Client::new();
    replica_state_is(&c, &[&a, &b], "up", Duration::from_secs(10)).await;
    let (status, org) = send(
        c.post(format!("{}/organizations", a.base()))
            .json(&json!({"name": "Replicated", "regionId": 1, "timezoneId": 113, "countryId": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    let org = org["organization"]["id"].as_i64().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let readers = background_readers(&c, &[a.base(), b.base()], org, stop.clone());
    let slowest = read_your_writes(&c, &a, &b, org, 6).await;
    eprintln!("read-your-writes: every write read back at once on node A; seen on node B within {slowest:?}");

    // The standby goes away and comes back while the readers and a writer go on: no read fails.
    standby.stop();
    replica_state_is(&c, &[&a, &b], "down", Duration::from_secs(5)).await;
    read_your_writes(&c, &a, &b, org, 2).await;
    standby.start_again();
    replica_state_is(&c, &[&a, &b], "up", Duration::from_secs(15)).await;
    read_your_writes(&c, &a, &b, org, 2).await;
    stop.store(true, Ordering::Relaxed);
    let (reads, failed) = readers.await.unwrap();
    assert!(failed.is_empty(), "{} of {reads} background reads failed: {failed:?}", failed.len());

    let metrics = c.get(format!("{}/metrics", root(&a))).send().await.unwrap().text().await.unwrap();
    let served = metrics.lines().find(|l| l.starts_with("orgd_db_replica_reads_total{")).unwrap_or_default();
    let served: u64 = served.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(served > 0, "the standby served no read of node A:\n{metrics}");
    assert!(metrics.contains("orgd_db_replica_state{replica=") && metrics.contains("orgd_db_replica_lag_seconds{"));
    let again = [&a, &b].iter().map(|n| n.log_lines("answering it again from the primary").len()).sum::<usize>();
    eprintln!("{reads} background reads, none failed ({again} answered again from the primary after the standby");
    eprintln!("failed them); node A sent {served} reads to the standby");
}

/// `writes` writes through node A, each read back at once through node A and within the multi-node bound through
/// node B; returns the longest wait on node B. (Few: each waits out the standby's replay on node B.)
async fn read_your_writes(c: &Client, a: &common::Process, b: &common::Process, org: i64, writes: i64) -> Duration {
    let name = format!("ryw{}", uuid::Uuid::new_v4().simple());
    let (status, body) = send(
        c.post(format!("{}/organizations/{org}/variables", a.base()))
            .json(&json!({"name": name, "typeId": 1, "value": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut slowest = Duration::ZERO;
    for i in 1..=writes {
        let (status, body) =
            send(c.patch(format!("{}/organizations/{org}/variables/{name}", a.base())).json(&json!({"value": i})))
                .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let written = Instant::now();
        assert_eq!(variable(c, &a.base(), org, &name).await, Some(json!(i)), "node A must read its caller's write");
        while variable(c, &b.base(), org, &name).await != Some(json!(i)) {
            assert!(written.elapsed() < ACROSS_NODES, "node B did not see write {i} within {ACROSS_NODES:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        slowest = slowest.max(written.elapsed());
    }
    slowest
}

/// A client per node listing variables until told to stop, as another caller than the writer (the same token
/// sent as `Bearer`: another credential as the routing sees it); returns the number of reads and the failed ones.
fn background_readers(
    c: &Client,
    bases: &[String],
    org: i64,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(usize, Vec<String>)> {
    let readers: Vec<_> =
        bases.iter().map(|base| tokio::spawn(read_until(c.clone(), base.clone(), org, stop.clone()))).collect();
    tokio::spawn(async move {
        let (mut reads, mut failed) = (0, Vec::new());
        for r in readers {
            let (n, f) = r.await.unwrap();
            reads += n;
            failed.extend(f);
        }
        (reads, failed)
    })
}

async fn read_until(c: Client, base: String, org: i64, stop: Arc<AtomicBool>) -> (usize, Vec<String>) {
    let (mut reads, mut failed) = (0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let res = c
            .get(format!("{base}/organizations/{org}/variables"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .send()
            .await;
        reads += 1;
        match res {
            Ok(r) if r.status() == StatusCode::OK => {}
            Ok(r) => failed.push(format!("{}: {}", r.status(), r.text().await.unwrap_or_default())),
            Err(e) => failed.push(e.to_string()),
        }
    }
    (reads, failed)
}
