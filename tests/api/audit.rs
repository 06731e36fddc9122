//! The audit log: every acknowledged change writes exactly one entry (with the right event, actor, target and
//! team) in its transaction, a refused one none; the v2 and v1 endpoints, filters, the cursor, authorization,
//! export and retention.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_teams_plan, TestApp};

/// The whole log of `org`, newest first, as its Owner or Admin `token` reads it.
async fn log(app: &TestApp, org: i64, token: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=10000"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["auditLogs"].as_array().unwrap().clone()
}

/// Asserts that exactly the given events were appended since `before` entries, and returns the new ones
/// (oldest first).
async fn appended(app: &TestApp, org: i64, token: &str, before: &mut usize, events: &[&str]) -> Vec<Value> {
    let all = log(app, org, token).await;
    let mut new: Vec<Value> = all[..all.len() - *before].to_vec();
    new.reverse();
    let names: Vec<&str> = new.iter().map(|e| e["eventName"].as_str().unwrap()).collect();
    assert_eq!(names, events, "entries appended");
    *before = all.len();
    new
}

#[tokio::test]
async fn every_acknowledged_change_writes_one_entry_and_a_refused_one_none() {
    let app = spawn_teams_plan().await;
    let admin_id = app.user_id(&app.admin).await;
    let org = app.create_org(&app.admin, "Audited").await;
    let mut n = 0;
    let e = appended(&app, org, &app.admin, &mut n, &["organization_created"]).await;
    assert_eq!(
        (e[0]["actor"]["id"].as_i64(), e[0]["targetId"].as_str()),
        (Some(admin_id), Some(org.to_string().as_str()))
    );
    assert_eq!(e[0]["organization"], json!({"id": org, "name": "Audited"}));
    assert!(e[0]["team"].is_null() && e[0].get("detail").is_none());

    assert_eq!(
        app.patch(&format!("/organizations/{org}"), &app.admin, json!({"name": "Audited EU"})).await.0,
        StatusCode::OK
    );
    let e = appended(&app, org, &app.admin, &mut n, &["organization_updated"]).await;
    let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e[0]["uuid"].as_str().unwrap()), &app.admin).await;
    assert_eq!(one["auditLog"]["detail"]["changes"]["name"], json!({"old": "Audited", "new": "Audited EU"}));

    let (_, team) = app.post("/teams", &app.admin, json!({"name": "Ops", "organizationId": org})).await;
    let team_id = team["team"]["id"].as_i64().unwrap();
    let e = appended(&app, org, &app.admin, &mut n, &["team_created"]).await;
    assert_eq!(e[0]["team"], json!({"id": team_id, "name": "Ops"}));

    let bob = app.user("bob@example.com").await;
    let bob_id = app.user_id(&bob).await;
    let invite = json!({"email": "bob@example.com", "name": "Bob", "usersRoleId": 13, "teamsId": [team_id]});
    assert_eq!(app.post(&format!("/organizations/{org}/invite"), &app.admin, invite).await.0, StatusCode::OK);
    let e = appended(&app, org, &app.admin, &mut n, &["user_invited"]).await;
    assert_eq!(e[0]["targetId"], bob_id.to_string());
    let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e[0]["uuid"].as_str().unwrap()), &app.admin).await;
    let hash = app.hash_for(&bob, org).await;
    assert!(!one.to_string().contains(&hash), "no invitation hash in the log: {one}");
    assert_eq!(one["auditLog"]["detail"]["usersRoleId"], 13);

    let (status, _) = app.post("/organizations/accept-invitation", &bob, json!({"hash": hash})).await;
    assert_eq!(status, StatusCode::OK);
    let e = appended(&app, org, &app.admin, &mut n, &["invitation_accepted"]).await;
    assert_eq!(e[0]["actor"]["id"], bob_id);

    // Refused changes write nothing: a Member may not edit, a bad name is refused, the last team stays.
    assert_error(&app.patch(&format!("/organizations/{org}"), &bob, json!({"name": "Mine"})).await, 403, "SC403");
    assert_error(&app.patch(&format!("/organizations/{org}"), &app.admin, json!({"name": ""})).await, 400, "SC400");
    let bob_role = format!("/users/{bob_id}/user-organization-roles/{org}");
    assert_error(&app.post(&bob_role, &bob, json!({"usersRoleId": 12})).await, 403, "SC403");
    appended(&app, org, &app.admin, &mut n, &[]).await;

    assert_eq!(app.post(&bob_role, &app.admin, json!({"usersRoleId": 12})).await.0, StatusCode::OK);
    let e = appended(&app, org, &app.admin, &mut n, &["user_role_changed"]).await;
    let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e[0]["uuid"].as_str().unwrap()), &app.admin).await;
    assert_eq!(
        (one["auditLog"]["detail"]["oldUsersRoleId"].as_i64(), one["auditLog"]["detail"]["usersRoleId"].as_i64()),
        (Some(13), Some(12))
    );

    let team_role = format!("/users/{bob_id}/user-team-roles/{team_id}");
    assert_eq!(app.post(&team_role, &app.admin, json!({"usersRoleId": 1})).await.0, StatusCode::OK);
    let e = appended(&app, org, &app.admin, &mut n, &["team_role_changed"]).await;
    assert_eq!(
        (e[0]["team"]["id"].as_i64(), e[0]["targetId"].as_str()),
        (Some(team_id), Some(bob_id.to_string().as_str()))
    );

    let vars = format!("/organizations/{org}/variables");
    assert_eq!(
        app.post(&vars, &app.admin, json!({"name": "secret", "typeId": 2, "value": "hunter2"})).await.0,
        StatusCode::OK
    );
    assert_eq!(app.patch(&format!("{vars}/secret"), &app.admin, json!({"value": "hunter3"})).await.0, StatusCode::OK);
    assert_eq!(app.delete(&format!("{vars}/secret?confirmed=true"), &app.admin).await.0, StatusCode::OK);
    let e = appended(
        &app,
        org,
        &app.admin,
        &mut n,
        &["organization_variable_created", "organization_variable_updated", "organization_variable_deleted"],
    )
    .await;
    assert!(e.iter().all(|x| x["targetId"] == "secret"));
    let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e[1]["uuid"].as_str().unwrap()), &app.admin).await;
    assert!(!one.to_string().contains("hunter"), "variable values stay out of the log: {one}");

    let controls = format!("/organizations/{org}/feature-controls");
    let (_, list) = app.get(&controls, &app.admin).await;
    let control = list["featureControls"][0]["id"].as_i64().unwrap();
    assert_eq!(app.patch(&controls, &app.admin, json!({"id": control, "enabled": false})).await.0, StatusCode::OK);
    app.store.set_user_tfa("admin@localhost", true).await.unwrap();
    assert_eq!(
        app.patch(&format!("/organizations/{org}/tfa-enforcement"), &app.admin, json!({"enable": true})).await.0,
        StatusCode::OK
    );
    appended(&app, org, &app.admin, &mut n, &["feature_control_changed", "tfa_enforcement_changed"]).await;

    let sub = format!("/organizations/{org}/subscription");
    assert_eq!(app.post(&sub, &app.admin, json!({"priceId": "enterprise-monthly"})).await.0, StatusCode::OK);
    assert_error(&app.post(&sub, &app.admin, json!({"priceId": "pro-monthly"})).await, 400, "IM005");
    assert_eq!(app.patch(&sub, &app.admin, json!({"priceId": "teams-yearly"})).await.0, StatusCode::OK);
    let e = appended(
        &app,
        org,
        &app.admin,
        &mut n,
        &["subscription_created", "payment_recorded", "subscription_changed", "payment_recorded"],
    )
    .await;
    let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e[2]["uuid"].as_str().unwrap()), &app.admin).await;
    assert_eq!(
        (one["auditLog"]["detail"]["oldPlan"].as_str(), one["auditLog"]["detail"]["newPlan"].as_str()),
        (Some("enterprise"), Some("teams"))
    );
    // The Free plan allows neither two teams nor TFA enforcement: refused, nothing written.
    assert_error(&app.patch(&sub, &app.admin, json!({"priceId": "free-monthly"})).await, 400, "IM011");
    appended(&app, org, &app.admin, &mut n, &[]).await;
    assert_eq!(app.delete(&sub, &app.admin).await.0, StatusCode::OK);
    appended(&app, org, &app.admin, &mut n, &["subscription_cancelled", "payment_recorded"]).await;

    let transfer = format!("/organizations/{org}/user-organization-roles/transfer");
    assert_eq!(app.post(&transfer, &app.admin, json!({"userId": bob_id})).await.0, StatusCode::OK);
    app.store.set_user_tfa("bob@example.com", true).await.unwrap();
    let admin_role = format!("/users/{admin_id}/user-organization-roles/{org}");
    assert_eq!(app.post(&admin_role, &bob, json!({})).await.0, StatusCode::OK);
    let e = appended(&app, org, &bob, &mut n, &["ownership_transferred", "user_removed"]).await;
    assert_eq!(
        (e[0]["actor"]["id"].as_i64(), e[0]["targetId"].as_str()),
        (Some(admin_id), Some(bob_id.to_string().as_str()))
    );
    assert_eq!(
        (e[1]["actor"]["id"].as_i64(), e[1]["targetId"].as_str()),
        (Some(bob_id), Some(admin_id.to_string().as_str()))
    );

    assert_eq!(app.delete(&format!("/teams/{team_id}?confirmed=true"), &bob).await.0, StatusCode::OK);
    let e = appended(&app, org, &bob, &mut n, &["team_deleted"]).await;
    assert_eq!(e[0]["team"], json!({"id": team_id, "name": "Ops"}), "the deleted team keeps its name");
    // Days are the organization's (Europe/Prague, id 113): in the hour before midnight UTC it is already tomorrow
    // there.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive();
    orgd::commands::usage_add(
        &*app.store,
        org,
        today,
        None,
        orgd::store::models::UsageTotals { operations: 5, ..Default::default() },
    )
    .await
    .unwrap();
    let e = appended(&app, org, &bob, &mut n, &["usage_booked"]).await;
    assert_eq!(e[0]["actor"]["operator"], true);

    assert_eq!(app.delete(&format!("/organizations/{org}?confirmed=true"), &bob).await.0, StatusCode::OK);
    let mut out = Vec::new();
    let written = orgd::commands::audit_export(&*app.store, org, None, &mut out).await.unwrap();
    let lines: Vec<Value> = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(written as usize, lines.len());
    assert_eq!(lines.len(), n + 1, "the export holds every entry, the deletion last");
    let last = lines.last().unwrap();
    assert_eq!(
        (last["eventName"].as_str(), last["organization"]["name"].as_str()),
        (Some("organization_deleted"), Some("Audited EU"))
    );
    assert!(lines.iter().all(|l| l.get("detail").is_some()));
    assert_eq!(lines[0]["eventName"], "organization_created", "oldest first");
}

