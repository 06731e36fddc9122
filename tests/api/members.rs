//! User–organization roles (`…/user-organization-roles…`) and `GET /users?organizationId=`: roles in an organization,
//! removal, ownership transfer, and what each role may do.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_teams_plan, suberror_paths};

#[tokio::test]
async fn a_member_reads_but_cannot_edit_delete_or_manage() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Readable").await;
    let member = app.join(org, &app.admin, "member@example.com", 13).await;
    let path = format!("/organizations/{org}");
    assert_eq!(app.get(&path, &member).await.0, StatusCode::OK);
    assert_eq!(app.get(&format!("{path}/user-organization-roles"), &member).await.0, StatusCode::OK);
    let denied = assert_error(&app.patch(&path, &member, json!({"name": "Mine now"})).await, 403, "SC403");
    assert!(denied["detail"].as_str().unwrap().contains("organization edit"));
    assert_error(&app.delete(&format!("{path}?confirmed=true"), &member).await, 403, "SC403");
    assert_error(&app.post("/teams", &member, json!({"name": "T", "organizationId": org})).await, 403, "SC403");
    assert_error(
        &app.post(&format!("/users/1/user-organization-roles/{org}"), &member, json!({"usersRoleId": 13})).await,
        403,
        "SC403",
    );
    assert_eq!(app.get(&path, &app.admin).await.1["organization"]["name"], "Readable", "nothing changed");
}

#[tokio::test]
async fn an_accountant_and_an_app_developer_match_the_matrix() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Books").await;
    let accountant = app.join(org, &app.admin, "acc@example.com", 14).await;
    let dev = app.join(org, &app.admin, "dev@example.com", 15).await;
    for token in [&accountant, &dev] {
        assert_eq!(app.get(&format!("/organizations/{org}"), token).await.0, StatusCode::OK);
        assert_error(&app.patch(&format!("/organizations/{org}"), token, json!({"name": "No"})).await, 403, "SC403");
        let got = app
            .post(
                &format!("/organizations/{org}/invite"),
                token,
                json!({"email": "z@example.com", "name": "Z", "usersRoleId": 13}),
            )
            .await;
        assert_error(&got, 403, "SC403");
        let (_, perm) =
            app.get(&format!("/organizations/{org}/check-team-permission?teamPermission=scenario%20view"), token).await;
        assert_eq!(perm, json!({"hasPermission": false}), "no team, no team permission");
    }
}

