//! Two orgd processes over one PostgreSQL database, requests alternating between them. Runs when
//! `TEST_POSTGRES_URL` is set (`scripts/test` starts a throwaway cluster); says so loudly when it is not.

mod common;
/// The read model's freshness, kind by kind.
#[path = "multinode/fresh.rs"]
mod fresh;
/// The cached order of the organization list, exact on every node.
#[path = "multinode/order.rs"]
mod order;

use std::process::Command;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use common::BIN;
pub(crate) const TOKEN: &str = "4c3b2a19-8f7e-4d6c-9b5a-1f2e3d4c5b6a";

/// A node of the cluster on `url`, with the rate limits `on` or `off` (the read model's tests make more requests
/// than the limits allow).
pub(crate) fn node(url: &str, rate_limit: &str) -> common::Process {
    common::serve(&[
        ("ORGD_DATABASE_URL", url),
        ("ORGD_ZONE", "cluster.test"),
        ("ORGD_DEFAULT_PLAN", "teams"),
        ("ORGD_RATE_LIMIT", rate_limit),
        ("ORGD_BOOTSTRAP_TOKEN", TOKEN),
    ])
}

fn start(url: &str) -> common::Process {
    node(url, "on")
}

pub(crate) async fn call(
    c: &Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = c.request(method, url).header("Authorization", format!("Token {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(crate) fn orgd(url: &str, args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env("ORGD_DATABASE_URL", url).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn two_nodes_over_one_postgres_behave_as_one_server() {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!(
            "\n*** SKIPPED: the multi-node test needs PostgreSQL (set TEST_POSTGRES_URL or run scripts/test) ***\n"
        );
        return;
    };
    let url = common::fresh_postgres_database(&base).await;
    // Both nodes start together: migrations and bootstrap must not trip over each other.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start(&url));
        let b = s.spawn(|| start(&url));
        (a.join().unwrap(), b.join().unwrap())
    });
    let nodes = [&a, &b];
    let c = Client::new();
    use reqwest::Method as M;

    // Created on one node, read on the other.
    let (status, created) = call(
        &c,
        M::POST,
        format!("{}/organizations", a.base()),
        TOKEN,
        Some(json!({"name": "Cluster", "regionId": 1, "timezoneId": 113, "countryId": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let org = created["organization"]["id"].as_i64().unwrap();
    let (status, read) = call(&c, M::GET, format!("{}/organizations/{org}", b.base()), TOKEN, None).await;
    assert_eq!((status, read["organization"]["name"].as_str()), (StatusCode::OK, Some("Cluster")));
    assert_eq!(read["organization"]["zone"], "cluster.test");

    // Two accepts of one invitation through different nodes: exactly one wins.
    for round in 0..3 {
        let email = format!("ann{round}@example.com");
        let ann = orgd(&url, &["users", "add", "--email", &email, "--name", "Ann"]);
        let (status, _) = call(
            &c,
            M::POST,
            format!("{}/organizations/{org}/invite", a.base()),
            TOKEN,
            Some(json!({"email": email, "name": "Ann", "usersRoleId": 13})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, inv) = call(&c, M::GET, format!("{}/users/me/organization-invitations", b.base()), &ann, None).await;
        let hash = inv["userOrganizationInvitations"][0]["hash"].as_str().unwrap().to_string();
        let body = json!({"hash": hash});
        let (x, y) = tokio::join!(
            call(&c, M::POST, format!("{}/organizations/accept-invitation", a.base()), &ann, Some(body.clone())),
            call(&c, M::POST, format!("{}/organizations/accept-invitation", b.base()), &ann, Some(body.clone())),
        );
        let mut got = [x.0.as_u16(), y.0.as_u16()];
        got.sort();
        assert_eq!(got, [200, 404], "round {round}");
    }

    // Concurrent variable updates through both nodes: history complete, each edit chained to the one before.
    let vars = format!("/organizations/{org}/variables");
    let (status, _) = call(
        &c,
        M::POST,
        format!("{}{vars}", a.base()),
        TOKEN,
        Some(json!({"name": "counter", "typeId": 1, "value": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let updates = (1..=24).map(|i| {
        let (c, url) = (c.clone(), format!("{}{vars}/counter", nodes[i % 2].base()));
        async move { call(&c, M::PATCH, url, TOKEN, Some(json!({"value": i}))).await }
    });
    for (status, body) in futures_join_all(updates).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, hist) = call(&c, M::GET, format!("{}{vars}/counter/history", b.base()), TOKEN, None).await;
    let h = hist["organizationVariableHistory"].as_array().unwrap();
    assert_eq!(h.len(), 25, "one created and 24 edited entries");
    for w in h.windows(2) {
        assert!(w[0]["id"].as_i64() > w[1]["id"].as_i64(), "newest first");
        assert_eq!(w[0]["diffObject"]["oldValue"], w[1]["diffObject"]["value"], "each edit saw the one before");
    }
    // The audit log, read through either node, has one entry per edit made through both.
    for node in nodes {
        let path = format!("/audit-logs/v2/organization/{org}?event[]=organization_variable_updated&pg[limit]=100");
        let (status, log) = call(&c, M::GET, format!("{}{path}", node.base()), TOKEN, None).await;
        assert_eq!(status, StatusCode::OK, "{log}");
        assert_eq!(log["auditLogs"].as_array().unwrap().len(), 24, "one audit entry per acknowledged edit");
    }
    let (_, list) = call(&c, M::GET, format!("{}{vars}", a.base()), TOKEN, None).await;
    let counter =
        list["organizationVariables"].as_array().unwrap().iter().find(|v| v["name"] == "counter").unwrap().clone();
    assert_eq!(counter["value"], h[0]["diffObject"]["value"], "the final value is the last committed one");

    // Concurrent usage adds from separate processes: the sum is exact.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive().to_string();
    let org_s = org.to_string();
    let adders: Vec<_> = (0..12)
        .map(|_| {
            Command::new(BIN)
                .args([
                    "usage",
                    "add",
                    "--organization",
                    &org_s,
                    "--date",
                    &today,
                    "--time",
                    "00:00:01",
                    "--operations",
                    "7",
                ])
                .env("ORGD_DATABASE_URL", &url)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut p in adders {
        assert!(p.wait().unwrap().success());
    }
    let (_, usage) =
        call(&c, M::GET, format!("{}/organizations/{org}/usage?organizationTimezone=true", b.base()), TOKEN, None)
            .await;
    let total: i64 = usage["data"].as_array().unwrap().iter().map(|d| d["operations"].as_i64().unwrap()).sum();
    assert_eq!(total, 84);

    // The per-organization rate limit is counted across nodes. Start in a fresh minute so it cannot roll over.
    let secs = chrono::Utc::now().timestamp() % 60;
    if secs > 35 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - secs) as u64)).await;
    }
    let (_, small) = call(
        &c,
        M::POST,
        format!("{}/organizations", b.base()),
        TOKEN,
        Some(json!({"name": "Small", "regionId": 1, "timezoneId": 113, "countryId": 1})),
    )
    .await;
    let small = small["organization"]["id"].as_i64().unwrap();
    let (status, _) =
        call(&c, M::POST, format!("{}/organizations/{small}/subscription-free?confirmed=true", a.base()), TOKEN, None)
            .await;
    assert_eq!(status, StatusCode::OK);
    let mut accepted = 0;
    for i in 0..40 {
        let (status, body) =
            call(&c, M::GET, format!("{}/organizations/{small}", nodes[i % 2].base()), TOKEN, None).await;
        match status {
            StatusCode::OK => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => assert_eq!(body["code"], "SC429"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(accepted, 29, "30 per minute on the Free plan, one already spent on the plan change");
}

/// Awaits every future concurrently (keeps the test free of an extra dependency).
async fn futures_join_all<F>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// Polls `probe` every 20 ms until it returns true; how long that took (panics after 5 s).
pub(crate) async fn time_until<F, Fut>(mut probe: F) -> std::time::Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(5) {
        if probe().await {
            return start.elapsed();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the change did not take effect within 5 s");
}

/// Each node keeps tokens and memberships between requests (PostgreSQL); a change made through the other node
/// or by an `orgd` command must take effect everywhere within a second: a changed role, a revoked token, a
/// deleted organization.
#[tokio::test]
async fn changes_take_effect_on_every_node_within_a_second() {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("\n*** SKIPPED: the cache invalidation test needs PostgreSQL (TEST_POSTGRES_URL) ***\n");
        return;
    };
    use reqwest::Method as M;
    let url = common::fresh_postgres_database(&base).await;
    let (a, b) = (start(&url), start(&url));
    let c = Client::new();
    let org_body = json!({"name": "Cached", "regionId": 1, "timezoneId": 113, "countryId": 1});
    let (_, created) = call(&c, M::POST, format!("{}/organizations", a.base()), TOKEN, Some(org_body)).await;
    let org = created["organization"]["id"].as_i64().unwrap();
    let ann = orgd(&url, &["users", "add", "--email", "ann@example.com", "--name", "Ann"]);
    let invite = json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 12});
    call(&c, M::POST, format!("{}/organizations/{org}/invite", a.base()), TOKEN, Some(invite)).await;
    let (_, inv) = call(&c, M::GET, format!("{}/users/me/organization-invitations", a.base()), &ann, None).await;
    let hash = json!({"hash": inv["userOrganizationInvitations"][0]["hash"]});
    call(&c, M::POST, format!("{}/organizations/accept-invitation", a.base()), &ann, Some(hash)).await;
    let (_, me) = call(&c, M::GET, format!("{}/users/me", a.base()), &ann, None).await;
    let ann_id = me["authUser"]["id"].as_i64().unwrap();
    let rename = |node: &common::Process, n: usize| {
        let (c, url, ann) = (c.clone(), format!("{}/organizations/{org}", node.base()), ann.clone());
        async move { call(&c, M::PATCH, url, &ann, Some(json!({"name": format!("Cached {n}")}))).await.0 }
    };
    // Warm both nodes: Ann, an Admin, may rename the organization through either.
    for (n, node) in [&a, &b].into_iter().enumerate() {
        assert_eq!(rename(node, n).await, StatusCode::OK);
    }

    // A changed role, made through node A, seen by node B.
    let role = format!("{}/users/{ann_id}/user-organization-roles/{org}", a.base());
    let (status, _) = call(&c, M::POST, role, TOKEN, Some(json!({"usersRoleId": 13}))).await;
    assert_eq!(status, StatusCode::OK);
    let mut n = 10;
    let role_took = time_until(|| {
        n += 1;
        let fut = rename(&b, n);
        async move { fut.await == StatusCode::FORBIDDEN }
    })
    .await;

    // A token revoked by `orgd tokens revoke`, another process, refused by both nodes.
    orgd(&url, &["tokens", "revoke", &ann]);
    let mut revoke_took = Vec::new();
    for node in [&a, &b] {
        let me = format!("{}/users/me", node.base());
        revoke_took.push(
            time_until(|| {
                let (c, me, ann) = (c.clone(), me.clone(), ann.clone());
                async move { call(&c, M::GET, me, &ann, None).await.0 == StatusCode::UNAUTHORIZED }
            })
            .await,
        );
    }

    // An organization deleted through node B is gone on node A, where the owner's membership was kept.
    let read = format!("{}/organizations/{org}", a.base());
    assert_eq!(call(&c, M::GET, read.clone(), TOKEN, None).await.0, StatusCode::OK);
    let (status, _) =
        call(&c, M::DELETE, format!("{}/organizations/{org}?confirmed=true", b.base()), TOKEN, None).await;
    assert_eq!(status, StatusCode::OK);
    let delete_took = time_until(|| {
        let (c, read) = (c.clone(), read.clone());
        async move { call(&c, M::GET, read, TOKEN, None).await.0 == StatusCode::NOT_FOUND }
    })
    .await;

    println!(
        "changes seen by the other node after: role {role_took:?}; revoked token {:?} (node A), {:?} (node B); \
         deleted organization {delete_took:?}",
        revoke_took[0], revoke_took[1]
    );
    for took in [role_took, revoke_took[0], revoke_took[1], delete_took] {
        assert!(took < std::time::Duration::from_secs(1), "a change took {took:?} to reach the other node");
    }
}

/// A token deleted through `DELETE /users/me/api-tokens/{timestamp}` on node A is refused by node A's very next
/// request (the write forgets that node's cache) and by node B within a second (the `tokens` trigger's NOTIFY),
/// although both had it cached.
#[tokio::test]
async fn a_token_deleted_through_the_api_is_refused_here_at_once_and_there_within_a_second() {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("\n*** SKIPPED: the token deletion test across nodes needs PostgreSQL (TEST_POSTGRES_URL) ***\n");
        return;
    };
    use reqwest::Method as M;
    let url = common::fresh_postgres_database(&base).await;
    let (a, b) = (start(&url), start(&url));
    let c = Client::new();
    let body = json!({"label": "short-lived", "scope": ["user:read", "user:write"]});
    let (status, made) = call(&c, M::POST, format!("{}/users/me/api-tokens", a.base()), TOKEN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let token = made["apiToken"]["token"].as_str().unwrap().to_string();
    let created = made["apiToken"]["created"].as_str().unwrap().to_string();
    for node in [&a, &b] {
        let (status, _) = call(&c, M::GET, format!("{}/users/me", node.base()), &token, None).await;
        assert_eq!(status, StatusCode::OK, "cached on {}", node.base());
    }

    let delete = format!("{}/users/me/api-tokens/{created}", a.base());
    assert_eq!(call(&c, M::DELETE, delete, &token, None).await.0, StatusCode::OK);
    let (status, _) = call(&c, M::GET, format!("{}/users/me", a.base()), &token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "node A refuses it at its next request");
    let me = format!("{}/users/me", b.base());
    let took = time_until(|| {
        let (c, me, token) = (c.clone(), me.clone(), token.clone());
        async move { call(&c, M::GET, me, &token, None).await.0 == StatusCode::UNAUTHORIZED }
    })
    .await;
    println!("a token deleted through node A was refused by node B after {took:?}");
    assert!(took < std::time::Duration::from_secs(1), "node B took {took:?}");
}
