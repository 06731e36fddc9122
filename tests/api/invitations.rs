//! Invitations: invite (`POST /organizations/{organizationId}/invite`), look up (`GET /organizations/invitation`),
//! accept (`POST /organizations/accept-invitation`) and the caller's open ones
//! (`GET /users/me/organization-invitations`).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_teams_plan, suberror_paths, TestApp};

#[tokio::test]
async fn invite_look_up_and_accept_with_teams() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Acme").await;
    let team = app.first_team(&app.admin, org).await;
    let ann = app.user("ann@example.com").await;
    let ann_id = app.user_id(&ann).await;

    let (status, body) = app
        .post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": "ANN@example.com", "name": "Ann", "usersRoleId": 13, "note": "welcome", "teamsId": [team]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"userOrganizationRole": {"userId": ann_id, "organizationId": org, "usersRoleId": 13, "invitation": "pending"}})
    );

    let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
    assert_eq!(roles["userOrganizationRoles"][1]["invitation"], "pending");
    assert_error(&app.get(&format!("/organizations/{org}"), &ann).await, 403, "SC403");

    let (_, mine) = app.get("/users/me/organization-invitations", &ann).await;
    let inv = &mine["userOrganizationInvitations"][0];
    assert_eq!((inv["organizationName"].as_str(), inv["usersRoleId"].as_i64()), (Some("Acme"), Some(13)));
    assert_eq!(inv["zone"], app.addr.to_string());
    let hash = inv["hash"].as_str().unwrap().to_string();
    assert_eq!(uuid::Uuid::parse_str(&hash).unwrap().get_version_num(), 4);

    let (status, detail) = app.get(&format!("/organizations/invitation?hash={hash}"), &ann).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["organization"], json!({"id": org, "name": "Acme"}));
    assert_eq!(detail["user"]["email"], "ann@example.com");
    assert_eq!(detail["userOrganizationRole"]["invitation"], "pending");

    let bob = app.user("bob@example.com").await;
    assert_error(&app.get(&format!("/organizations/invitation?hash={hash}"), &bob).await, 403, "SC403");
    assert_error(&app.post("/organizations/accept-invitation", &bob, json!({"hash": hash})).await, 403, "SC403");

    let (status, accepted) = app.post("/organizations/accept-invitation", &ann, json!({"hash": hash})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["user"]["email"], "ann@example.com");
    assert!(accepted["userOrganizationRole"]["invitation"].is_null());
    assert_eq!(app.get(&format!("/organizations/{org}"), &ann).await.0, StatusCode::OK);
    let (_, members) = app.get(&format!("/teams/{team}/user-team-roles"), &ann).await;
    assert!(members["userTeamRoles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["userId"] == ann_id && m["usersRoleId"] == 3));

    assert_error(&app.post("/organizations/accept-invitation", &ann, json!({"hash": hash})).await, 404, "SC404");
    assert_error(&app.get(&format!("/organizations/invitation?hash={hash}"), &ann).await, 404, "SC404");
    assert_eq!(app.get("/users/me/organization-invitations", &ann).await.1, json!({"userOrganizationInvitations": []}));
}

#[tokio::test]
async fn an_email_without_an_account_waits_for_users_add() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Early").await;
    let (status, body) = app
        .post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": "new@example.com", "name": "New Person", "usersRoleId": 12}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let invited_id = body["userOrganizationRole"]["userId"].as_i64().unwrap();
    let token = app.user("new@example.com").await;
    assert_eq!(app.user_id(&token).await, invited_id, "users add completes the invited account");
    let hash = app.hash_for(&token, org).await;
    let (status, body) = app.post("/organizations/accept-invitation", &token, json!({"hash": hash})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["userOrganizationRole"]["usersRoleId"], 12);
}

