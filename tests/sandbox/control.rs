//! Start-up, reset, state export and import, who may use the control endpoints, and their documentation.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{common, example_seed, start_in, start_seeded, ADMIN, ANN, BOB};

/// Every entry of a folder, recursively (to prove the sandbox wrote nothing there).
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        out.push(path.display().to_string());
        if path.is_dir() {
            out.extend(listing(&path));
        }
    }
    out
}

#[tokio::test]
async fn starts_fast_on_port_zero_and_leaves_nothing_on_disk() {
    let (cwd, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let seed_dir = tempfile::tempdir().unwrap();
    let seed = seed_dir.path().join("seed.json");
    std::fs::write(&seed, example_seed().to_string()).unwrap();
    let started = Instant::now();
    let sb = start_in(
        &["--seed", seed.to_str().unwrap(), "--bind", "127.0.0.1:0"],
        Some(cwd.path()),
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    let (status, _) = sb.get("/livez", ADMIN).await;
    let ready = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    println!("start to ready (GET /livez answered): {ready:?}");
    // The contract's bound is 100 ms; a debug build on a shared CI machine gets room.
    assert!(ready < Duration::from_secs(3), "ready after {ready:?}");
    let (s, v) = sb.create_org(ANN, "Gamma").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    drop(sb);
    assert!(listing(cwd.path()).is_empty(), "working directory: {:?}", listing(cwd.path()));
    assert!(listing(tmp.path()).is_empty(), "temp dir: {:?}", listing(tmp.path()));
}

#[tokio::test]
async fn seeded_ids_come_back_on_every_reset() {
    let sb = start_seeded(&example_seed(), &[]);
    assert_eq!(sb.org_ids(ANN).await, [1, 2]);
    let (_, me) = sb.get("/api/v2/users/me", ANN).await;
    assert_eq!(me["authUser"]["id"], 2, "users after the bootstrap administrator: {me}");
    let (_, v) = sb.create_org(ANN, "Gamma").await;
    assert_eq!(v["organization"]["id"], 3);
    let done = sb.control(Method::POST, "/_orgd/reset", None).await;
    println!("reset took {} ms", done["durationMs"]);
    assert_eq!(sb.org_ids(ANN).await, [1, 2]);
    let (_, v) = sb.create_org(ANN, "Gamma again").await;
    assert_eq!(v["organization"]["id"], 3, "ids from the start again");
}

#[tokio::test]
async fn only_the_bootstrap_administrator_controls_the_sandbox_and_serve_has_no_controls() {
    let sb = start_seeded(&example_seed(), &[]);
    for (method, path) in
        [(Method::POST, "/_orgd/reset"), (Method::GET, "/_orgd/state"), (Method::GET, "/_orgd/requests")]
    {
        let (s, _, v) = sb.call(method.clone(), path, Some(BOB), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {v}");
        assert_eq!(v["code"], "SC403");
        let (s, _, _) = sb.call(method, path, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orgd.db").display());
    let serve = common::serve(&[("ORGD_DATABASE_URL", &url), ("ORGD_BOOTSTRAP_TOKEN", ADMIN)]);
    let res = reqwest::Client::new()
        .post(format!("http://{}/_orgd/reset", serve.addr))
        .header("Authorization", format!("Token {ADMIN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn state_exported_from_one_sandbox_loads_into_another() {
    let a = start_seeded(&example_seed(), &[]);
    a.create_org(ANN, "Gamma").await;
    let state = a.control(Method::GET, "/_orgd/state", None).await;
    assert_eq!(state["organizations"].as_array().unwrap().len(), 3);
    assert!(state["users"][0]["tokens"][0]["digest"].is_string(), "tokens leave as digests: {state}");
    let b = start_in(&[], None, &[]);
    let loaded = b.control(Method::PUT, "/_orgd/state", Some(state.clone())).await;
    assert_eq!(loaded, state, "the same document back");
    assert_eq!(b.org_ids(ANN).await, [1, 2, 3], "Ann's own token works on the other sandbox");
    let (_, org) = b.get("/api/v2/organizations/1", ANN).await;
    assert_eq!(org["organization"]["name"], "Acme");
}

#[tokio::test]
async fn a_bad_state_is_refused_whole_with_its_path() {
    let sb = start_seeded(&example_seed(), &[]);
    let mut bad = example_seed();
    bad["organizations"][1]["members"] = json!([{"email": "dan@example.com", "usersRoleId": 11}]);
    let (s, _, v) = sb.call(Method::PUT, "/_orgd/state", Some(ADMIN), Some(bad)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["suberrors"][0]["path"], "organizations[1].members[0].usersRoleId", "{v}");
    assert_eq!(sb.org_ids(ANN).await, [1, 2], "nothing changed");
}

#[tokio::test]
async fn the_sandbox_endpoints_are_documented_and_the_schema_is_committed() {
    let sb = start_in(&[], None, &[]);
    let (_, doc) = sb.get("/api/v2/openapi.json", ADMIN).await;
    for path in ["/_orgd/reset", "/_orgd/state", "/_orgd/clock", "/_orgd/faults", "/_orgd/requests"] {
        let item = &doc["paths"][path];
        let op = item.as_object().and_then(|o| o.values().next()).unwrap_or_else(|| panic!("{path} documented"));
        assert_eq!(op["tags"][0], "sandbox", "{path}");
    }
    let served =
        reqwest::get(sb.url("/_orgd/seed.schema.json")).await.unwrap().json::<serde_json::Value>().await.unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/seed.schema.json")).unwrap();
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(served, committed, "docs/seed.schema.json is what the binary serves (regenerate it with curl)");
}
