//! `/organizations/{organizationId}/variables…`: custom variables, strict values, PATCH semantics, history.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, on_postgres, spawn_teams_plan, suberror_paths, TestApp};

fn names(body: &Value) -> Vec<(String, bool)> {
    body["organizationVariables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["isSystem"].as_bool().unwrap()))
        .collect()
}

#[tokio::test]
async fn variables_of_every_type_are_created_listed_and_refused_when_wrong() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Vars").await;
    let path = format!("/organizations/{org}/variables");
    for (name, type_id, value) in [
        ("userID", 1, json!(42)),
        ("ratio", 1, json!(0.25)),
        ("companyName", 2, json!("Acme")),
        ("active", 3, json!(true)),
        ("$since", 4, json!("1998-03-06T12:31:00.000Z")),
    ] {
        let (status, body) =
            app.post(&path, &app.admin, json!({"name": name, "typeId": type_id, "value": value})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"organizationVariable": {"name": name, "typeId": type_id, "value": value, "isSystem": false}})
        );
    }
    let (_, list) = app.get(&path, &app.admin).await;
    let got = names(&list);
    assert_eq!(
        &got[..3],
        [
            ("$organizationId".to_string(), true),
            ("$organizationName".to_string(), true),
            ("$organizationZone".to_string(), true)
        ]
    );
    assert_eq!(
        got[3..].iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["$since", "active", "companyName", "ratio", "userID"]
    );
    assert_eq!(list["organizationVariables"][0]["value"], org);

    let wrong: [(i64, Vec<Value>); 4] = [
        (1, vec![json!("42"), json!(true), json!(null), json!([1]), json!({"n": 1})]),
        (2, vec![json!(1), json!(false), json!(["a"]), json!("x".repeat(65_536))]),
        (3, vec![json!("true"), json!(1), json!(0), json!({"b": true})]),
        (
            4,
            vec![
                json!("1998-03-06"),
                json!("1998-02-30T12:31:00.000Z"),
                json!("1998-03-06T12:31:00Z"),
                json!(889_187_460),
                json!(true),
            ],
        ),
    ];
    for (type_id, values) in wrong {
        for value in values {
            let got = app.post(&path, &app.admin, json!({"name": "bad", "typeId": type_id, "value": value})).await;
            assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["value"], "type {type_id} value {value}");
        }
    }
    for bad in ["", "a-b", "with space", "ünï", "a.b"] {
        let got = app.post(&path, &app.admin, json!({"name": bad, "typeId": 2, "value": "x"})).await;
        assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["name"], "{bad:?}");
    }
    let body = assert_error(&app.post(&path, &app.admin, json!({})).await, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["name", "typeId", "value"]);
    assert_eq!(
        suberror_paths(&assert_error(
            &app.post(&path, &app.admin, json!({"name": "t", "typeId": 9, "value": 1})).await,
            400,
            "SC400"
        )),
        ["typeId"]
    );
    let dup = assert_error(
        &app.post(&path, &app.admin, json!({"name": "userID", "typeId": 2, "value": "again"})).await,
        400,
        "IM005",
    );
    assert_eq!(dup["detail"], "Variable already exists.");
    assert_error(
        &app.post(&path, &app.admin, json!({"name": "$organizationId", "typeId": 1, "value": 1})).await,
        400,
        "IM005",
    );
    let (_, after) = app.get(&path, &app.admin).await;
    assert_eq!(names(&after).len(), 8, "refused creates left nothing");
}

#[tokio::test]
async fn patch_checks_type_and_value_only_against_each_other() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Patch").await;
    let base = format!("/organizations/{org}/variables");
    app.post(&base, &app.admin, json!({"name": "n", "typeId": 1, "value": 1})).await;
    let path = format!("{base}/n");

    let (status, body) = app.patch(&path, &app.admin, json!({"value": "text"})).await;
    assert_eq!(status, StatusCode::OK, "a lone value is not checked against the stored type: {body}");
    assert_eq!(body["organizationVariable"], json!({"name": "n", "typeId": 1, "value": "text", "isSystem": false}));
    let (_, body) = app.patch(&path, &app.admin, json!({"typeId": 3})).await;
    assert_eq!(
        (body["organizationVariable"]["typeId"].as_i64(), body["organizationVariable"]["value"].as_str()),
        (Some(3), Some("text"))
    );
    let got = app.patch(&path, &app.admin, json!({"typeId": 1, "value": "nope"})).await;
    assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["value"]);
    let (_, body) = app.patch(&path, &app.admin, json!({"typeId": 4, "value": "2026-11-28T10:00:00.000Z"})).await;
    assert_eq!(body["organizationVariable"]["typeId"], 4);
    assert_eq!(suberror_paths(&assert_error(&app.patch(&path, &app.admin, json!({})).await, 400, "SC400")), ["value"]);
    assert_error(&app.patch(&format!("{base}/missing"), &app.admin, json!({"value": 1})).await, 404, "SC404");
    assert_error(&app.patch(&format!("{base}/%24organizationId"), &app.admin, json!({"value": 1})).await, 400, "IM005");
    assert_error(&app.patch(&format!("{base}/bad-name"), &app.admin, json!({"value": 1})).await, 400, "SC400");
}

