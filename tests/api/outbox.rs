//! The e-mail outbox as the API and the operator see it: every invite and ownership transfer queues its message
//! in its own transaction (a refused one queues none), replaced, withdrawn or accepted invitations drop their
//! unsent message, the hourly bound on invitations, and `orgd outbox list` / `retry`.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::BIN;
use crate::helpers::{assert_error, read, spawn_teams_plan, TestApp};

async fn rows(app: &TestApp) -> Vec<(String, String, String, Option<String>)> {
    let mut list = app.store.outbox_list(None, 1000).await.unwrap();
    list.reverse();
    list.into_iter().map(|m| (m.kind, m.recipient, m.status, m.last_error)).collect()
}

fn row(kind: &str, to: &str, status: &str, why: Option<&str>) -> (String, String, String, Option<String>) {
    (kind.into(), to.into(), status.into(), why.map(String::from))
}

async fn invite(app: &TestApp, org: i64, email: &str, role: i64) -> (StatusCode, Value) {
    let body = json!({"email": email, "name": "Someone", "usersRoleId": role});
    app.post(&format!("/organizations/{org}/invite"), &app.admin, body).await
}

#[tokio::test]
async fn invites_and_transfers_queue_their_message_with_the_change_and_refused_ones_none() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Acme").await;
    assert_eq!(invite(&app, org, "ann@example.com", 13).await.0, StatusCode::OK);
    assert_eq!(rows(&app).await, [row("invitation", "ann@example.com", "pending", None)]);

    // Refused invites write nothing, message included.
    assert_error(&invite(&app, org, "admin@localhost", 13).await, 400, "IM005");
    assert_error(&invite(&app, org, "ann@example.com", 11).await, 400, "SC400");
    assert_eq!(rows(&app).await.len(), 1);

    // A re-invitation replaces the unsent message; a withdrawal drops it.
    assert_eq!(invite(&app, org, "ann@example.com", 12).await.0, StatusCode::OK);
    let ann = app.store.outbox_list(None, 1).await.unwrap()[0].user_id;
    let (status, _) = app.post(&format!("/users/{ann}/user-organization-roles/{org}"), &app.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // Bob accepts before his message went out: it is not sent any more. Then he becomes the Owner.
    let bob = app.join(org, &app.admin, "bob@example.com", 12).await;
    let bob_id = app.user_id(&bob).await;
    let (status, body) = app
        .post(&format!("/organizations/{org}/user-organization-roles/transfer"), &app.admin, json!({"userId": bob_id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        rows(&app).await,
        [
            row("invitation", "ann@example.com", "cancelled", Some("replaced by a newer invitation")),
            row("invitation", "ann@example.com", "cancelled", Some("the invitation was withdrawn")),
            row("invitation", "bob@example.com", "cancelled", Some("the invitation was accepted before it was sent")),
            row("new_owner", "bob@example.com", "pending", None),
        ]
    );
    let metrics = reqwest::get(app.root("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("orgd_outbox_messages{status=\"pending\"} 1"), "{metrics}");
    assert!(metrics.contains("orgd_outbox_messages{status=\"cancelled\"} 3"), "{metrics}");
    assert!(metrics.contains("orgd_outbox_messages{status=\"failed\"} 0"), "{metrics}");
}

#[tokio::test]
async fn invitations_past_the_hourly_bound_are_refused_with_429_and_retry_after() {
    let app = TestApp::spawn_with(crate::helpers::Db::fresh().await, |c| {
        c.default_plan = "teams".into();
        c.invitations_per_hour = 2;
    })
    .await;
    let (acme, other) = (app.create_org(&app.admin, "Acme").await, app.create_org(&app.admin, "Other").await);
    let invite = |org: i64, email: &str| {
        app.raw(Method::POST, &format!("/organizations/{org}/invite"))
            .header("Authorization", format!("Token {}", app.admin))
            .json(&json!({"email": email, "name": "Someone", "usersRoleId": 13}))
            .send()
    };
    for email in ["a@example.com", "b@example.com"] {
        assert_eq!(invite(acme, email).await.unwrap().status(), StatusCode::OK);
    }
    for email in ["c@example.com", "a@example.com"] {
        let res = invite(acme, email).await.unwrap();
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&retry), "{retry}");
        let body = assert_error(&read(res).await, 429, "SC429");
        assert!(body["detail"].as_str().unwrap().contains("2 invitations per hour"), "{body}");
    }
    // Nothing of the refused invites was written; other organizations have their own bound.
    let (_, roles) = app.get(&format!("/organizations/{acme}/user-organization-roles"), &app.admin).await;
    assert_eq!(roles["userOrganizationRoles"].as_array().unwrap().len(), 3, "{roles}");
    assert_eq!(rows(&app).await.len(), 2);
    assert_eq!(invite(other, "c@example.com").await.unwrap().status(), StatusCode::OK);
}

fn orgd(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).env("ORGD_DATABASE_URL", &app.db.url).output().unwrap()
}

#[tokio::test]
async fn orgd_outbox_list_and_retry_drive_the_outbox() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Acme").await;
    for email in ["ann@example.com", "bob@example.com"] {
        assert_eq!(invite(&app, org, email, 13).await.0, StatusCode::OK);
    }
    let ids: Vec<i64> = app.store.outbox_list(None, 10).await.unwrap().iter().map(|m| m.id).collect();
    let (bob, ann) = (ids[0], ids[1]);
    app.sql(&format!(
        "update outbox set status = 'failed', attempts = 15, last_error = '550 no such user' where id = {ann}"
    ))
    .await;
    app.sql(&format!("update outbox set status = 'sent', attempts = 1, sent_ms = created_ms where id = {bob}")).await;

    let out = orgd(&app, &["outbox", "list", "--status", "failed", "--format", "jsonl"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0]["id"].as_i64(), lines[0]["recipient"].as_str()), (Some(ann), Some("ann@example.com")));
    assert_eq!((lines[0]["attempts"].as_i64(), lines[0]["lastError"].as_str()), (Some(15), Some("550 no such user")));
    assert!(lines[0].get("params").is_none() && !lines[0].to_string().contains("hash"), "no invitation hash");
    let table = String::from_utf8(orgd(&app, &["outbox", "list"]).stdout).unwrap();
    let head: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(head[..4], ["ID", "STATUS", "KIND", "ORG"], "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

    let out = orgd(&app, &["outbox", "retry", &ann.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = app.store.outbox_list(Some("pending"), 10).await.unwrap();
    assert_eq!((m.len(), m[0].id, m[0].attempts), (1, ann, 0));
    for (id, says) in [(bob, "is sent"), (999, "no message 999")] {
        let out = orgd(&app, &["outbox", "retry", &id.to_string()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says) && err.lines().count() == 1, "{err}");
    }
}
