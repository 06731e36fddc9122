//! Durability under crashes: concurrent writers against `orgd serve`, SIGKILL mid-stream several times, restart,
//! then every write the server acknowledged must be there and nothing half-written may be visible. Runs on
//! SQLite, and on PostgreSQL as well when `TEST_POSTGRES_URL` is set.

use std::collections::{HashMap, HashSet};
mod common;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use common::BIN;
const TOKEN: &str = "6e5d4c3b-2a19-4f8e-8d7c-6b5a4f3e2d1c";
const ROUNDS: usize = 4;
const CLIENTS: usize = 4;

fn start(url: &str) -> common::Process {
    common::serve(&[
        ("ORGD_DATABASE_URL", url),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
        ("ORGD_DEFAULT_PLAN", "teams"),
        ("ORGD_RATE_LIMIT", "off"),
    ])
}

/// What the server acknowledged with a 200.
#[derive(Default)]
struct Acked {
    orgs: Vec<(i64, String)>,
    /// Variable name → values acknowledged, in acknowledgement order.
    values: HashMap<String, Vec<i64>>,
}

async fn database_url() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => (common::fresh_postgres_database(&base).await, None),
        _ => {
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}", dir.path().join("orgd.db").display()), Some(dir))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_and_nothing_is_half_written() {
    let (url, _dir) = database_url().await;
    let client = Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let acked = Arc::new(Mutex::new(Acked::default()));

    // A home organization for the variables.
    let server = start(&url);
    let home: Value = client
        .post(format!("{}/organizations", server.base()))
        .header("Authorization", format!("Token {TOKEN}"))
        .json(&json!({"name": "Home", "regionId": 1, "timezoneId": 113, "countryId": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let home = home["organization"]["id"].as_i64().unwrap();
    for c in 0..CLIENTS {
        let res = client
            .post(format!("{}/organizations/{home}/variables", server.base()))
            .header("Authorization", format!("Token {TOKEN}"))
            .json(&json!({"name": format!("v{c}"), "typeId": 1, "value": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        acked.lock().unwrap().values.entry(format!("v{c}")).or_default().push(0);
    }
    drop(server);

    let mut usage_acked = 0i64;
    let mut counter = 1i64;
    for round in 0..ROUNDS {
        let mut server = start(&url);
        let base = server.base();
        let deadline = Instant::now() + Duration::from_millis(400 + 150 * round as u64);
        let mut tasks = Vec::new();
        for c in 0..CLIENTS {
            let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
            let start_value = counter + (c as i64) * 100_000;
            tasks.push(tokio::spawn(async move {
                let mut value = start_value;
                let mut i = 0;
                loop {
                    i += 1;
                    let name = format!("D {round}-{c}-{i}");
                    let org = client
                        .post(format!("{base}/organizations"))
                        .header("Authorization", format!("Token {TOKEN}"))
                        .json(&json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1}))
                        .send()
                        .await;
                    let Ok(res) = org else { break };
                    if res.status() != StatusCode::OK {
                        break;
                    }
                    let Ok(body) = res.json::<Value>().await else { break };
                    acked.lock().unwrap().orgs.push((body["organization"]["id"].as_i64().unwrap(), name));
                    value += 1;
                    let patch = client
                        .patch(format!("{base}/organizations/{home}/variables/v{c}"))
                        .header("Authorization", format!("Token {TOKEN}"))
                        .json(&json!({"value": value}))
                        .send()
                        .await;
                    match patch {
                        Ok(r) if r.status() == StatusCode::OK => {
                            acked.lock().unwrap().values.entry(format!("v{c}")).or_default().push(value)
                        }
                        _ => break,
                    }
                }
            }));
        }
        // Usage adds from separate processes run while the server is killed.
        let adders: Vec<Child> = (0..3)
            .map(|_| {
                Command::new(BIN)
                    .args([
                        "usage",
                        "add",
                        "--organization",
                        &home.to_string(),
                        "--date",
                        // The organization's day (Europe/Prague, id 113), which the usage is booked in.
                        &chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive().to_string(),
                        "--time",
                        "00:00:00",
                        "--operations",
                        "5",
                    ])
                    .env("ORGD_DATABASE_URL", &url)
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        tokio::time::sleep_until(deadline.into()).await;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        for mut a in adders {
            if a.wait().unwrap().success() {
                usage_acked += 5;
            }
        }
        counter += 10_000;
    }

    // Restart and check.
    let server = start(&url);
    let get = |path: String| {
        let client = client.clone();
        async move {
            let res = client.get(path).header("Authorization", format!("Token {TOKEN}")).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.orgs.len() >= ROUNDS * CLIENTS, "too few writes to mean anything: {}", acked.orgs.len());
    for (id, name) in &acked.orgs {
        let (status, body) = get(format!("{}/organizations/{id}", server.base())).await;
        assert_eq!(status, StatusCode::OK, "acknowledged organization {id} is gone");
        assert_eq!(body["organization"]["name"], name.as_str());
    }
    // No organization without its team and its Owner, whether its creation was acknowledged or not.
    let (_, list) = get(format!("{}/organizations?cols[]=id&cols[]=teams", server.base())).await;
    let all = list["organizations"].as_array().unwrap();
    for o in all {
        assert_eq!(o["teams"].as_array().unwrap().len(), 1, "half-written organization {o}");
        let (_, roles) = get(format!("{}/organizations/{}/user-organization-roles", server.base(), o["id"])).await;
        assert_eq!(roles["userOrganizationRoles"][0]["usersRoleId"], 11);
        // Its audit entry was written in the same transaction: exactly one, whether acknowledged or not.
        let path = format!("/audit-logs/v2/organization/{}?event[]=organization_created", o["id"]);
        let (_, log) = get(format!("{}{path}", server.base())).await;
        let created = log["auditLogs"].as_array().unwrap().len();
        assert_eq!(created, 1, "organization {} has {created} creation entries", o["id"]);
    }
    let ids: HashSet<i64> = all.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert!(acked.orgs.iter().all(|(id, _)| ids.contains(id)));
    let (_, vars) = get(format!("{}/organizations/{home}/variables", server.base())).await;
    let mut history_entries = 0;
    for (name, values) in &acked.values {
        let (_, hist) = get(format!("{}/organizations/{home}/variables/{name}/history", server.base())).await;
        let h = hist["organizationVariableHistory"].as_array().unwrap();
        history_entries += h.len();
        let recorded: Vec<i64> = h.iter().map(|e| e["diffObject"]["value"].as_i64().unwrap()).collect();
        for v in values {
            assert!(recorded.contains(v), "acknowledged value {v} of {name} missing from its history");
        }
        for w in h.windows(2) {
            assert_eq!(w[0]["diffObject"]["oldValue"], w[1]["diffObject"]["value"], "history of {name} is broken");
        }
        let current =
            vars["organizationVariables"].as_array().unwrap().iter().find(|v| v["name"] == name.as_str()).unwrap();
        assert_eq!(current["value"], h[0]["diffObject"]["value"], "value and history of {name} disagree");
    }
    let (_, usage) = get(format!("{}/organizations/{home}/usage?organizationTimezone=true", server.base())).await;
    let total: i64 = usage["data"].as_array().unwrap().iter().map(|d| d["operations"].as_i64().unwrap()).sum();
    assert!(total >= usage_acked && total % 5 == 0, "usage {total} vs acknowledged {usage_acked}");
    // Every variable change and usage booking has its audit entry, and no entry lacks its change.
    let log_of = |event: &str| {
        get(format!("{}/audit-logs/v2/organization/{home}?event[]={event}&pg[limit]=10000", server.base()))
    };
    let (_, edits) = log_of("organization_variable_updated").await;
    let edits = edits["auditLogs"].as_array().unwrap().len();
    assert_eq!(edits + CLIENTS, history_entries, "variable history and audit log disagree");
    let (_, booked) = log_of("usage_booked").await;
    assert_eq!(booked["auditLogs"].as_array().unwrap().len() as i64 * 5, total, "usage and audit log disagree");
    eprintln!(
        "durability: {ROUNDS} kills, {} organizations and {} variable values acknowledged and found, {history_entries} history entries checked, usage {total}",
        acked.orgs.len(),
        acked.values.values().map(Vec::len).sum::<usize>()
    );
}
