//! The disk under SQLite fills up. The test mounts a small tmpfs (root only; says loudly that it skipped
//! otherwise), puts the database on it, fills the rest with a file of its own and writes until orgd refuses.
//! Then: writes get 507 with `Retry-After` and Make's error body, reads keep working, `PRAGMA integrity_check`
//! is `ok`, and once the file is deleted writes succeed again without a restart.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{json, Value};
use sqlx::{Connection, SqliteConnection};

use crate::cluster::is_root;
use crate::common;
use crate::load::{send, Outcome};

const TOKEN: &str = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";

/// A size-limited tmpfs, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::Builder::new().prefix("orgd-small-disk").tempdir().unwrap();
        let opts = format!("size={size}");
        let ok = is_root()
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", &opts, "tmpfs"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must be able to mount a tmpfs (run as root)");
            eprintln!("\n*** SKIPPED: the disk-full test needs to mount a tmpfs (root) ***\n");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes zeros into `path` until the filesystem is full; returns how many bytes fitted.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(_) => break,
        }
    }
    // The last partial chunks: down to single bytes, so that not even a page is left.
    for size in [4096usize, 512, 1] {
        while f.write(&chunk[..size]).is_ok_and(|n| n > 0) {
            written += size as u64;
        }
    }
    let _ = f.sync_all();
    written
}

fn create_body(n: usize) -> Value {
    json!({"name": format!("Disk {n}"), "regionId": 1, "timezoneId": 113, "countryId": 1})
}

async fn integrity(db: &Path) -> String {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("pragma integrity_check").fetch_one(&mut conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_507_keeps_reads_and_recovers_when_space_returns() {
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        return; // SQLite only: it ran in the SQLite half of the suite
    }
    let Some(disk) = SmallDisk::mount("6m") else { return };
    let db: PathBuf = disk.path().join("orgd.db");
    let server =
        common::serve(&[("ORGD_DATABASE_URL", &format!("sqlite://{}", db.display())), ("ORGD_BOOTSTRAP_TOKEN", TOKEN)]);
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let orgs = format!("{}/organizations", server.base());
    let mut acked: Vec<(i64, String)> = Vec::new();
    let Outcome::Ok(first) = send(&client, Method::POST, &orgs, Some(TOKEN), Some(&create_body(0))).await else {
        panic!("creating an organization before the disk filled failed")
    };
    acked.push((first["organization"]["id"].as_i64().unwrap(), "Disk 0".into()));
    // A variable, changed by the writer's quick batches (`sqlite/quick.rs`) rather than through sqlx.
    let var = format!("{orgs}/{}/variables", acked[0].0);
    let made =
        send(&client, Method::POST, &var, Some(TOKEN), Some(&json!({"name": "v", "typeId": 1, "value": 0}))).await;
    assert!(made.is_ok(), "{made:?}");
    let var_one = format!("{var}/v");
    let filler = disk.path().join("filler");
    let filled = fill(&filler);

    // Write until the disk refuses (the WAL may still have room for a few transactions).
    let mut refusal = None;
    for n in 1..5000 {
        match send(&client, Method::POST, &orgs, Some(TOKEN), Some(&create_body(n))).await {
            Outcome::Ok(v) => acked.push((v["organization"]["id"].as_i64().unwrap(), format!("Disk {n}"))),
            other => {
                refusal = Some((n, other));
                break;
            }
        }
    }
    let (refused_n, refusal) = refusal.expect("the disk never filled up");
    let Outcome::Status { status, retry_after, body } = refusal else { panic!("expected 507, got {refusal:?}") };
    println!("disk full after {filled} bytes of filler and {} more organizations: {status} {body}", acked.len() - 1);
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["code"], "SC507");
    assert!(retry_after.is_some(), "507 without Retry-After");

    // Still full: more writes are refused the same way, reads work, the database is intact.
    let again = send(&client, Method::POST, &orgs, Some(TOKEN), Some(&create_body(9999))).await;
    assert!(matches!(&again, Outcome::Status { status: 507, .. }), "{again:?}\n{}", server.log_lines("").join("\n"));
    let (seven, eight) = (json!({"value": 7}), json!({"value": 8}));
    let patch = |body| send(&client, Method::PATCH, &var_one, Some(TOKEN), Some(body));
    let refused_patch = patch(&seven).await;
    assert!(matches!(&refused_patch, Outcome::Status { status: 507, .. }), "{refused_patch:?}");
    let (id, name) = acked.last().cloned().unwrap();
    let read = send(&client, Method::GET, &format!("{orgs}/{id}"), Some(TOKEN), None).await;
    assert!(read.is_ok(), "reads must keep working on a full disk: {read:?}");
    let list = send(&client, Method::GET, &format!("{orgs}?pg[limit]=10000&cols[]=id"), Some(TOKEN), None).await;
    assert!(list.is_ok(), "{list:?}");
    let health = send(&client, Method::GET, &format!("{}://{}/health", server.scheme, server.addr), None, None).await;
    assert!(health.is_ok(), "the database is reachable, only full: {health:?}");
    assert_eq!(integrity(&db).await, "ok");

    // Space comes back: writes succeed again without a restart.
    std::fs::remove_file(&filler).unwrap();
    let freed = Instant::now();
    let mut recovered = None;
    while freed.elapsed() < Duration::from_secs(10) {
        if let Outcome::Ok(v) = send(&client, Method::POST, &orgs, Some(TOKEN), Some(&create_body(10_000))).await {
            acked.push((v["organization"]["id"].as_i64().unwrap(), "Disk 10000".into()));
            recovered = Some(freed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = recovered.expect("writes did not succeed again after space was freed");
    println!("writes succeed again {:.2} s after the space was freed", recovered.as_secs_f64());
    let patched = patch(&eight).await;
    assert!(patched.is_ok(), "a variable's change after the space came back: {patched:?}");
    let Outcome::Ok(history) = send(&client, Method::GET, &format!("{var_one}/history"), Some(TOKEN), None).await
    else {
        panic!("history")
    };
    let history = &history["organizationVariableHistory"];
    let values: Vec<&Value> = history.as_array().unwrap().iter().map(|h| &h["diffObject"]["value"]).collect();
    assert!(!values.contains(&&json!(7)), "the refused change is in the history: {history}");
    assert_eq!(values, [&json!(8), &json!(0)], "created and one change: {history}");

    let Outcome::Ok(list) = send(
        &client,
        Method::GET,
        &format!("{orgs}?pg[limit]=10000&cols[]=id&cols[]=name&cols[]=teams"),
        Some(TOKEN),
        None,
    )
    .await
    else {
        panic!("listing failed")
    };
    let list = list["organizations"].as_array().unwrap().clone();
    for (id, name) in &acked {
        assert!(list.iter().any(|o| o["id"] == *id && o["name"] == name.as_str()), "acknowledged {id} {name} lost");
    }
    let refused_name = format!("Disk {refused_n}");
    assert!(!list.iter().any(|o| o["name"] == refused_name.as_str()), "a refused write was applied");
    assert!(list.iter().all(|o| o["teams"].as_array().map(Vec::len) == Some(1)), "half-written organization");
    assert_eq!(integrity(&db).await, "ok");
    println!(
        "{} acknowledged organizations all present; integrity_check ok before and after; last read {name}",
        acked.len()
    );
}
