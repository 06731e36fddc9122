//! Private spaces: `GET /private-spaces`, `GET`/`PATCH /private-spaces/{id}`, the organization's
//! `private-spaces-settings`, spaces made for members who join, usage booked to a space, the organization's
//! `privateSpaces` column and `GET /teams?includePrivateSpaces`.

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_teams_plan, Db, TestApp};

/// An organization on the Teams plan with auto-creation on, and a member who joined after: (org, member token,
/// the member's space).
async fn org_with_space(app: &TestApp, default_limit: Value) -> (i64, String, Value) {
    let org = app.create_org(&app.admin, "Spaces").await;
    let path = format!("/organizations/{org}/private-spaces-settings");
    let body = json!({"privateSpacesAutoCreationEnabled": true, "defaultOperationsLimit": default_limit});
    let (status, got) = app.patch(&path, &app.admin, body).await;
    assert_eq!(status, 200, "{got}");
    let member = app.join(org, &app.admin, "becca@example.com", 13).await;
    let (status, list) = app.get(&format!("/private-spaces?organizationId={org}"), &app.admin).await;
    assert_eq!(status, 200, "{list}");
    (org, member, list["privateSpaces"][0].clone())
}

async fn book(app: &TestApp, org: i64, space: i64, operations: i64) {
    let amounts = orgd::store::models::UsageTotals { operations, data_transfer: 2048, centicredits: 7 };
    // The organization's day (Europe/Prague, id 113): usage counts by its month, which begins an hour before
    // UTC's.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive();
    orgd::commands::usage_add_to_space(&*app.store, org, space, today, None, amounts).await.unwrap();
}

#[tokio::test]
async fn a_member_who_joins_gets_a_space_in_makes_shape() {
    let app = spawn_teams_plan().await;
    let (org, member, space) = org_with_space(&app, json!(1000)).await;
    let member_id = app.user_id(&member).await;
    let keys: Vec<&str> = space.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "organizationId",
            "globalAgentsEnabled",
            "type",
            "privateSpaceOwnerName",
            "privateSpaceOwnerEmail",
            "privateSpaceOwnerId",
            "operationsLimit",
            "transferLimit",
            "consumedOperations",
            "consumedTransfer",
            "isPaused",
            "consumedCenticredits",
        ]
    );
    assert_eq!((&space["type"], &space["privateSpaceOwnerId"]), (&json!("personal"), &json!(member_id)));
    assert_eq!(
        (&space["operationsLimit"], &space["privateSpaceOwnerEmail"]),
        (&json!(1000), &json!("becca@example.com"))
    );
    assert!(space["transferLimit"].is_string() && space["consumedTransfer"] == "0", "{space}");
    assert!(space["id"].as_i64().unwrap() > 1_000_000_000_000, "numbered apart from teams");

    // The Owner who made the organization joined nobody: no space of their own.
    let (_, one) =
        app.get(&format!("/private-spaces?organizationId={org}&cols[]=id&cols[]=operations"), &app.admin).await;
    assert_eq!(one["privateSpaces"].as_array().unwrap().len(), 1);
    assert_eq!(one["privateSpaces"][0].as_object().unwrap().len(), 2, "cols[] selects");
    assert_eq!(one["pg"]["sortBy"], "name");
    let (_, none) = app.get(&format!("/private-spaces?organizationId={org}&externalId=x"), &app.admin).await;
    assert_eq!(none["privateSpaces"], json!([]));
}