#[tokio::test]
async fn invitations_are_validated_field_by_field() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Strict").await;
    let other = app.create_org(&app.admin, "Other").await;
    let foreign_team = app.first_team(&app.admin, other).await;
    let path = format!("/organizations/{org}/invite");

    let body = assert_error(&app.post(&path, &app.admin, json!({})).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["email", "name", "usersRoleId"]);
    let bad =
        json!({"email": "nope", "name": " x", "usersRoleId": 11, "note": "n".repeat(1001), "teamsId": [foreign_team]});
    let body = assert_error(&app.post(&path, &app.admin, bad).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["email", "name", "usersRoleId", "note", "teamsId"]);
    for role in [1, 3, 99, 0] {
        let got = app.post(&path, &app.admin, json!({"email": "a@b.cz", "name": "A", "usersRoleId": role})).await;
        assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["usersRoleId"], "{role}");
    }
    let body = assert_error(
        &app.post(&path, &app.admin, json!({"email": "admin@localhost", "name": "Me", "usersRoleId": 13})).await,
        400,
        "IM005",
    );
    assert!(body["detail"].as_str().unwrap().contains("already a member"));
    let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
    assert_eq!(roles["userOrganizationRoles"].as_array().unwrap().len(), 1, "refused invitations leave nothing");
}

#[tokio::test]
async fn hash_lookups_refuse_missing_unknown_and_expired_hashes() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Expiry").await;
    let ann = app.user("ann@example.com").await;
    assert_error(&app.get("/organizations/invitation", &ann).await, 400, "SC400");
    assert_error(&app.post("/organizations/accept-invitation", &ann, json!({})).await, 400, "SC400");
    assert_error(&app.post("/organizations/accept-invitation", &ann, json!({"hash": 5})).await, 400, "SC400");
    assert_error(
        &app.get("/organizations/invitation?hash=bf1effe1-bc9d-4ab3-9414-9c3b66175305", &ann).await,
        404,
        "SC404",
    );

    app.post(
        &format!("/organizations/{org}/invite"),
        &app.admin,
        json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 13}),
    )
    .await;
    let hash = app.hash_for(&ann, org).await;
    app.sql("update invitations set expires_at = '2000-01-01T00:00:00+00:00'").await;
    assert_error(&app.get(&format!("/organizations/invitation?hash={hash}"), &ann).await, 404, "SC404");
    assert_error(&app.post("/organizations/accept-invitation", &ann, json!({"hash": hash})).await, 404, "SC404");
    let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
    assert_eq!(roles["userOrganizationRoles"][1]["invitation"], "expired");
    assert_eq!(app.get("/users/me/organization-invitations", &ann).await.1["userOrganizationInvitations"], json!([]));
}

#[tokio::test]
async fn two_concurrent_accepts_of_one_hash_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    for round in 0..5 {
        let org = app.create_org(&app.admin, &format!("Race {round}")).await;
        let email = format!("racer{round}@example.com");
        let token = app.user(&email).await;
        app.post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": email, "name": "Racer", "usersRoleId": 13}),
        )
        .await;
        let hash = app.hash_for(&token, org).await;
        let body = json!({"hash": hash});
        let (a, b) = tokio::join!(
            app.post("/organizations/accept-invitation", &token, body.clone()),
            app.post("/organizations/accept-invitation", &token, body.clone())
        );
        let mut statuses = [a.0.as_u16(), b.0.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 404], "round {round}: {a:?} {b:?}");
        let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
        assert_eq!(roles["userOrganizationRoles"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn members_cannot_invite_and_the_plan_caps_users() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Small").await;
    let member = app.join(org, &app.admin, "m@example.com", 13).await;
    let got = app
        .post(
            &format!("/organizations/{org}/invite"),
            &member,
            json!({"email": "x@example.com", "name": "X", "usersRoleId": 13}),
        )
        .await;
    assert!(assert_error(&got, 403, "SC403")["detail"].as_str().unwrap().contains("organization user add and edit"));
    let got = app
        .post(
            &format!("/organizations/{org}/invite"),
            &app.admin,
            json!({"email": "x@example.com", "name": "X", "usersRoleId": 13}),
        )
        .await;
    let body = assert_error(&got, 400, "IM011");
    assert_eq!(body["message"], "Entity limit exceeded");
}
