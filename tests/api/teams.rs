//! Teams (`/teams`, `/teams/{teamId}`), team roles and `GET /organizations/{organizationId}/check-team-permission`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_teams_plan, suberror_paths, TestApp};

#[tokio::test]
async fn teams_are_created_listed_read_and_deleted() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Teams").await;
    let (status, body) =
        app.post("/teams", &app.admin, json!({"name": "Alpha", "organizationId": org, "operationsLimit": 500})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["team"]["id"].as_i64().unwrap();
    assert_eq!((body["team"]["name"].as_str(), body["team"]["operationsLimit"].as_i64()), (Some("Alpha"), Some(500)));
    assert_eq!(body["userTeamRole"], json!({"usersRoleId": 1, "userId": 1, "teamId": id, "changeable": false}));

    let (_, list) = app.get(&format!("/teams?organizationId={org}"), &app.admin).await;
    let names: Vec<_> = list["teams"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha", "My Team"]);
    assert_eq!(list["teams"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "name", "organizationId"]);
    assert_eq!(list["pg"]["sortBy"], "name");

    let (_, one) = app.get(&format!("/teams/{id}?cols[]=name&cols[]=type&cols[]=operationsLimit"), &app.admin).await;
    assert_eq!(one, json!({"team": {"name": "Alpha", "type": "standard", "operationsLimit": 500}}));

    assert_error(&app.delete(&format!("/teams/{id}"), &app.admin).await, 406, "IM004");
    assert_eq!(app.delete(&format!("/teams/{id}?confirmed=true"), &app.admin).await.1, json!({"team": id}));
    assert_error(&app.get(&format!("/teams/{id}"), &app.admin).await, 404, "SC404");
    let last = app.first_team(&app.admin, org).await;
    assert_error(&app.delete(&format!("/teams/{last}?confirmed=true"), &app.admin).await, 400, "IM005");
}

#[tokio::test]
async fn team_requests_are_validated_and_limited_by_the_plan() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Free").await;
    let body =
        assert_error(&app.post("/teams", &app.admin, json!({"name": "", "transferLimit": -1})).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["name", "organizationId", "transferLimit"]);
    let body = assert_error(
        &app.post("/teams", &app.admin, json!({"name": "Second", "organizationId": org})).await,
        400,
        "IM011",
    );
    assert!(body["detail"].as_str().unwrap().contains("1 teams"));
    assert_error(&app.get("/teams", &app.admin).await, 400, "SC400");
    assert_error(&app.get("/teams?organizationId=abc", &app.admin).await, 400, "SC400");
    assert_error(&app.get("/teams?organizationId=9999", &app.admin).await, 404, "SC404");
    assert_error(&app.get("/teams/9999", &app.admin).await, 404, "SC404");
    let stranger = app.user("s@example.com").await;
    let team = app.first_team(&app.admin, org).await;
    assert_error(&app.get(&format!("/teams/{team}"), &stranger).await, 403, "SC403");
    assert_error(&app.get(&format!("/teams?organizationId={org}"), &stranger).await, 403, "SC403");
}

#[tokio::test]
async fn a_team_operator_holds_exactly_the_operator_permissions() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Ops").await;
    let team = app.first_team(&app.admin, org).await;
    let op = app.join(org, &app.admin, "op@example.com", 13).await;
    let op_id = app.user_id(&op).await;
    let check =
        |p: &str| format!("/organizations/{org}/check-team-permission?teamPermission={}", p.replace(' ', "%20"));
    assert_eq!(app.get(&check("scenario start"), &op).await.1, json!({"hasPermission": false}), "not in a team yet");

    let (status, body) =
        app.post(&format!("/users/{op_id}/user-team-roles/{team}"), &app.admin, json!({"usersRoleId": 6})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (perm, expected) in [
        ("scenario start", true),
        ("scenario stop", true),
        ("team variable edit", true),
        ("scenario logs get", true),
        ("connection get", true),
        ("scenario add", false),
        ("connection add", false),
        ("team delete", false),
        ("team user add and edit", false),
    ] {
        assert_eq!(app.get(&check(perm), &op).await.1, json!({"hasPermission": expected}), "{perm}");
    }
    assert_eq!(app.get(&check("team delete"), &app.admin).await.1, json!({"hasPermission": true}), "Owner holds all");
    assert_error(&app.get(&check("fly"), &op).await, 400, "SC400");
    assert_error(&app.get(&format!("/organizations/{org}/check-team-permission"), &op).await, 400, "SC400");
    let stranger = app.user("s@example.com").await;
    assert_error(&app.get(&check("team view"), &stranger).await, 403, "SC403");

    assert_error(&app.delete(&format!("/teams/{team}?confirmed=true"), &op).await, 403, "SC403");
    let got = app.post(&format!("/users/{op_id}/user-team-roles/{team}"), &app.admin, json!({"usersRoleId": 12})).await;
    assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["usersRoleId"]);
    assert_error(
        &app.post(&format!("/users/{op_id}/user-team-roles/{team}"), &op, json!({"usersRoleId": 1})).await,
        403,
        "SC403",
    );
    app.post(&format!("/users/{op_id}/user-team-roles/{team}"), &app.admin, json!({})).await;
    assert_eq!(
        app.get(&check("scenario start"), &op).await.1,
        json!({"hasPermission": false}),
        "removed from the team"
    );
}

#[tokio::test]
async fn the_owner_manages_teams_they_are_not_in() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Reach").await;
    let admin2 = app.join(org, &app.admin, "a2@example.com", 12).await;
    let (_, body) = app.post("/teams", &admin2, json!({"name": "Admin2's", "organizationId": org})).await;
    let team = body["team"]["id"].as_i64().unwrap();
    let (_, members) = app.get(&format!("/teams/{team}/user-team-roles"), &app.admin).await;
    assert_eq!(members["userTeamRoles"].as_array().unwrap().len(), 1, "only its creator");
    assert_eq!(app.delete(&format!("/teams/{team}?confirmed=true"), &app.admin).await.0, StatusCode::OK);
}
