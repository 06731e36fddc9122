//! `GET /organizations` by name or id from the cached order (src/store/model/order.rs): every page is what the
//! SQL path answers (the same list filtered by this server's zone, which every organization here is in, goes
//! through SQL), and a membership added, removed or renamed shows at the next list.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_teams_plan, TestApp};

/// `(id, name)` of each organization on the page, in order.
async fn page(app: &TestApp, token: &str, query: &str) -> Vec<(i64, String)> {
    let (status, body) = app.get(&format!("/organizations?cols[]=id&cols[]=name&{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let orgs = body["organizations"].as_array().expect("organizations");
    orgs.iter().map(|o| (o["id"].as_i64().unwrap(), o["name"].as_str().unwrap().to_string())).collect()
}

/// Every page of both orders, both directions, at offsets 0, middle, last, at and past the end (and the whole
/// list), equal to the SQL path's page and to the order computed here; returns the whole list by name.
async fn assert_pages(app: &TestApp, token: &str) -> Vec<(i64, String)> {
    let mut by_name = page(app, token, "pg[limit]=10000").await;
    let n = by_name.len();
    for sort in ["name", "id"] {
        for dir in ["asc", "desc"] {
            let mut want = by_name.clone();
            if sort == "id" {
                want.sort_by_key(|(id, _)| *id);
            } else {
                want.sort_by(|a, b| (a.1.as_bytes(), a.0).cmp(&(b.1.as_bytes(), b.0)));
            }
            if dir == "desc" {
                want.reverse();
            }
            for (offset, limit) in [(0, 3), (n / 2, 3), (n.saturating_sub(2), 3), (n, 3), (n + 5, 3), (0, 10000)] {
                let q = format!("pg[sortBy]={sort}&pg[sortDir]={dir}&pg[offset]={offset}&pg[limit]={limit}");
                let got = page(app, token, &q).await;
                let sql = page(app, token, &format!("{q}&zone={}", app.addr)).await;
                let end = (offset + limit).min(n);
                let expected = want.get(offset.min(n)..end).unwrap_or_default();
                assert_eq!(got, expected, "{q}");
                assert_eq!(got, sql, "{q}: the SQL path answers otherwise");
            }
        }
    }
    by_name.sort_by(|a, b| (a.1.as_bytes(), a.0).cmp(&(b.1.as_bytes(), b.0)));
    by_name
}

fn names(list: &[(i64, String)]) -> Vec<&str> {
    list.iter().map(|(_, n)| n.as_str()).collect()
}

#[tokio::test]
async fn orgs_pages_from_the_cached_order_equal_the_sql_path() {
    let app = TestApp::spawn().await;
    // Equal names (ordered by id), upper case before lower (byte order), a multi-byte name.
    for name in ["delta", "Alpha", "bravo", "alpha", "Bravo", "delta", "Écho", "charlie", "Zulu", "alpha"] {
        app.create_org(&app.admin, name).await;
    }
    let all = assert_pages(&app, &app.admin).await;
    assert_eq!(names(&all), ["Alpha", "Bravo", "Zulu", "alpha", "alpha", "bravo", "charlie", "delta", "delta", "Écho"]);
    assert!(all[3].0 < all[4].0 && all[7].0 < all[8].0, "equal names by id");
    // Asked again: the order kept answers the same.
    assert_eq!(assert_pages(&app, &app.admin).await, all);
}

#[tokio::test]
async fn orgs_list_shows_a_created_renamed_deleted_joined_or_left_organization_at_once() {
    let app = spawn_teams_plan().await;
    let ann = app.user("ann@example.com").await;
    let b = app.create_org(&app.admin, "b").await;
    let d = app.create_org(&app.admin, "d").await;
    assert_eq!(names(&assert_pages(&app, &app.admin).await), ["b", "d"]);

    let c = app.create_org(&app.admin, "c").await;
    assert_eq!(names(&assert_pages(&app, &app.admin).await), ["b", "c", "d"], "created");
    let (status, body) = app.patch(&format!("/organizations/{b}"), &app.admin, json!({"name": "e"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&assert_pages(&app, &app.admin).await), ["c", "d", "e"], "renamed");
    let (status, body) = app.delete(&format!("/organizations/{d}?confirmed=true"), &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&assert_pages(&app, &app.admin).await), ["c", "e"], "deleted");

    let mine = app.create_org(&ann, "a").await;
    assert_eq!(names(&assert_pages(&app, &ann).await), ["a"]);
    let invite = json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 12});
    assert_eq!(app.post(&format!("/organizations/{c}/invite"), &app.admin, invite).await.0, StatusCode::OK);
    let hash = app.hash_for(&ann, c).await;
    assert_eq!(app.post("/organizations/accept-invitation", &ann, json!({"hash": hash})).await.0, StatusCode::OK);
    let mut joined = vec![(mine, "a".to_string()), (c, "c".to_string())];
    joined.sort();
    assert_eq!(page(&app, &ann, "pg[sortBy]=id").await, joined, "joined");
    assert_eq!(names(&assert_pages(&app, &ann).await), ["a", "c"]);
    let (status, body) = app.patch(&format!("/organizations/{c}"), &app.admin, json!({"name": "0"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&assert_pages(&app, &ann).await), ["0", "a"], "renamed by another member");
    let ann_id = app.user_id(&ann).await;
    let leave = format!("/users/{ann_id}/user-organization-roles/{c}?confirmed=true");
    assert_eq!(app.post(&leave, &app.admin, json!({})).await.0, StatusCode::OK);
    assert_eq!(names(&assert_pages(&app, &ann).await), ["a"], "removed");
    assert_eq!(names(&assert_pages(&app, &app.admin).await), ["0", "e"], "the others' lists are untouched");
}