#[tokio::test]
async fn the_owner_sees_their_space_a_member_of_another_organization_gets_404() {
    let app = spawn_teams_plan().await;
    let (org, member, space) = org_with_space(&app, Value::Null).await;
    let id = space["id"].as_i64().unwrap();
    let (status, own) = app.get(&format!("/private-spaces/{id}"), &member).await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["privateSpace"]["operationsLimit"], Value::Null, "unlimited");
    // A member may see their own space but may not list or change spaces.
    let got = app.get(&format!("/private-spaces?organizationId={org}"), &member).await;
    assert_error(&got, 403, "SC403");
    let got = app.patch(&format!("/private-spaces/{id}"), &member, json!({"operationsLimit": 5})).await;
    assert_error(&got, 403, "SC403");
    // Another member, and a stranger, are told there is no such space.
    let other = app.join(org, &app.admin, "other@example.com", 13).await;
    assert_error(&app.get(&format!("/private-spaces/{id}"), &other).await, 404, "SC404");
    let stranger = app.user("stranger@example.com").await;
    assert_error(&app.get(&format!("/private-spaces/{id}"), &stranger).await, 404, "SC404");
    assert_error(&app.get("/private-spaces/999", &app.admin).await, 404, "SC404");
}

#[tokio::test]
async fn lowering_below_use_needs_confirming_and_pauses_the_space() {
    let app = spawn_teams_plan().await;
    let (org, _member, space) = org_with_space(&app, json!(1000)).await;
    let id = space["id"].as_i64().unwrap();
    book(&app, org, id, 250).await;
    let (_, got) = app.get(&format!("/private-spaces/{id}?cols[]=consumedOperations&cols[]=consumedTransfer&cols[]=consumedCenticredits&cols[]=operations"), &app.admin).await;
    assert_eq!(
        got["privateSpace"],
        json!({"consumedOperations": 250, "consumedTransfer": "2048", "consumedCenticredits": "7", "operations": "250"})
    );
    // The organization's total includes its space's.
    let (_, o) = app.get(&format!("/organizations/{org}?cols[]=operations"), &app.admin).await;
    assert_eq!(o["organization"]["operations"], "250");

    let path = format!("/private-spaces/{id}");
    assert_error(&app.patch(&path, &app.admin, json!({"operationsLimit": 100})).await, 406, "IM004");
    let (status, ok) = app.patch(&format!("{path}?confirmed=true"), &app.admin, json!({"operationsLimit": 100})).await;
    assert_eq!(status, 200, "{ok}");
    let s = &ok["privateSpace"];
    assert_eq!((&s["operationsLimit"], &s["isPaused"], &s["deleted"]), (&json!(100), &json!(true), &json!(false)));
    assert!(s["transferLimit"].is_number() && s["externalId"].is_null(), "Make's PATCH answer: {s}");
    // Raising it needs no confirmation and lets the space run again; null is unlimited.
    let (_, up) = app.patch(&path, &app.admin, json!({"operationsLimit": null})).await;
    assert_eq!(
        (&up["privateSpace"]["operationsLimit"], &up["privateSpace"]["isPaused"]),
        (&Value::Null, &json!(false))
    );
    assert_error(&app.patch(&path, &app.admin, json!({"operationsLimit": -1})).await, 400, "SC400");

    let (_, log) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=100"), &app.admin).await;
    let names: Vec<&str> =
        log["auditLogs"].as_array().unwrap().iter().map(|e| e["eventName"].as_str().unwrap()).collect();
    for e in ["private_space_created", "private_space_updated", "private_spaces_settings_changed"] {
        assert!(names.contains(&e), "{e} in {names:?}");
    }
}

