//! Feature controls (`/organizations/{organizationId}/feature-controls`, `/teams/{teamId}/feature-controls`), TFA
//! enforcement (`PATCH …/tfa-enforcement`) and installed custom apps (`GET …/apps`).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_teams_plan, suberror_paths, Db, TestApp};

#[tokio::test]
async fn feature_controls_list_filter_select_and_toggle() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Controls").await;
    let other = app.create_org(&app.admin, "Other").await;
    let path = format!("/organizations/{org}/feature-controls");
    let (_, body) = app.get(&path, &app.admin).await;
    assert_eq!(body["enableAllControlFeatures"], true);
    let list = body["featureControls"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    let ids: Vec<i64> = list.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "highest id first: {ids:?}");
    let (_, one) = app.get(&format!("{path}?featureControlName=Make%20AI%20Tools"), &app.admin).await;
    let ai = &one["featureControls"][0];
    assert_eq!((ai["name"].as_str(), ai["label"]["en"].as_str()), (Some("make_ai_tools"), Some("Make AI Tools")));
    assert_eq!(one["featureControls"].as_array().unwrap().len(), 1);
    let id = ai["id"].as_i64().unwrap();
    let (_, slim) = app.get(&format!("{path}?cols[]=id&cols[]=enabled"), &app.admin).await;
    assert_eq!(slim["featureControls"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "enabled"]);

    let (status, body) = app.patch(&path, &app.admin, json!({"id": id, "enabled": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"featureControls": {"id": id, "enabled": false}}));
    let (_, after) = app.get(&format!("{path}?featureControlName=make_ai_tools"), &app.admin).await;
    assert_eq!(
        (after["enableAllControlFeatures"].as_bool(), after["featureControls"][0]["enabled"].as_bool()),
        (Some(false), Some(false))
    );
    let team = app.first_team(&app.admin, org).await;
    let (_, via_team) = app.get(&format!("/teams/{team}/feature-controls"), &app.admin).await;
    assert_eq!(via_team["enableAllControlFeatures"], false);

    assert_eq!(
        suberror_paths(&assert_error(&app.patch(&path, &app.admin, json!({})).await, 400, "SC400")),
        ["id", "enabled"]
    );
    assert_error(&app.patch(&path, &app.admin, json!({"id": 999_999, "enabled": true})).await, 404, "SC404");
    let (_, theirs) = app.get(&format!("/organizations/{other}/feature-controls"), &app.admin).await;
    let foreign = theirs["featureControls"][0]["id"].as_i64().unwrap();
    assert_error(&app.patch(&path, &app.admin, json!({"id": foreign, "enabled": false})).await, 404, "SC404");
    let member = app.join(org, &app.admin, "m@example.com", 13).await;
    assert_error(&app.patch(&path, &member, json!({"id": id, "enabled": true})).await, 403, "SC403");
    let read_scoped = app.user_with_scopes("r@example.com", Some("organization:read")).await;
    assert_error(&app.patch(&path, &read_scoped, json!({"id": id, "enabled": true})).await, 403, "SC403");
}

/// Ids name their organization; only switched-off controls are stored, and switching one back on drops its row.
#[tokio::test]
async fn control_ids_belong_to_one_organization_and_re_enabling_stores_nothing() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Mine").await;
    let other = app.create_org(&app.admin, "Theirs").await;
    let path = format!("/organizations/{org}/feature-controls");
    let states = |body: &serde_json::Value| -> Vec<(String, bool)> {
        let list = body["featureControls"].as_array().unwrap();
        list.iter().map(|c| (c["name"].as_str().unwrap().to_string(), c["enabled"].as_bool().unwrap())).collect()
    };
    let (_, theirs) = app.get(&format!("/organizations/{other}/feature-controls"), &app.admin).await;
    for c in theirs["featureControls"].as_array().unwrap() {
        let body =
            assert_error(&app.patch(&path, &app.admin, json!({"id": c["id"], "enabled": false})).await, 404, "SC404");
        assert_eq!(body["detail"], format!("Feature control {} not found.", c["id"]));
    }
    let (_, mine) = app.get(&path, &app.admin).await;
    let ids: Vec<i64> = mine["featureControls"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    // Past the last control, the unused slot before the first one, the largest id: no control.
    for id in [ids[0] + 1, ids[ids.len() - 1] - 1, i64::MAX] {
        assert_error(&app.patch(&path, &app.admin, json!({"id": id, "enabled": false})).await, 404, "SC404");
    }
    let rows = || async {
        app.db
            .strings(&format!("select cast(count(*) as text) from feature_overrides where organization_id = {org}"))
            .await
    };
    assert_eq!(rows().await, ["0"], "defaults are not stored");

    let (code, make_code) = (ids[3], states(&mine)[3].0.clone());
    assert_eq!(make_code, "make_code");
    app.patch(&path, &app.admin, json!({"id": code, "enabled": false})).await;
    app.patch(&path, &app.admin, json!({"id": ids[0], "enabled": false})).await;
    let (_, after) = app.get(&path, &app.admin).await;
    let off: Vec<String> = states(&after).into_iter().filter(|(_, on)| !on).map(|(n, _)| n).collect();
    assert_eq!(off, ["public_templates", "make_code"]);
    assert_eq!(rows().await, ["2"]);
    let (_, untouched) = app.get(&format!("/organizations/{other}/feature-controls"), &app.admin).await;
    assert_eq!(untouched["enableAllControlFeatures"], true, "the other organization keeps its defaults");

    let (status, body) = app.patch(&path, &app.admin, json!({"id": code, "enabled": true})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"featureControls": {"id": code, "enabled": true}})));
    app.patch(&path, &app.admin, json!({"id": ids[0], "enabled": true})).await;
    let (_, back) = app.get(&path, &app.admin).await;
    assert_eq!(back, mine, "switched back on, the list is the defaults again, ids unchanged");
    assert_eq!(rows().await, ["0"], "a control back at the default leaves no row");
}

