//! `GET /organizations` from each node's cached order (src/store/model/order.rs): a change through node A is in
//! node B's very next list, with no waiting for a notification, since each list reads the user's order version.

use reqwest::{Client, Method as M, StatusCode};
use serde_json::{json, Value};

use super::{call, common, node, orgd, TOKEN};

/// The names on `token`'s list through `node`, by name (or by id), checked against the SQL path's (the list
/// filtered by the cluster's zone, which every organization is in).
async fn names(c: &Client, node: &common::Process, token: &str, by: &str) -> Vec<String> {
    let mut got = Vec::new();
    for zone in ["", "&zone=cluster.test"] {
        let url = format!("{}/organizations?pg[sortBy]={by}&pg[limit]=100{zone}", node.base());
        let (status, body) = call(c, M::GET, url, token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["organizations"].as_array().unwrap().iter();
        got.push(list.map(|o| o["name"].as_str().unwrap().to_string()).collect::<Vec<_>>());
    }
    assert_eq!(got[0], got[1], "the cached order and the SQL path differ on {}", node.base());
    got.swap_remove(0)
}

async fn ok(c: &Client, method: M, url: String, token: &str, body: Option<Value>) -> Value {
    let (status, out) = call(c, method, url.clone(), token, body).await;
    assert_eq!(status, StatusCode::OK, "{url}: {out}");
    out
}

#[tokio::test]
async fn a_change_through_one_node_is_in_the_other_nodes_next_list() {
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
    for by in ["name", "id"] {
        assert_eq!(names(&c, &b, TOKEN, by).await, ["m1", "m2"], "kept on node B by {by}");
    }

    let m0 = create("m0").await["organization"]["id"].as_i64().unwrap();
    assert_eq!(names(&c, &b, TOKEN, "name").await, ["m0", "m1", "m2"], "a new organization");
    assert_eq!(names(&c, &b, TOKEN, "id").await, ["m1", "m2", "m0"]);
    let rename = Some(json!({"name": "z"}));
    ok(&c, M::PATCH, format!("{}/organizations/{m0}", a.base()), TOKEN, rename).await;
    assert_eq!(names(&c, &b, TOKEN, "name").await, ["m1", "m2", "z"], "a rename");
    assert_eq!(names(&c, &b, TOKEN, "id").await, ["m1", "m2", "z"]);

    let ann = orgd(&url, &["users", "add", "--email", "ann@example.com", "--name", "Ann"]);
    let invite = Some(json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 13}));
    ok(&c, M::POST, format!("{}/organizations/{m1}/invite", a.base()), TOKEN, invite).await;
    let inv = ok(&c, M::GET, format!("{}/users/me/organization-invitations", a.base()), &ann, None).await;
    let hash = Some(json!({"hash": inv["userOrganizationInvitations"][0]["hash"]}));
    ok(&c, M::POST, format!("{}/organizations/accept-invitation", a.base()), &ann, hash).await;
    assert_eq!(names(&c, &b, &ann, "name").await, ["m1"], "joined");
    let me = ok(&c, M::GET, format!("{}/users/me", a.base()), &ann, None).await["authUser"]["id"].clone();
    let remove = format!("{}/users/{me}/user-organization-roles/{m1}?confirmed=true", a.base());
    ok(&c, M::POST, remove, TOKEN, Some(json!({}))).await;
    assert!(names(&c, &b, &ann, "name").await.is_empty(), "a member removed");
}