#[tokio::test]
async fn history_is_newest_first_with_author_action_and_diff() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "History").await;
    let editor = app.join(org, &app.admin, "editor@example.com", 12).await;
    let base = format!("/organizations/{org}/variables");
    app.post(&base, &app.admin, json!({"name": "$price", "typeId": 1, "value": 10})).await;
    app.patch(&format!("{base}/%24price"), &editor, json!({"value": 12})).await;
    app.patch(&format!("{base}/$price"), &app.admin, json!({"typeId": 2, "value": "12 EUR"})).await;
    assert_error(&app.delete(&format!("{base}/%24price"), &app.admin).await, 406, "IM004");
    assert_eq!(app.delete(&format!("{base}/%24price?confirmed=true"), &app.admin).await.1, json!({"ok": 1}));

    let (status, body) = app.get(&format!("{base}/%24price/history"), &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    let h = body["organizationVariableHistory"].as_array().unwrap();
    let actions: Vec<_> = h.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "organization_variable_deleted",
            "organization_variable_edited",
            "organization_variable_edited",
            "organization_variable_created"
        ]
    );
    let authors: Vec<_> = h.iter().map(|e| e["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["admin@localhost", "admin@localhost", "editor@example.com", "admin@localhost"]);
    assert_eq!(
        h[1]["diffObject"],
        json!({"name": "$price", "typeId": 2, "value": "12 EUR", "oldValue": 12, "oldTypeId": 1})
    );
    assert_eq!(h[2]["diffObject"], json!({"name": "$price", "typeId": 1, "value": 12, "oldValue": 10}));
    assert_eq!(h[3]["diffObject"], json!({"name": "$price", "typeId": 1, "value": 10}));
    let ids: Vec<i64> = h.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    assert!(h[0]["changed"].as_str().unwrap().ends_with('Z'));
    assert_error(&app.get(&format!("{base}/never/history"), &app.admin).await, 404, "SC404");
    assert_error(&app.delete(&format!("{base}/%24price?confirmed=true"), &app.admin).await, 404, "SC404");
}

#[tokio::test]
async fn without_the_license_only_system_variables_exist() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Free").await;
    let base = format!("/organizations/{org}/variables");
    let (_, list) = app.get(&base, &app.admin).await;
    assert!(names(&list).iter().all(|(_, system)| *system));
    assert_error(&app.post(&base, &app.admin, json!({"name": "x", "typeId": 1, "value": 1})).await, 404, "SC404");
    assert_error(&app.patch(&format!("{base}/x"), &app.admin, json!({"value": 1})).await, 404, "SC404");
    assert_error(&app.delete(&format!("{base}/x?confirmed=true"), &app.admin).await, 404, "SC404");
    assert_error(&app.get(&format!("{base}/x/history"), &app.admin).await, 404, "SC404");

    let sub = format!("/organizations/{org}/subscription");
    app.post(&sub, &app.admin, json!({"priceId": "pro-monthly"})).await;
    assert_eq!(
        app.post(&base, &app.admin, json!({"name": "x", "typeId": 1, "value": 1})).await.0,
        StatusCode::OK,
        "gating follows the plan at once"
    );
}

