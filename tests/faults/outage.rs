//! PostgreSQL goes away for ten seconds under a steady write and read load through two nodes, then comes back.
//! During the outage `/livez` answers, requests that need the database get 503 with `Retry-After` and Make's
//! error body (never a 500, never a dropped connection, never a hang), `/health` says the database is down;
//! shortly after its return both nodes serve again without a restart, every acknowledged write is there and no
//! organization is half-written.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{json, Value};

use crate::cluster::Cluster;
use crate::common;
use crate::load::{send, Outcome, Recorder, Sample};

const TOKEN: &str = "2f1e0d9c-8b7a-4695-a4b3-c2d1e0f9a8b7";
const OUTAGE: Duration = Duration::from_secs(10);
/// How soon after the database is back every request must succeed again (the issue asks for ~2 s; one more for
/// a request that started just before and waited out a connection attempt).
const RECOVERY_BOUND: Duration = Duration::from_secs(3);

fn start(url: &str) -> common::Process {
    common::serve(&[
        ("ORGD_DATABASE_URL", url),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
        ("ORGD_RATE_LIMIT", "off"),
        ("ORGD_ZONE", "outage.test"),
    ])
}

fn spawn_load(rec: &Recorder, client: &Client, bases: &[String], read_id: i64) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for w in 0..4usize {
        let (rec, client, node) = (rec.clone(), client.clone(), w % 2);
        let url = format!("{}/api/v2/organizations", bases[node]);
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !rec.stopped() {
                n += 1;
                let body =
                    json!({"name": format!("Outage w{w} n{n}"), "regionId": 1, "timezoneId": 113, "countryId": 1});
                let t0 = Instant::now();
                let out = send(&client, Method::POST, &url, Some(TOKEN), Some(&body)).await;
                rec.record("write", node, t0, out);
            }
        }));
    }
    for (node, base) in bases.iter().enumerate() {
        let (r, c) = (rec.clone(), client.clone());
        let url = format!("{base}/api/v2/organizations/{read_id}");
        tasks.push(tokio::spawn(async move {
            while !r.stopped() {
                let t0 = Instant::now();
                let out = send(&c, Method::GET, &url, Some(TOKEN), None).await;
                r.record("read", node, t0, out);
            }
        }));
        for (kind, path) in [("livez", "/livez"), ("health", "/health")] {
            let (r, c) = (rec.clone(), client.clone());
            let url = format!("{base}{path}");
            tasks.push(tokio::spawn(async move {
                while !r.stopped() {
                    let t0 = Instant::now();
                    let out = send(&c, Method::GET, &url, None, None).await;
                    r.record(kind, node, t0, out);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }));
        }
    }
    tasks
}

