//! `GET /organizations` from each node's cached order (src/store/model/order.rs): a change through node A is in
//! node A's next list and in node B's within a second (the user's order version, kept by each node, is dropped by
//! the change's notification).

use std::time::{Duration, Instant};

use reqwest::{Client, Method as M, StatusCode};
use serde_json::{json, Value};

use super::{call, common, node, orgd, TOKEN};

/// The names on `token`'s list through `node`, by name (or by id): from the cached order, and from the SQL path
/// (the list filtered by the cluster's zone, which every organization is in).
async fn names(c: &Client, node: &common::Process, token: &str, by: &str) -> [Vec<String>; 2] {
    let mut got: [Vec<String>; 2] = Default::default();
    for (zone, got) in ["", "&zone=cluster.test"].into_iter().zip(&mut got) {
        let url = format!("{}/organizations?pg[sortBy]={by}&pg[limit]=100{zone}", node.base());
        let (status, body) = call(c, M::GET, url, token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["organizations"].as_array().unwrap().iter();
        *got = list.map(|o| o["name"].as_str().unwrap().to_string()).collect();
    }
    got
}

/// `token`'s names by `by`: `want` in node A's next list and in node B's within a second, on both paths.
async fn both_list(c: &Client, two: (&common::Process, &common::Process), token: &str, by: &str, want: &[&str]) {
    let [cached, sql] = names(c, two.0, token, by).await;
    assert_eq!(cached, want, "node A's next list by {by}");
    assert_eq!(sql, want, "node A's next list by {by} through the SQL path");
    let start = Instant::now();
    loop {
        let [cached, sql] = names(c, two.1, token, by).await;
        if cached == want && sql == want {
            break;
        }
        let late = start.elapsed() >= Duration::from_secs(1);
        assert!(!late, "node B still lists {cached:?} (cached) and {sql:?} (SQL) by {by}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn ok(c: &Client, method: M, url: String, token: &str, body: Option<Value>) -> Value {
    let (status, out) = call(c, method, url.clone(), token, body).await;
    assert_eq!(status, StatusCode::OK, "{url}: {out}");
    out
}

#[tokio::test]
async fn a_change_through_one_node_is_in_its_next_list_and_the_other_nodes_within_a_second() {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("\n*** SKIPPED: the cached order test across nodes needs PostgreSQL (TEST_POSTGRES_URL) ***\n");
        return;
    };
    let url = common::fresh_postgres_database(&base).await;
    let (a, b, c) = (node(&url, "off"), node(&url, "off"), Client::new());
    let create = |name: &str| {
        let body = json!({"name": name, "regionId": 1, "timezoneId": 113, "countryId": 1});
        ok(&c, M::POST, format!("{}/organizations", a.base()), TOKEN, Some(body))
    };
    let m1 = create("m1").await["organization"]["id"].as_i64().unwrap();
    create("m2").await;
    let two = (&a, &b);
    for by in ["name", "id"] {
        both_list(&c, two, TOKEN, by, &["m1", "m2"]).await;
    }

    let m0 = create("m0").await["organization"]["id"].as_i64().unwrap();
    both_list(&c, two, TOKEN, "name", &["m0", "m1", "m2"]).await;
    both_list(&c, two, TOKEN, "id", &["m1", "m2", "m0"]).await;
    let rename = Some(json!({"name": "z"}));
    ok(&c, M::PATCH, format!("{}/organizations/{m0}", a.base()), TOKEN, rename).await;
    both_list(&c, two, TOKEN, "name", &["m1", "m2", "z"]).await;
    both_list(&c, two, TOKEN, "id", &["m1", "m2", "z"]).await;

    let ann = orgd(&url, &["users", "add", "--email", "ann@example.com", "--name", "Ann"]);
    let invite = Some(json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 13}));
    ok(&c, M::POST, format!("{}/organizations/{m1}/invite", a.base()), TOKEN, invite).await;
    let inv = ok(&c, M::GET, format!("{}/users/me/organization-invitations", a.base()), &ann, None).await;
    let hash = Some(json!({"hash": inv["userOrganizationInvitations"][0]["hash"]}));
    ok(&c, M::POST, format!("{}/organizations/accept-invitation", a.base()), &ann, hash).await;
    both_list(&c, two, &ann, "name", &["m1"]).await;
    let me = ok(&c, M::GET, format!("{}/users/me", a.base()), &ann, None).await["authUser"]["id"].clone();
    let remove = format!("{}/users/{me}/user-organization-roles/{m1}?confirmed=true", a.base());
    ok(&c, M::POST, remove, TOKEN, Some(json!({}))).await;
    both_list(&c, two, &ann, "name", &[]).await;
}