#[tokio::test]
async fn tfa_enforcement_is_gated_by_role_instance_and_plan() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Free").await;
    let path = format!("/organizations/{org}/tfa-enforcement");
    let body = assert_error(&app.patch(&path, &app.admin, json!({"enable": true})).await, 402, "SC402");
    assert_eq!(body["message"], "Upgrade your plan to use TFA enforcement feature");
    assert_eq!(
        suberror_paths(&assert_error(&app.patch(&path, &app.admin, json!({"enable": "yes"})).await, 400, "SC400")),
        ["enable"]
    );

    let off = TestApp::spawn_with(Db::fresh().await, |c| {
        c.tfa_enforcement_available = false;
        c.default_plan = "teams".into();
    })
    .await;
    let org2 = off.create_org(&off.admin, "Off").await;
    let body = assert_error(
        &off.patch(&format!("/organizations/{org2}/tfa-enforcement"), &off.admin, json!({"enable": true})).await,
        400,
        "SC400",
    );
    assert_eq!(body["message"], "TFA enforcement feature is not available");
}

#[tokio::test]
async fn enforcement_shuts_out_members_without_tfa_until_they_set_it_up() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Strict").await;
    let member = app.join(org, &app.admin, "m@example.com", 13).await;
    let path = format!("/organizations/{org}/tfa-enforcement");
    assert_error(&app.patch(&path, &member, json!({"enable": true})).await, 403, "SC403");
    assert_error(&app.patch(&path, &app.admin, json!({"enable": true})).await, 400, "IM005");

    assert!(app.store.set_user_tfa("admin@localhost", true).await.unwrap());
    let (status, body) = app.patch(&path, &app.admin, json!({"enable": true})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"organization": {"tfaEnforced": true}})));
    let (_, org_body) = app.get(&format!("/organizations/{org}?cols[]=tfaEnforced"), &app.admin).await;
    assert_eq!(org_body, json!({"organization": {"tfaEnforced": true}}));

    let denied = assert_error(&app.get(&format!("/organizations/{org}"), &member).await, 403, "SC403");
    assert!(denied["detail"].as_str().unwrap().contains("two-factor"));
    assert!(app.store.set_user_tfa("m@example.com", true).await.unwrap());
    assert_eq!(app.get(&format!("/organizations/{org}"), &member).await.0, StatusCode::OK);
    assert!(app.store.set_user_tfa("m@example.com", false).await.unwrap());

    let (_, body) = app.patch(&path, &app.admin, json!({"enabled": false})).await;
    assert_eq!(body, json!({"organization": {"tfaEnforced": false}}));
    assert_eq!(app.get(&format!("/organizations/{org}"), &member).await.0, StatusCode::OK);
}

#[tokio::test]
async fn installed_apps_come_from_the_table() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Apps").await;
    assert_eq!(app.get(&format!("/organizations/{org}/apps"), &app.admin).await.1, json!({"installedApps": []}));
    app.sql(&format!(
        "insert into installed_apps (organization_id, app_name, app_version, installed_by, installed_at, created_at)
         values ({org}, 'my-custom-app-x7k2pq', 3, 1, '2026-01-15T10:30:00+00:00', '2026-01-15T10:30:00+00:00')"
    ))
    .await;
    let (_, body) = app.get(&format!("/organizations/{org}/apps"), &app.admin).await;
    assert_eq!(
        body,
        json!({"installedApps": [{"appName": "my-custom-app-x7k2pq", "appVersion": 3, "organizationId": org,
                                  "installedAt": "2026-01-15T10:30:00.000Z", "installedBy": 1}]})
    );
}

/// The `oldEnabled` of each `feature_control_changed` entry of `org`'s log.
async fn old_states(app: &TestApp, org: i64) -> Vec<bool> {
    let (_, body) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=10000"), &app.admin).await;
    let mut out = Vec::new();
    for e in body["auditLogs"].as_array().unwrap().iter().filter(|e| e["eventName"] == "feature_control_changed") {
        let (_, one) = app.get(&format!("/audit-logs/v2/{org}/{}", e["uuid"].as_str().unwrap()), &app.admin).await;
        out.push(one["auditLog"]["detail"]["oldEnabled"].as_bool().unwrap());
    }
    out.sort();
    out
}

/// Two simultaneous switches of one control each read the state the other left (on PostgreSQL they take the
/// organization's row lock), so the audit log's `oldEnabled` chains: of two switches off from on, one found it on
/// and one found it off; never both on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_switches_record_the_state_each_found() {
    let app = spawn_teams_plan().await;
    for round in 0..5 {
        let org = app.create_org(&app.admin, &format!("Race {round}")).await;
        let path = format!("/organizations/{org}/feature-controls");
        let (_, list) = app.get(&path, &app.admin).await;
        let id = list["featureControls"][0]["id"].as_i64().unwrap();
        for (enabled, want) in [(false, vec![false, true]), (true, vec![false, false, true, true])] {
            let body = json!({"id": id, "enabled": enabled});
            let (a, b) = tokio::join!(app.patch(&path, &app.admin, body.clone()), app.patch(&path, &app.admin, body));
            assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "round {round}: {a:?} {b:?}");
            assert_eq!(old_states(&app, org).await, want, "round {round}, switching to {enabled}");
        }
    }
}
