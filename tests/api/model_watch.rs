//! The read model against commits it did not make. SQLite: another connection's commit (an `orgd` command, an
//! operator's `sqlite3`) is served by the very next request, also while this server's writer commits its own
//! writes, which drop only what they named (src/store/sqlite/watch.rs). PostgreSQL: within the second the
//! notification takes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{on_postgres, spawn_teams_plan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_connections_commit_is_seen_while_the_server_writes() {
    let app = Arc::new(spawn_teams_plan().await);
    let org = app.create_org(&app.admin, "Watched").await;
    let var = format!("/organizations/{org}/variables");
    let made = app.post(&var, &app.admin, json!({"name": "n", "typeId": 1, "value": 0})).await;
    assert_eq!(made.0, StatusCode::OK, "{made:?}");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (app, stop, path) = (app.clone(), stop.clone(), format!("{var}/n"));
            tokio::spawn(async move {
                let mut done = 0;
                while !stop.load(Ordering::Relaxed) {
                    let (status, body) = app.patch(&path, &app.admin, json!({"value": w * 100_000 + done})).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                    done += 1;
                }
                done
            })
        })
        .collect();
    for round in 0..30 {
        // Kept by the model first, so that serving the old name is what a missed commit would look like.
        let kept = app.get(&format!("/organizations/{org}"), &app.admin).await;
        assert_eq!(kept.0, StatusCode::OK);
        let name = format!("Renamed elsewhere {round}");
        app.sql(&format!("update organizations set name = '{name}' where id = {org}")).await;
        let changed = Instant::now();
        loop {
            let (_, body) = app.get(&format!("/organizations/{org}"), &app.admin).await;
            if body["organization"]["name"] == name.as_str() {
                break;
            }
            let got = &body["organization"]["name"];
            assert!(on_postgres(), "round {round}: SQLite served {got} after the other connection's commit");
            assert!(changed.elapsed() < Duration::from_secs(1), "round {round}: still {got} after a second");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // And it stays seen: the writer settling its own commits must not take the other commit as its own.
        for again in 0..5 {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let (_, body) = app.get(&format!("/organizations/{org}"), &app.admin).await;
            assert_eq!(body["organization"]["name"], name.as_str(), "round {round}, read {again} after it was seen");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut writes = 0;
    for w in writers {
        writes += w.await.unwrap();
    }
    assert!(writes >= 30, "the server wrote throughout: {writes} writes");
}