#[tokio::test]
async fn members_read_variables_but_only_editors_write_and_scopes_apply() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Scoped").await;
    let member = app.join(org, &app.admin, "m@example.com", 13).await;
    let base = format!("/organizations/{org}/variables");
    app.post(&base, &app.admin, json!({"name": "x", "typeId": 1, "value": 1})).await;
    assert_eq!(app.get(&base, &member).await.0, StatusCode::OK);
    assert_error(&app.post(&base, &member, json!({"name": "y", "typeId": 1, "value": 1})).await, 403, "SC403");
    assert_error(&app.patch(&format!("{base}/x"), &member, json!({"value": 2})).await, 403, "SC403");
    let no_var_scope = app.user_with_scopes("o@example.com", Some("organizations:read,organizations:write")).await;
    assert_error(&app.get(&base, &no_var_scope).await, 403, "SC403");
}

/// Concurrent writes share transactions (group commit: every write on SQLite, the writes to one organization on
/// PostgreSQL): a write that fails inside a shared transaction must fail alone, with its own error, and the others
/// around it must land with their history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_fail_alone_and_land_whole() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Busy").await;
    let path = format!("/organizations/{org}/variables");
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (app, path) = (app.clone(), path.clone());
        // Every third request creates the same name: one of them may win, the rest must get "already exists".
        let name = if i % 3 == 0 { "shared".to_string() } else { format!("v{i}") };
        tasks.push(tokio::spawn(async move {
            let got = app.post(&path, &app.admin, json!({"name": name, "typeId": 1, "value": i})).await;
            (name, got)
        }));
    }
    let mut created = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (name, (status, body)) = t.await.unwrap();
        match status {
            StatusCode::OK => created.push(name),
            _ => {
                assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("IM005")), "{name}: {body}");
                assert_eq!(name, "shared");
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 7, "eight creates of one name: exactly one wins");
    let (_, list) = app.get(&path, &app.admin).await;
    let mut stored: Vec<String> =
        names(&list).into_iter().filter(|(_, system)| !system).map(|(name, _)| name).collect();
    stored.sort();
    created.sort();
    assert_eq!(stored, created, "exactly the acknowledged creates are stored");
    for name in &created {
        let (status, history) = app.get(&format!("{path}/{name}/history"), &app.admin).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(history["organizationVariableHistory"].as_array().map(Vec::len), Some(1), "{name}: {history}");
    }
}

/// Many changes of one variable at once, which the group commit runs together: each one's history entry names as
/// its old value what the change before it left, though the later writes of a transaction take that from the
/// earlier ones rather than read it (`store/known.rs`); failing writes among them (a missing variable, a value of
/// the wrong type) change nothing and break nothing.
#[tokio::test]
async fn concurrent_changes_of_one_variable_keep_its_history_whole() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Hot").await;
    let path = format!("/organizations/{org}/variables");
    let (status, body) = app.post(&path, &app.admin, json!({"name": "hot", "typeId": 1, "value": 0})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 1..=40 {
        let (app, path) = (app.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            match i % 10 {
                3 => app.patch(&format!("{path}/ghost"), &app.admin, json!({"value": i})).await,
                7 => app.patch(&format!("{path}/hot"), &app.admin, json!({"typeId": 1, "value": "nope"})).await,
                _ => app.patch(&format!("{path}/hot"), &app.admin, json!({"value": i})).await,
            }
        }));
    }
    let mut acknowledged = Vec::new();
    for (i, t) in (1..=40).zip(tasks) {
        let (status, body) = t.await.unwrap();
        match i % 10 {
            3 => assert_eq!(status, StatusCode::NOT_FOUND, "{body}"),
            7 => assert_eq!(status, StatusCode::BAD_REQUEST, "{body}"),
            _ => {
                assert_eq!(status, StatusCode::OK, "{body}");
                acknowledged.push(i);
            }
        }
    }
    let (_, history) = app.get(&format!("{path}/hot/history?pg[limit]=100"), &app.admin).await;
    let h = history["organizationVariableHistory"].as_array().unwrap();
    assert_eq!(h.len(), acknowledged.len() + 1, "one entry for the create and each acknowledged change: {history}");
    for w in h.windows(2) {
        assert_eq!(w[0]["diffObject"]["oldValue"], w[1]["diffObject"]["value"], "the history is whole: {history}");
    }
    let mut recorded: Vec<i64> = h.iter().map(|e| e["diffObject"]["value"].as_i64().unwrap()).collect();
    recorded.sort();
    let mut expected = acknowledged.clone();
    expected.push(0);
    expected.sort();
    assert_eq!(recorded, expected, "exactly the acknowledged values, each once");
    let (_, list) = app.get(&path, &app.admin).await;
    let hot = list["organizationVariables"].as_array().unwrap().iter().find(|v| v["name"] == "hot").unwrap();
    assert_eq!(hot["value"], h[0]["diffObject"]["value"], "the value is the newest entry's");
}

