//! Custom roles: `POST /users/custom-roles`, `PATCH`/`DELETE /users/custom-roles/{roleId}`, their place in
//! `GET /users/roles`, and what a member holding one may do.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_teams_plan, suberror_paths, Db, TestApp};

/// A server whose new organizations get the self-hosted `unlimited` plan, which licenses custom roles.
async fn spawn() -> TestApp {
    TestApp::spawn_with(Db::fresh().await, |c| c.default_plan = "unlimited".into()).await
}

/// Permission ids of `GET /users/roles/permissions` by name.
async fn perm(app: &TestApp, name: &str) -> i64 {
    let (_, body) = app.get("/users/roles/permissions", &app.admin).await;
    let list = body["usersRolesPermissions"].as_array().unwrap();
    list.iter().find(|p| p["name"] == name).and_then(|p| p["id"].as_i64()).unwrap()
}

async fn create(app: &TestApp, token: &str, org: i64, name: &str, category: &str, perms: &[i64]) -> Value {
    let body = json!({"name": name, "category": category, "organizationId": org, "permissions": perms});
    let (status, body) = app.post("/users/custom-roles", token, body).await;
    assert_eq!(status, 200, "{body}");
    body["role"].clone()
}

async fn delete(app: &TestApp, token: &str, org: i64, role: i64) -> (reqwest::StatusCode, Value) {
    let path = format!("/users/custom-roles/{role}");
    app.call(Method::DELETE, &path, Some(token), Some(json!({"organizationId": org}))).await
}