#[tokio::test]
async fn role_changes_take_effect_and_the_owner_is_protected() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Roles").await;
    let ann = app.join(org, &app.admin, "ann@example.com", 13).await;
    let ann_id = app.user_id(&ann).await;
    let set = format!("/users/{ann_id}/user-organization-roles/{org}");

    let (status, body) = app.post(&set, &app.admin, json!({"usersRoleId": 12})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["userOrganizationRole"]["usersRoleId"], 12);
    let (_, one) = app.get(&format!("/organizations/{org}/user-organization-roles/{ann_id}?cols[]=usersRoleId&cols[]=joinedTeamsCount&cols[]=organizationTeamsCount"), &app.admin).await;
    assert_eq!(
        one,
        json!({"userOrganizationRole": {"usersRoleId": 12, "joinedTeamsCount": 0, "organizationTeamsCount": 1}})
    );
    assert_eq!(
        app.patch(&format!("/organizations/{org}"), &ann, json!({"name": "Renamed by Admin"})).await.0,
        StatusCode::OK
    );

    let body = assert_error(&app.post(&set, &app.admin, json!({"usersRoleId": 11})).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["usersRoleId"]);
    let owner_path = format!("/users/1/user-organization-roles/{org}");
    assert_error(&app.post(&owner_path, &ann, json!({"usersRoleId": 13})).await, 400, "IM005");
    assert_error(&app.post(&owner_path, &ann, json!({})).await, 400, "IM005");
    assert_error(
        &app.post(&format!("/users/999/user-organization-roles/{org}"), &app.admin, json!({"usersRoleId": 13})).await,
        404,
        "SC404",
    );
    let (_, roles) = app.get(&format!("/organizations/{org}/user-organization-roles"), &app.admin).await;
    let owners = roles["userOrganizationRoles"].as_array().unwrap().iter().filter(|r| r["usersRoleId"] == 11).count();
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn an_empty_body_removes_the_user_from_the_organization_and_its_teams() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Leaving").await;
    let team = app.first_team(&app.admin, org).await;
    let ann = app.user("ann@example.com").await;
    app.post(
        &format!("/organizations/{org}/invite"),
        &app.admin,
        json!({"email": "ann@example.com", "name": "Ann", "usersRoleId": 13, "teamsId": [team]}),
    )
    .await;
    let hash = app.hash_for(&ann, org).await;
    app.post("/organizations/accept-invitation", &ann, json!({"hash": hash})).await;
    let ann_id = app.user_id(&ann).await;
    let (_, one) =
        app.get(&format!("/users/{ann_id}/user-organization-roles/{org}?cols[]=joinedTeamsCount"), &app.admin).await;
    assert_eq!(one["userOrganizationRole"]["joinedTeamsCount"], 1);

    let (status, _) =
        app.post(&format!("/users/{ann_id}/user-organization-roles/{org}?confirmed=true"), &app.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(&app.get(&format!("/organizations/{org}"), &ann).await, 403, "SC403");
    let (_, members) = app.get(&format!("/teams/{team}/user-team-roles"), &app.admin).await;
    assert!(members["userTeamRoles"].as_array().unwrap().iter().all(|m| m["userId"] != ann_id));
    assert_error(
        &app.get(&format!("/organizations/{org}/user-organization-roles/{ann_id}"), &app.admin).await,
        404,
        "SC404",
    );
}

#[tokio::test]
async fn only_the_owner_transfers_ownership_and_becomes_admin() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Handover").await;
    let ann = app.join(org, &app.admin, "ann@example.com", 12).await;
    let ann_id = app.user_id(&ann).await;
    let path = format!("/organizations/{org}/user-organization-roles/transfer");

    let denied = assert_error(&app.post(&path, &ann, json!({"userId": ann_id})).await, 403, "SC403");
    assert!(denied["detail"].as_str().unwrap().contains("Owner"));
    assert_error(&app.post(&path, &app.admin, json!({"userId": 999})).await, 404, "SC404");
    assert_error(&app.post(&path, &app.admin, json!({"userId": 1})).await, 400, "IM005");
    assert_eq!(suberror_paths(&assert_error(&app.post(&path, &app.admin, json!({})).await, 400, "SC400")), ["userId"]);

    let (status, body) = app.post(&path, &app.admin, json!({"userId": ann_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"userOrganizationRoles": [
            {"userId": ann_id, "organizationId": org, "usersRoleId": 11, "invitation": null},
            {"userId": 1, "organizationId": org, "usersRoleId": 12, "invitation": null}
        ]})
    );
    assert_error(&app.post(&path, &app.admin, json!({"userId": 1})).await, 403, "SC403");
    let (status, back) = app.post(&format!("/users/1/user-organization-roles/{org}/transfer"), &ann, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["userOrganizationRoles"][0]["usersRoleId"], 11);
    assert_eq!(back["userOrganizationRoles"][0]["userId"], 1);
}

