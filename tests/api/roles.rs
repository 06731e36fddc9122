//! Role definitions: `GET /users/roles`, `/users/roles/{roleId}` and `/users/roles/permissions`.

use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

fn ids(body: &Value) -> Vec<i64> {
    body["usersRoles"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn roles_list_the_matrix_with_filters_and_columns() {
    let app = TestApp::spawn().await;
    let (_, all) = app.get("/users/roles", &app.admin).await;
    assert_eq!(ids(&all), [1, 3, 4, 5, 6, 11, 12, 13, 14, 15]);
    let owner = &all["usersRoles"][5];
    assert_eq!((owner["id"].as_i64(), owner["name"].as_str()), (Some(11), Some("Owner")));
    assert_eq!(owner["category"], "organization", "whole roles without cols[]");
    let (_, names) = app.get("/users/roles?cols[]=id&cols[]=name", &app.admin).await;
    assert_eq!(names["usersRoles"][5], json!({"id": 11, "name": "Owner"}));
    let (_, team) = app.get("/users/roles?category=team&excludeRole[]=5&excludeRole%5B%5D=4", &app.admin).await;
    assert_eq!(ids(&team), [1, 3, 6]);
    let (_, one) = app.get("/users/roles?roleId=14&cols[]=*", &app.admin).await;
    let acc = &one["usersRoles"][0];
    assert_eq!(acc["permissions"], json!(["organization view", "payments get", "personal team own view"]));
    assert_eq!(
        (acc["category"].as_str(), acc["managementType"].as_str()),
        (Some("organization"), Some("system_locked"))
    );
    let (_, dev) = app.get("/users/roles/15", &app.admin).await;
    assert_eq!(dev["usersRole"]["name"], "App Developer");
    assert_error(&app.get("/users/roles/2", &app.admin).await, 404, "SC404");
    assert_error(&app.get("/users/roles?category=planet", &app.admin).await, 400, "SC400");
    assert_error(&app.get("/users/roles?excludeRole[]=x", &app.admin).await, 400, "SC400");
    let (_, perms) = app.get("/users/roles/permissions?roleCategory=organization", &app.admin).await;
    let list = perms["usersRolesPermissions"].as_array().unwrap();
    assert_eq!(list.len(), 12, "nine of Make's, organization custom roles edit and the two personal team ones");
    let edit = list.iter().find(|p| p["name"] == "payment edit").unwrap();
    assert_eq!((edit["id"].as_i64(), &edit["requires"]), (Some(7), &json!(["organization view", "payments get"])));
    let (_, team) = app.get("/users/roles/permissions?roleCategory=team", &app.admin).await;
    assert_eq!(team["usersRolesPermissions"][0]["id"], 101, "team permissions number from 101");
    let no_user_read = app.user_with_scopes("n@example.com", Some("organizations:read")).await;
    assert_error(&app.get("/users/roles", &no_user_read).await, 403, "SC403");
}