/// A change the database itself refuses (here a trigger, as an operator's could), among concurrent changes of one
/// variable. On PostgreSQL a batch runs its changes without savepoints, so the refusal rolls the whole batch back
/// and its changes run again, each in a savepoint (`store/group`): it fails alone, every other change is
/// acknowledged once, and the history holds exactly those.
#[tokio::test]
async fn a_change_the_database_refuses_fails_alone_among_concurrent_ones() {
    let app = spawn_teams_plan().await;
    if on_postgres() {
        app.db
            .exec(
                "create function refuse_thirteen() returns trigger language plpgsql as
                 $$ begin raise exception 'refused by a trigger'; end $$",
            )
            .await;
        app.db
            .exec(
                "create trigger refuse_thirteen before insert on variable_history for each row
                 when (new.diff->>'value' = '13') execute function refuse_thirteen()",
            )
            .await;
    } else {
        app.db
            .exec(
                "create trigger refuse_thirteen before insert on variable_history
                 when json_extract(new.diff, '$.value') = 13 begin select raise(abort, 'refused by a trigger'); end",
            )
            .await;
    }
    let org = app.create_org(&app.admin, "Guarded").await;
    let path = format!("/organizations/{org}/variables");
    let (status, body) = app.post(&path, &app.admin, json!({"name": "hot", "typeId": 1, "value": 0})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (1..=30)
        .map(|i| {
            let (app, path) = (app.clone(), path.clone());
            tokio::spawn(async move { app.patch(&format!("{path}/hot"), &app.admin, json!({"value": i})).await })
        })
        .collect();
    let mut acknowledged = vec![0];
    for (i, t) in (1..=30).zip(tasks) {
        let (status, body) = t.await.unwrap();
        if i == 13 {
            assert!(status.is_server_error(), "the refused change is not acknowledged: {status} {body}");
            assert!(body["message"].is_string(), "in Make's error format: {body}");
        } else {
            assert_eq!(status, StatusCode::OK, "{i}: {body}");
            acknowledged.push(i);
        }
    }
    let (_, history) = app.get(&format!("{path}/hot/history?pg[limit]=100"), &app.admin).await;
    let h = history["organizationVariableHistory"].as_array().unwrap();
    for w in h.windows(2) {
        assert_eq!(w[0]["diffObject"]["oldValue"], w[1]["diffObject"]["value"], "the history is whole: {history}");
    }
    let mut recorded: Vec<i64> = h.iter().map(|e| e["diffObject"]["value"].as_i64().unwrap()).collect();
    recorded.sort();
    assert_eq!(recorded, acknowledged, "exactly the acknowledged values, each once");
    // Nothing of the refused change stays, not even its audit entry, written before the statement that failed.
    let (status, log) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[limit]=10000"), &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let updates = log["auditLogs"].as_array().unwrap().iter();
    let updates = updates.filter(|e| e["eventName"] == "organization_variable_updated").count();
    assert_eq!(updates, acknowledged.len() - 1, "one audit entry per acknowledged change");
}

/// The organization deleted while its variable is being changed, which the group commit may run in one
/// transaction (`store/known.rs` forgets what the earlier changes left at the deletion): each change is either
/// acknowledged or finds nothing (404), none answers 5xx, and the organization is gone.
#[tokio::test]
async fn changes_racing_the_organizations_deletion_answer_200_or_404() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Doomed").await;
    let path = format!("/organizations/{org}/variables");
    let (status, body) = app.post(&path, &app.admin, json!({"name": "v", "typeId": 1, "value": 0})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 1..=30 {
        let (app, path) = (app.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            if i == 15 {
                app.delete(&format!("/organizations/{org}?confirmed=true"), &app.admin).await
            } else {
                app.patch(&format!("{path}/v"), &app.admin, json!({"value": i})).await
            }
        }));
    }
    for (i, t) in (1..=30).zip(tasks) {
        let (status, body) = t.await.unwrap();
        if i == 15 {
            assert_eq!(status, StatusCode::OK, "the deletion: {body}");
        } else {
            assert!(matches!(status, StatusCode::OK | StatusCode::NOT_FOUND), "change {i}: {status} {body}");
        }
    }
    assert_error(&app.get(&format!("/organizations/{org}"), &app.admin).await, 404, "SC404");
}