#[tokio::test]
async fn a_users_roles_are_visible_to_them_and_to_people_sharing_an_organization() {
    let app = spawn_teams_plan().await;
    let shared = app.create_org(&app.admin, "Shared").await;
    let private = app.create_org(&app.admin, "Admin only").await;
    let ann = app.join(shared, &app.admin, "ann@example.com", 13).await;
    let stranger = app.user("stranger@example.com").await;
    let (_, mine) = app.get("/users/1/user-organization-roles", &app.admin).await;
    let orgs: Vec<_> = mine["userOrganizationRoles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["organizationId"].as_i64().unwrap())
        .collect();
    assert_eq!(orgs, [shared, private]);
    let (_, seen) = app.get("/users/1/user-organization-roles", &ann).await;
    assert_eq!(seen["userOrganizationRoles"].as_array().unwrap().len(), 1, "only the shared organization");
    assert_error(&app.get("/users/1/user-organization-roles", &stranger).await, 403, "SC403");
    assert_error(&app.get("/users/9999/user-organization-roles", &app.admin).await, 404, "SC404");
}

#[tokio::test]
async fn users_of_an_organization_filter_by_role_and_page() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "People").await;
    app.join(org, &app.admin, "b@example.com", 13).await;
    app.join(org, &app.admin, "a@example.com", 14).await;
    let (_, all) = app.get(&format!("/users?organizationId={org}&pg[sortBy]=email"), &app.admin).await;
    let emails: Vec<_> = all["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["a@example.com", "admin@localhost", "b@example.com"]);
    assert_eq!(all["users"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "name", "email"]);
    let (_, acc) = app.get(&format!("/users?organizationId={org}&organizationRoleId=14"), &app.admin).await;
    assert_eq!(acc["users"].as_array().unwrap().len(), 1);
    assert_error(&app.get("/users", &app.admin).await, 400, "SC400");
    assert_error(
        &app.get(&format!("/users?organizationId={org}&organizationRoleId=3"), &app.admin).await,
        400,
        "SC400",
    );
    let stranger = app.user("s@example.com").await;
    assert_error(&app.get(&format!("/users?organizationId={org}"), &stranger).await, 403, "SC403");
}

#[tokio::test]
async fn users_carry_tfa_status_and_filter_by_it_as_users_me_tells_it() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Factors").await;
    let on = app.join(org, &app.admin, "on@example.com", 13).await;
    let pending = app.join(org, &app.admin, "pending@example.com", 13).await;
    let off = app.join(org, &app.admin, "off@example.com", 13).await;
    assert!(app.store.set_user_tfa("on@example.com", true).await.unwrap());
    let pending_id = orgd::domain::ids::UserId(app.user_id(&pending).await);
    assert!(app.store.start_totp(pending_id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", chrono::Utc::now()).await.unwrap());

    let path = format!("/users?organizationId={org}&cols[]=email&cols[]=tfaStatus&pg[sortBy]=email");
    let (status, all) = app.get(&path, &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let by_email: Vec<(String, i64)> = all["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["email"].as_str().unwrap().to_string(), u["tfaStatus"].as_i64().unwrap()))
        .collect();
    let expect = [("admin@localhost", 0), ("off@example.com", 0), ("on@example.com", 1), ("pending@example.com", 2)];
    assert_eq!(by_email, expect.map(|(e, s)| (e.to_string(), s)));
    // The list's SQL and the one-user rule of GET /users/me agree.
    for (token, want) in [(&on, 1), (&pending, 2), (&off, 0)] {
        let (_, me) = app.get("/users/me?cols[]=tfaStatus", token).await;
        assert_eq!(me["authUser"]["tfaStatus"], want, "{me}");
    }
    let (_, only) = app.get(&format!("{path}&tfaStatus=2"), &app.admin).await;
    assert_eq!(only["users"], json!([{"email": "pending@example.com", "tfaStatus": 2}]));
    let (_, default) = app.get(&format!("/users?organizationId={org}"), &app.admin).await;
    assert!(default["users"][0].get("tfaStatus").is_none(), "not a default column: {default}");
    for bad in ["3", "-1", "on"] {
        let answer = app.get(&format!("/users?organizationId={org}&tfaStatus={bad}"), &app.admin).await;
        assert_error(&answer, 400, "SC400");
    }
}