async fn events(app: &TestApp, org: i64) -> Vec<String> {
    let (_, body) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=10000"), &app.admin).await;
    body["auditLogs"].as_array().unwrap().iter().map(|e| e["eventName"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_custom_role_is_created_with_its_prerequisites_listed_changed_and_deleted() {
    let app = spawn().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let edit = perm(&app, "payment edit").await;
    let role = create(&app, &app.admin, org, "Billing", "organization", &[edit]).await;
    let id = role["id"].as_i64().unwrap();
    assert!(id > 1000, "custom ids start above the built-in ones: {id}");
    assert_eq!((&role["managementType"], &role["category"]), (&json!("custom_managed"), &json!("organization")));
    let names: Vec<&str> =
        role["permissions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["organization view", "payment edit", "payments get"], "prerequisites added");

    let (_, plain) = app.get("/users/roles", &app.admin).await;
    assert!(plain["usersRoles"].as_array().unwrap().iter().all(|r| r["id"] != id), "only with organizationId");
    let (_, with) = app.get(&format!("/users/roles?organizationId={org}&roleId={id}"), &app.admin).await;
    assert_eq!(with["usersRoles"][0]["managementType"], "custom_managed");
    assert!(with["usersRoles"][0]["identifier"].is_null(), "custom roles have no identifier");
    let team = app.first_team(&app.admin, org).await;
    let (_, by_team) = app.get(&format!("/users/roles?teamId={team}&category=organization"), &app.admin).await;
    assert!(by_team["usersRoles"].as_array().unwrap().iter().any(|r| r["id"] == id));
    let (_, one) = app.get(&format!("/users/roles/{id}"), &app.admin).await;
    assert_eq!((&one["usersRole"]["organizationId"], &one["usersRole"]["name"]), (&json!(org), &json!("Billing")));

    let patch = json!({"organizationId": org, "name": "Payments", "description": "Reads payments", "permissions": []});
    let (status, changed) = app.patch(&format!("/users/custom-roles/{id}"), &app.admin, patch).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((&changed["role"]["name"], &changed["role"]["permissions"]), (&json!("Payments"), &json!([])));
    let clear = json!({"organizationId": org, "description": null});
    let (_, cleared) = app.patch(&format!("/users/custom-roles/{id}"), &app.admin, clear).await;
    assert_eq!((&cleared["role"]["description"], &cleared["role"]["name"]), (&Value::Null, &json!("Payments")));

    assert_eq!(delete(&app, &app.admin, org, id).await.1, json!({"roleId": id}));
    assert_error(&app.get(&format!("/users/roles/{id}"), &app.admin).await, 404, "SC404");
    let log = events(&app, org).await;
    for e in ["custom_role_created", "custom_role_updated", "custom_role_deleted"] {
        assert!(log.iter().any(|n| n == e), "{e} in {log:?}");
    }
}

#[tokio::test]
async fn bad_roles_are_refused_field_by_field_and_names_are_unique() {
    let app = spawn().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let team_perm = perm(&app, "team delete").await;
    let bad = json!({"name": "x".repeat(51), "category": "planet", "organizationId": org, "permissions": [1]});
    let got = assert_error(&app.post("/users/custom-roles", &app.admin, bad).await, 400, "SC400");
    assert_eq!(suberror_paths(&got), ["name", "category"]);
    let wrong = json!({"name": "Ops", "category": "organization", "organizationId": org, "permissions": [team_perm]});
    let got = assert_error(&app.post("/users/custom-roles", &app.admin, wrong).await, 400, "SC400");
    assert_eq!(suberror_paths(&got), ["permissions"]);
    let unknown = json!({"name": "Ops", "category": "team", "organizationId": org, "permissions": [99999]});
    assert_error(&app.post("/users/custom-roles", &app.admin, unknown).await, 400, "SC400");
    create(&app, &app.admin, org, "Ops", "team", &[team_perm]).await;
    let twice = json!({"name": "Ops", "category": "team", "organizationId": org});
    assert_error(&app.post("/users/custom-roles", &app.admin, twice).await, 400, "IM005");
    let other = app.create_org(&app.admin, "Other").await;
    create(&app, &app.admin, other, "Ops", "team", &[]).await;
}

#[tokio::test]
async fn only_editors_on_a_licensing_plan_change_roles() {
    let app = spawn().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let member = app.join(org, &app.admin, "m@example.com", 13).await;
    let body = json!({"name": "Mine", "category": "organization", "organizationId": org});
    let got = assert_error(&app.post("/users/custom-roles", &member, body).await, 403, "SC403");
    assert!(got["detail"].as_str().unwrap().contains("organization custom roles edit"), "{got}");
    let admin = app.join(org, &app.admin, "a@example.com", 12).await;
    let role = create(&app, &admin, org, "Theirs", "organization", &[]).await;
    let stranger = app.user("s@example.com").await;
    assert_error(&app.get(&format!("/users/roles/{}", role["id"]), &stranger).await, 404, "SC404");

    let teams = spawn_teams_plan().await;
    let org = teams.create_org(&teams.admin, "Small").await;
    let body = json!({"name": "Mine", "category": "organization", "organizationId": org});
    assert_error(&teams.post("/users/custom-roles", &teams.admin, body).await, 403, "SC403");
    let (_, roles) = teams.get(&format!("/users/roles?organizationId={org}"), &teams.admin).await;
    assert_eq!(roles["usersRoles"].as_array().unwrap().len(), 10, "built-in roles only");
}

#[tokio::test]
async fn a_member_can_do_exactly_what_the_custom_role_grants_until_it_changes() {
    let app = spawn().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let role = create(&app, &app.admin, org, "Books", "organization", &[perm(&app, "payments get").await]).await;
    let id = role["id"].as_i64().unwrap();
    let clerk = app.join(org, &app.admin, "clerk@example.com", id).await;
    let payments = format!("/organizations/{org}/payments");
    assert_eq!(app.get(&payments, &clerk).await.0, 200);
    let rename = json!({"name": "Renamed"});
    assert_error(&app.patch(&format!("/organizations/{org}"), &clerk, rename).await, 403, "SC403");
    let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
    assert!(roles["userOrganizationRoles"].as_array().unwrap().iter().any(|r| r["usersRoleId"] == id));

    let patch = json!({"organizationId": org, "permissions": [perm(&app, "organization view").await]});
    assert_eq!(app.patch(&format!("/users/custom-roles/{id}"), &app.admin, patch).await.0, 200);
    let got = assert_error(&app.get(&payments, &clerk).await, 403, "SC403");
    assert!(got["detail"].as_str().unwrap().contains("'Books' lacks the permission 'payments get'"), "{got}");

    let refused = assert_error(&delete(&app, &app.admin, org, id).await, 400, "IM005");
    assert!(refused["detail"].as_str().unwrap().contains("assigned"), "{refused}");
    let clerk_id = app.user_id(&clerk).await;
    let back = json!({"usersRoleId": 13});
    let path = format!("/users/{clerk_id}/user-organization-roles/{org}");
    assert_eq!(app.post(&path, &app.admin, back).await.0, 200);
    assert_eq!(delete(&app, &app.admin, org, id).await.0, 200);
}

#[tokio::test]
async fn a_team_custom_role_grants_its_team_permissions() {
    let app = spawn().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let team = app.first_team(&app.admin, org).await;
    let role = create(&app, &app.admin, org, "Keeper", "team", &[perm(&app, "team user add and edit").await]).await;
    let id = role["id"].as_i64().unwrap();
    let keeper = app.join(org, &app.admin, "k@example.com", 13).await;
    let keeper_id = app.user_id(&keeper).await;
    let set = format!("/users/{keeper_id}/user-team-roles/{team}");
    let (status, body) = app.post(&set, &app.admin, json!({"usersRoleId": id})).await;
    assert_eq!(status, 200, "{body}");
    let check = |p: &str| format!("/organizations/{org}/check-team-permission?teamPermission={p}");
    assert_eq!(app.get(&check("team%20user%20add%20and%20edit"), &keeper).await.1["hasPermission"], true);
    assert_eq!(app.get(&check("team%20delete"), &keeper).await.1["hasPermission"], false);

    let org_role = create(&app, &app.admin, org, "Org only", "organization", &[]).await;
    let got = assert_error(&app.post(&set, &app.admin, json!({"usersRoleId": org_role["id"]})).await, 400, "SC400");
    assert_eq!(suberror_paths(&got), ["usersRoleId"]);
    let other = app.create_org(&app.admin, "Other").await;
    let foreign = create(&app, &app.admin, other, "Foreign", "team", &[]).await;
    assert_error(&app.post(&set, &app.admin, json!({"usersRoleId": foreign["id"]})).await, 400, "SC400");

    let patch = json!({"organizationId": org, "permissions": []});
    assert_eq!(app.patch(&format!("/users/custom-roles/{id}"), &app.admin, patch).await.0, 200);
    assert_eq!(app.get(&check("team%20user%20add%20and%20edit"), &keeper).await.1["hasPermission"], false);
}