#[tokio::test]
async fn settings_bulk_update_needs_a_limit_and_confirming_below_use() {
    let app = spawn_teams_plan().await;
    let (org, member, space) = org_with_space(&app, json!(1000)).await;
    let id = space["id"].as_i64().unwrap();
    book(&app, org, id, 50).await;
    let path = format!("/organizations/{org}/private-spaces-settings");
    let (_, got) = app.get(&path, &member).await;
    assert_eq!(
        got,
        json!({"privateSpacesSettings": {"privateSpacesAutoCreationEnabled": true, "defaultOperationsLimit": 1000, "addAdminsAsObservers": false}})
    );
    assert_error(&app.patch(&path, &member, json!({"defaultOperationsLimit": 5})).await, 403, "SC403");
    assert_error(&app.patch(&path, &app.admin, json!({"bulkUpdateExistingLimits": true})).await, 400, "IM005");
    let body = json!({"bulkUpdateExistingLimits": true, "defaultOperationsLimit": 10});
    assert_error(&app.patch(&path, &app.admin, body.clone()).await, 406, "IM004");
    let (status, _) = app.patch(&format!("{path}?confirmed=true"), &app.admin, body).await;
    assert_eq!(status, 200);
    let (_, now) = app.get(&format!("/private-spaces/{id}"), &app.admin).await;
    assert_eq!((&now["privateSpace"]["operationsLimit"], &now["privateSpace"]["isPaused"]), (&json!(10), &json!(true)));
    // Observers need Enterprise's privateSpacesObservability.
    let got = app.patch(&path, &app.admin, json!({"addAdminsAsObservers": true})).await;
    assert_error(&got, 402, "SC402");
}

#[tokio::test]
async fn the_organization_and_teams_show_the_callers_spaces() {
    let app = TestApp::spawn_with(Db::fresh().await, |c| c.default_plan = "enterprise".into()).await;
    let (org, member, space) = org_with_space(&app, Value::Null).await;
    let (_, mine) = app.get(&format!("/organizations/{org}?cols[]=privateSpaces"), &member).await;
    let expected = json!([{"id": space["id"], "name": space["name"], "isOwner": true, "hasAdminVisibility": false}]);
    assert_eq!(mine["organization"]["privateSpaces"], expected);
    let (_, owner) = app.get(&format!("/organizations/{org}"), &app.admin).await;
    assert_eq!(owner["organization"]["privateSpaces"], json!([]), "the Owner does not observe yet");

    let path = format!("/organizations/{org}/private-spaces-settings");
    let (status, _) = app.patch(&path, &app.admin, json!({"addAdminsAsObservers": true})).await;
    assert_eq!(status, 200);
    let (_, owner) = app.get("/organizations?cols[]=id&cols[]=privateSpaces", &app.admin).await;
    let seen = &owner["organizations"][0]["privateSpaces"][0];
    assert_eq!((&seen["isOwner"], &seen["hasAdminVisibility"]), (&json!(false), &json!(true)));

    let (_, teams) = app.get(&format!("/teams?organizationId={org}&cols[]=id&cols[]=type"), &member).await;
    assert_eq!(teams["teams"].as_array().unwrap().len(), 1, "without includePrivateSpaces: {teams}");
    let (_, all) =
        app.get(&format!("/teams?organizationId={org}&includePrivateSpaces=true&cols[]=id&cols[]=type"), &member).await;
    let types: Vec<&Value> = all["teams"].as_array().unwrap().iter().map(|t| &t["type"]).collect();
    assert_eq!(types, [&json!("standard"), &json!("personal")]);
}

#[tokio::test]
async fn without_the_license_every_call_answers_im903() {
    let app = TestApp::spawn_with(Db::fresh().await, |c| c.default_plan = "pro".into()).await;
    let org = app.create_org(&app.admin, "Pro").await;
    assert_error(&app.get(&format!("/private-spaces?organizationId={org}"), &app.admin).await, 403, "IM903");
    let path = format!("/organizations/{org}/private-spaces-settings");
    assert_error(&app.get(&path, &app.admin).await, 403, "IM903");
    let body = json!({"privateSpacesAutoCreationEnabled": true});
    assert_error(&app.patch(&path, &app.admin, body).await, 403, "IM903");
}

#[tokio::test]
async fn a_token_without_the_private_spaces_scopes_is_refused() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Scoped").await;
    let token = app.user_with_scopes("admin@localhost", Some("organizations:read")).await;
    assert_error(&app.get(&format!("/private-spaces?organizationId={org}"), &token).await, 403, "SC403");
}
