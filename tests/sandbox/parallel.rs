//! The two ways to run tests in parallel (docs/sandbox.md): a sandbox per worker (every other test here starts
//! its own on port 0), or one sandbox whose seed gives each worker its own user and organization.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::start_seeded;

const WORKERS: usize = 4;

fn token(worker: usize) -> String {
    format!("00000000-0000-4000-8000-{worker:012}")
}

#[tokio::test]
async fn one_sandbox_with_a_user_and_organization_per_worker_keeps_them_apart() {
    let users: Vec<_> = (0..WORKERS)
        .map(|w| json!({"email": format!("worker{w}@example.com"), "tokens": [{"token": token(w)}]}))
        .collect();
    let orgs: Vec<_> = (0..WORKERS)
        .map(|w| json!({"name": format!("Worker {w}"), "owner": format!("worker{w}@example.com")}))
        .collect();
    let sb = std::sync::Arc::new(start_seeded(&json!({"users": users, "organizations": orgs}), &[]));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let sb = sb.clone();
        tasks.push(tokio::spawn(async move {
            // Worker w's organization has id w + 1: ids follow the file's order.
            let org = w as i64 + 1;
            for i in 0..5 {
                let body = json!({"name": format!("v{i}"), "typeId": 1, "value": i});
                let path = format!("/api/v2/organizations/{org}/variables");
                let (s, _, v) = sb.call(Method::POST, &path, Some(&token(w)), Some(body)).await;
                assert_eq!(s, StatusCode::OK, "{v}");
            }
            assert_eq!(sb.org_ids(&token(w)).await, [org], "each worker sees its own organization only");
            let other = (w + 1) % WORKERS + 1;
            let (s, _) = sb.get(&format!("/api/v2/organizations/{other}"), &token(w)).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "and not another worker's");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}