/// `node` with Make's SDK from tests/clients (installed there by tests/clients/run.sh), reading organization
/// `org` through `zone` with the SDK's `retry.onServerError`; `None` (said loudly) when either is missing.
fn sdk_read(zone: &str, org: i64) -> Option<std::process::Child> {
    let sdk =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/node_modules/@makehq/sdk/dist/index.js");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faults/sdk_retry.mjs");
    let child = std::process::Command::new("node")
        .arg(script)
        .env("SDK", &sdk)
        .env("ZONE", zone)
        .env("TOKEN", TOKEN)
        .env("ORG", org.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn();
    match child {
        Ok(c) if sdk.exists() => Some(c),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI runs tests/clients/run.sh first: node and the SDK must be there"
            );
            eprintln!("\n*** the SDK part of the outage test is SKIPPED: run tests/clients/run.sh once (node, @makehq/sdk) ***\n");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_gets_503_and_both_nodes_recover_without_losing_a_write() {
    // Runs with the PostgreSQL half of the suite (scripts/test), on a cluster of its own that it can stop.
    if std::env::var("TEST_POSTGRES_URL").is_err() {
        eprintln!(
            "\n*** SKIPPED: the outage test runs with the PostgreSQL half (TEST_POSTGRES_URL, scripts/test) ***\n"
        );
        return;
    }
    let Some(cluster) = Cluster::start() else { return };
    let url = common::fresh_postgres_database(&cluster.url()).await;
    let nodes = [start(&url), start(&url)];
    let bases: Vec<String> = nodes.iter().map(|n| format!("{}://{}", n.scheme, n.addr)).collect();
    // Longer than any answer may take, so that a hang shows as a dropped request rather than a stuck test.
    let client = Client::builder().timeout(Duration::from_secs(40)).build().unwrap();
    let home = json!({"name": "Read me", "regionId": 1, "timezoneId": 113, "countryId": 1});
    let Outcome::Ok(home) =
        send(&client, Method::POST, &format!("{}/api/v2/organizations", bases[0]), Some(TOKEN), Some(&home)).await
    else {
        panic!("creating the organization to read failed")
    };
    let read_id = home["organization"]["id"].as_i64().unwrap();

    let rec = Recorder::default();
    let tasks = spawn_load(&rec, &client, &bases, read_id);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let down = Instant::now();
    let c = std::sync::Arc::new(cluster);
    let c2 = c.clone();
    tokio::task::spawn_blocking(move || c2.stop()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sdk = sdk_read(&nodes[1].addr, read_id);
    tokio::time::sleep(OUTAGE.saturating_sub(down.elapsed())).await;
    let c2 = c.clone();
    tokio::task::spawn_blocking(move || c2.start_again()).await.unwrap();
    let up = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let samples = rec.finish(tasks).await;

    report_and_check(&samples, down, up);
    if let Some(child) = sdk {
        let out = child.wait_with_output().unwrap();
        let line: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        println!("the SDK with retry.onServerError, started 0.5 s into the outage: {line}");
        assert_eq!(line["ok"], true, "the SDK's own retries should have carried it through the outage: {line}");
        assert_eq!(line["name"], "Read me");
    }
    check_acknowledged_writes_are_all_there(&client, &bases, &samples).await;
}

fn report_and_check(samples: &[Sample], down: Instant, up: Instant) {
    let api = |s: &&Sample| s.kind == "write" || s.kind == "read";
    let dropped: Vec<String> = samples
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Dropped(e) => Some(format!("{} on node {} after {:?}: {e}", s.kind, s.node, s.took)),
            _ => None,
        })
        .collect();
    assert!(dropped.is_empty(), "requests without an HTTP answer: {:?}", &dropped[..dropped.len().min(5)]);
    let mut by_status: HashMap<String, usize> = HashMap::new();
    for s in samples.iter().filter(api) {
        let key = match &s.outcome {
            Outcome::Ok(_) => format!("{} 2xx", s.kind),
            Outcome::Status { status, .. } => format!("{} {status}", s.kind),
            Outcome::Dropped(_) => unreachable!(),
        };
        *by_status.entry(key).or_default() += 1;
        if let Outcome::Status { status, retry_after, body } = &s.outcome {
            assert_eq!(*status, 503, "during a database outage only 503 is acceptable: {body}");
            assert!(retry_after.as_deref().is_some_and(|r| r.parse::<u64>().is_ok()), "503 without Retry-After");
            assert_eq!(body["code"], "SC503", "Make's error body: {body}");
            assert!(body["message"].is_string() && body["detail"].is_string(), "{body}");
        }
    }
    let slowest = samples.iter().filter(api).map(|s| s.took).max().unwrap();
    let livez_bad = samples.iter().filter(|s| s.kind == "livez" && !s.outcome.is_ok()).count();
    let health_down = samples.iter().filter(|s| {
        s.kind == "health"
            && s.start > down
            && s.end() < up
            && matches!(&s.outcome, Outcome::Status { status: 503, body, .. } if body["status"] == "database unavailable")
    });
    let health_down = health_down.count();
    let recovered: Vec<Duration> = (0..2)
        .map(|node| {
            let first = samples.iter().filter(api).filter(|s| s.node == node && s.start >= up && s.outcome.is_ok());
            first.map(|s| s.end().duration_since(up)).min().expect("the node never served again")
        })
        .collect();
    let late_failures: Vec<_> =
        samples.iter().filter(api).filter(|s| s.start > up + RECOVERY_BOUND && !s.outcome.is_ok()).collect();
    let mut statuses: Vec<_> = by_status.into_iter().collect();
    statuses.sort();
    println!(
        "outage: {:.1} s (PostgreSQL stopped with -m fast, then started again)",
        up.duration_since(down).as_secs_f64()
    );
    println!("answers: {statuses:?}; slowest answer {:.2} s", slowest.as_secs_f64());
    println!("/livez failures: {livez_bad}; /health said 'database unavailable' {health_down} times during the outage");
    println!(
        "first success after the database returned: node A {:.2} s, node B {:.2} s",
        recovered[0].as_secs_f64(),
        recovered[1].as_secs_f64()
    );
    assert_eq!(livez_bad, 0, "/livez must answer throughout");
    assert!(health_down > 0, "/health never reported the database down");
    assert!(slowest < Duration::from_secs(10), "a request took {slowest:?}: requests must fail fast");
    assert!(
        samples.iter().filter(api).any(|s| s.start > down && s.end() < up && !s.outcome.is_ok()),
        "no failures seen"
    );
    for r in &recovered {
        assert!(*r <= RECOVERY_BOUND, "a node took {r:?} to serve again");
    }
    assert!(late_failures.is_empty(), "failures after recovery: {:?}", &late_failures[..late_failures.len().min(5)]);
}

async fn check_acknowledged_writes_are_all_there(client: &Client, bases: &[String], samples: &[Sample]) {
    let acked: Vec<(i64, String)> = samples
        .iter()
        .filter(|s| s.kind == "write")
        .filter_map(|s| match &s.outcome {
            Outcome::Ok(v) => {
                Some((v["organization"]["id"].as_i64()?, v["organization"]["name"].as_str()?.to_string()))
            }
            _ => None,
        })
        .collect();
    let failed = samples.iter().filter(|s| s.kind == "write" && !s.outcome.is_ok()).count();
    let url = format!("{}/api/v2/organizations?pg[limit]=10000&cols[]=id&cols[]=name&cols[]=teams", bases[1]);
    let Outcome::Ok(list) = send(client, Method::GET, &url, Some(TOKEN), None).await else { panic!("listing failed") };
    let present: HashMap<i64, &Value> =
        list["organizations"].as_array().unwrap().iter().map(|o| (o["id"].as_i64().unwrap(), o)).collect();
    for (id, name) in &acked {
        let org = present.get(id).unwrap_or_else(|| panic!("acknowledged organization {id} ({name}) is lost"));
        assert_eq!(org["name"], name.as_str());
    }
    for org in present.values() {
        assert_eq!(org["teams"].as_array().map(Vec::len), Some(1), "half-written organization {org}");
    }
    // Organizations that exist although their create got an error: the commit went through just before the
    // connection broke. Whole, as checked above; a client that retries may create a second one.
    let extra = present.len() - 1 - acked.len();
    println!(
        "writes: {} acknowledged, all present; {failed} answered 503; {extra} of those committed anyway (whole)",
        acked.len()
    );
}