#[tokio::test]
async fn filters_cursor_and_single_entries() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Filtered").await;
    let bob = app.join(org, &app.admin, "bob@example.com", 12).await;
    for i in 0..5 {
        let token = if i % 2 == 0 { &app.admin } else { &bob };
        let (status, body) = app.post("/teams", token, json!({"name": format!("T{i}"), "organizationId": org})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let base = format!("/audit-logs/v2/organization/{org}");
    let events = |body: &Value| -> Vec<String> {
        body["auditLogs"].as_array().unwrap().iter().map(|e| e["eventName"].as_str().unwrap().to_string()).collect()
    };
    let (_, body) = app.get(&format!("{base}?event[]=team_created"), &app.admin).await;
    assert_eq!(events(&body).len(), 5);
    let (_, body) = app.get(&format!("{base}?event[]=team_created&author[]=bob@example.com"), &app.admin).await;
    assert_eq!(events(&body).len(), 2);
    let bob_id = app.user_id(&bob).await;
    let (_, body) = app
        .get(&format!("{base}?author[]={bob_id}&event[]=invitation_accepted&event[]=team_created"), &app.admin)
        .await;
    assert_eq!(events(&body), ["team_created", "team_created", "invitation_accepted"], "newest first");
    let (_, body) = app.get(&format!("{base}?team[]=T3&pg[sortDir]=asc"), &app.admin).await;
    assert_eq!(body["auditLogs"].as_array().unwrap().len(), 1);
    assert_eq!(body["auditLogs"][0]["team"]["name"], "T3");
    // Days are the organization's (Europe/Prague, id 113): in the hour before midnight UTC it is already tomorrow
    // there.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Prague).date_naive();
    let (_, body) = app.get(&format!("{base}?dateFrom={today}&dateTo={today}"), &app.admin).await;
    assert_eq!(events(&body).len(), 8, "every entry is from today");
    let tomorrow = today.succ_opt().unwrap().succ_opt().unwrap();
    let (_, body) = app.get(&format!("{base}?dateFrom={tomorrow}"), &app.admin).await;
    assert!(events(&body).is_empty());

    let (_, f) = app.get(&format!("{base}/filters"), &app.admin).await;
    assert_eq!(f["users"].as_array().unwrap().len(), 2, "{f}");
    assert_eq!(f["teams"].as_array().unwrap().len(), 5, "{f}");
    let headers: Vec<&str> = f["events"].as_array().unwrap().iter().map(|g| g["header"].as_str().unwrap()).collect();
    assert_eq!(headers, ["Organization", "Members", "Teams"]);
    assert_eq!(f["events"][2]["items"], json!([{"label": "Team created", "value": "team_created"}]));

    // The team's log, and one entry by uuid with or without dashes.
    let (_, teams) = app.get(&format!("/teams?organizationId={org}&pg[sortBy]=id&pg[sortDir]=desc"), &app.admin).await;
    let t = teams["teams"][0]["id"].as_i64().unwrap();
    let (_, body) = app.get(&format!("/audit-logs/v2/team/{t}"), &app.admin).await;
    assert_eq!(events(&body), ["team_created"]);
    let (_, tf) = app.get(&format!("/audit-logs/v2/team/{t}/filters"), &app.admin).await;
    assert_eq!(tf["teams"], json!([{"id": t, "name": "T4"}]));
    let uuid = body["auditLogs"][0]["uuid"].as_str().unwrap().to_string();
    let dashed = format!("{}-{}-{}-{}-{}", &uuid[..8], &uuid[8..12], &uuid[12..16], &uuid[16..20], &uuid[20..]);
    let (status, one) = app.get(&format!("/audit-logs/v2/{org}/{dashed}"), &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (one["auditLog"]["uuid"].as_str(), one["auditLog"]["detail"]["name"].as_str()),
        (Some(uuid.as_str()), Some("T4"))
    );
    let imt = one["auditLog"]["imtId"].as_str().unwrap();
    assert!(imt.ends_with(&uuid) && imt.split('_').next().unwrap().parse::<i64>().is_ok(), "{imt}");
    assert_error(&app.get(&format!("/audit-logs/v2/{org}/{}", "0".repeat(32)), &app.admin).await, 404, "SC404");
    assert_error(&app.get(&format!("/audit-logs/v2/{org}/nope"), &app.admin).await, 400, "SC400");
    let (status, v1) = app.get(&format!("/audit-logs/organization/{org}"), &app.admin).await;
    assert_eq!((status, v1["auditLogs"].as_array().unwrap().len()), (StatusCode::OK, 8), "the v1 path");

    for bad in [
        "event[]=nothing",
        "pg[sortDir]=up",
        "pg[limit]=0",
        "pg[last]=x",
        "dateFrom=2026-13-01",
        "author[]=bob",
        "pg[offset]=5",
        "pg[sortBy]=name",
    ] {
        assert_error(&app.get(&format!("{base}?{bad}"), &app.admin).await, 400, "SC400");
    }
}

#[tokio::test]
async fn the_cursor_walks_a_growing_log_without_repeats_or_gaps() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Growing").await;
    for i in 0..20 {
        app.patch(&format!("/organizations/{org}"), &app.admin, json!({"name": format!("Growing {i}")})).await;
    }
    let at_start: HashSet<String> =
        log(&app, org, &app.admin).await.iter().map(|e| e["uuid"].as_str().unwrap().to_string()).collect();
    assert_eq!(at_start.len(), 21);
    for dir in ["desc", "asc"] {
        let mut seen: Vec<String> = Vec::new();
        let mut last: Option<String> = None;
        loop {
            let cursor = last.as_ref().map(|l| format!("&pg[last]={l}")).unwrap_or_default();
            let (status, body) = app
                .get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=4&pg[sortDir]={dir}{cursor}"), &app.admin)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let page = body["auditLogs"].as_array().unwrap();
            if page.is_empty() {
                assert!(body["pg"]["last"].is_null());
                break;
            }
            seen.extend(page.iter().map(|e| e["uuid"].as_str().unwrap().to_string()));
            last = body["pg"]["last"].as_str().map(String::from);
            if page.len() < 4 {
                break;
            }
            // The log grows while it is read (oldest first, the walk reaches the new entries too).
            app.patch(&format!("/organizations/{org}"), &app.admin, json!({"name": format!("During {}", seen.len())}))
                .await;
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{dir}: no entry twice");
        assert!(at_start.iter().all(|u| unique.contains(u)), "{dir}: every entry there at the start is seen");
    }
}

#[tokio::test]
async fn only_owners_admins_and_team_admins_read_logs() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Guarded").await;
    let member = app.join(org, &app.admin, "member@example.com", 13).await;
    let admin = app.join(org, &app.admin, "admin2@example.com", 12).await;
    let (_, team) = app.post("/teams", &app.admin, json!({"name": "Theirs", "organizationId": org})).await;
    let team_id = team["team"]["id"].as_i64().unwrap();
    let member_id = app.user_id(&member).await;
    let set = format!("/users/{member_id}/user-team-roles/{team_id}");
    assert_eq!(app.post(&set, &app.admin, json!({"usersRoleId": 1})).await.0, StatusCode::OK);
    let stranger = app.user("stranger@example.com").await;

    let org_log = format!("/audit-logs/v2/organization/{org}");
    assert_eq!(app.get(&org_log, &admin).await.0, StatusCode::OK);
    assert_error(&app.get(&org_log, &member).await, 403, "SC403");
    assert_error(&app.get(&format!("{org_log}/filters"), &member).await, 403, "SC403");
    assert_error(&app.get(&org_log, &stranger).await, 403, "SC403");
    assert_error(&app.get("/audit-logs/v2/organization/999999", &app.admin).await, 404, "SC404");
    // The member administers one team: its log, not the organization's nor another team's.
    assert_eq!(app.get(&format!("/audit-logs/v2/team/{team_id}"), &member).await.0, StatusCode::OK);
    let first = app.first_team(&app.admin, org).await;
    assert_error(&app.get(&format!("/audit-logs/v2/team/{first}"), &member).await, 403, "SC403");
    assert_error(&app.get("/audit-logs/v2/team/999999", &app.admin).await, 404, "SC404");
    let read_only = app.user_with_scopes("viewer@example.com", Some("teams:read")).await;
    assert_error(&app.get(&org_log, &read_only).await, 403, "SC403");
}

#[tokio::test]
async fn retention_prunes_old_entries_only() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Old").await;
    let old_ms = (chrono::Utc::now() - chrono::Duration::days(400)).timestamp_millis();
    app.sql(&format!(
        "insert into audit_log (uuid, organization_id, organization_name, event_name, target_id, detail, triggered_ms)
         values ('{}', {org}, 'Old', 'organization_updated', '{org}', '{{}}', {old_ms})",
        "a".repeat(32)
    ))
    .await;
    assert_eq!(log(&app, org, &app.admin).await.len(), 2);
    assert_eq!(orgd::retention::prune(&*app.store, 365).await.unwrap(), 1);
    let left = log(&app, org, &app.admin).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["eventName"], "organization_created");
}
