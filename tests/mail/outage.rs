//! When things go wrong: a mail server that is down, hangs or refuses a recipient; a server killed between the
//! commit and the send; no mail server configured at all. No message is lost, none is sent twice, and no invite
//! waits for the mail server.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::sink::{self, Sink};
use crate::{all_sent, create_org, get_text, invite, orgd, outbox, serve, wait_log, wait_outbox, Db};

#[tokio::test]
async fn a_dead_mail_server_fails_no_invite_and_the_mail_goes_out_when_it_returns() {
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let mut smtp = Sink::reserved(&[]);
    let node = serve(&db, Some(&smtp.url()), &[]);
    let org = create_org(&node, "Acme").await;
    for who in ["ann@example.com", "bob@example.com"] {
        assert_eq!(invite(&node, org, who, 13).await.0, StatusCode::OK);
    }
    let rows = wait_outbox(&db, 30, "several failed attempts", |r| {
        r.len() == 2 && r.iter().all(|m| m["attempts"].as_i64() >= Some(2) && m["status"] == "pending")
    })
    .await;
    assert!(rows[0]["lastError"].as_str().is_some_and(|e| !e.is_empty()), "{rows:?}");
    let (status, _) = get_text(format!("http://{}/health", node.addr)).await;
    assert_eq!(status, StatusCode::OK, "mail is not the database: /health stays green");
    let (_, metrics) = get_text(format!("http://{}/metrics", node.addr)).await;
    assert!(metrics.contains("orgd_mail_server_up 0") && metrics.contains("status=\"pending\"} 2"), "{metrics}");
    assert_eq!(wait_log(&node, "the mail server is unreachable", 10).await, 1, "said once, not per message");

    smtp.up();
    let got = smtp.wait_for(2, 30).await;
    wait_outbox(&db, 10, "both sent", all_sent).await;
    let mut to: Vec<&str> = got.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["ann@example.com", "bob@example.com"]);
    assert_eq!(wait_log(&node, "the mail server is reachable again", 10).await, 1);
    assert_eq!(node.log_lines("the mail server is unreachable").len(), 1);
    let (_, metrics) = get_text(format!("http://{}/metrics", node.addr)).await;
    assert!(metrics.contains("orgd_mail_server_up 1"), "{metrics}");
}

#[tokio::test]
async fn a_mail_server_that_never_answers_does_not_slow_invites() {
    if !sink::available() {
        return;
    }
    // Accepts connections and never says a word.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", hole.local_addr().unwrap());
    let held = std::thread::spawn(move || hole.incoming().take(3).map(|c| c.unwrap()).collect::<Vec<_>>());
    let db = Db::fresh().await;
    let node = serve(&db, Some(&url), &[("ORGD_MAIL_TIMEOUT_SECS", "120")]);
    let org = create_org(&node, "Acme").await;
    let started = Instant::now();
    for i in 0..5 {
        assert_eq!(invite(&node, org, &format!("p{i}@example.com"), 13).await.0, StatusCode::OK);
    }
    // The worker is stuck on a 120 s timeout; the invites are answered regardless.
    assert!(started.elapsed() < Duration::from_secs(30), "invites waited for the mail server");
    assert_eq!(outbox(&db).len(), 5);
    drop(node);
    drop(held);
}

#[tokio::test]
async fn a_message_committed_before_a_sigkill_is_sent_once_after_the_restart() {
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let mut smtp = Sink::reserved(&[]);
    // A short timeout, so that a claim the killed node held (PostgreSQL) expires soon.
    let quick = [("ORGD_MAIL_TIMEOUT_SECS", "3")];
    let mut first = serve(&db, Some(&smtp.url()), &quick);
    let org = create_org(&first, "Acme").await;
    assert_eq!(invite(&first, org, "ann@example.com", 13).await.0, StatusCode::OK);
    // The mail server is down, so the message cannot have left before the kill.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert_eq!(outbox(&db)[0]["status"], "pending");

    smtp.up();
    let second = serve(&db, Some(&smtp.url()), &quick);
    let got = smtp.wait_for(1, 60).await;
    assert_eq!(got[0]["rcpt_tos"][0], "ann@example.com");
    wait_outbox(&db, 10, "sent", all_sent).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1, "sent once");
    drop(second);
}

#[tokio::test]
async fn a_refused_recipient_fails_at_once_without_holding_up_the_queue() {
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let smtp = Sink::start(&["--reject", "bounce"]);
    let node = serve(&db, Some(&smtp.url()), &[]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "bounce@example.com", 13).await.0, StatusCode::OK);
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got[0]["rcpt_tos"][0], "ann@example.com");
    let rows = wait_outbox(&db, 10, "one failed, one sent", |r| {
        r.len() == 2 && r[0]["status"] == "failed" && r[1]["status"] == "sent"
    })
    .await;
    assert_eq!(rows[0]["attempts"], 1, "no retries for a permanent refusal: {rows:?}");
    assert!(rows[0]["lastError"].as_str().unwrap().contains("550"), "{rows:?}");

    // The operator sees it and sends it again; it is refused again.
    let table = orgd(&db, &["outbox", "list", "--status", "failed"]);
    let id = rows[0]["id"].to_string();
    assert!(table.starts_with("ID  ") && table.contains("bounce@example.com") && table.contains("550"), "{table}");
    assert_eq!(table.lines().count(), 2, "{table}");
    orgd(&db, &["outbox", "retry", &id]);
    wait_outbox(&db, 30, "retried and failed again", |r| r[0]["status"] == "failed" && r[0]["attempts"] == 1).await;
    assert_eq!(smtp.messages().len(), 1);
    let (_, metrics) = get_text(format!("http://{}/metrics", node.addr)).await;
    assert!(metrics.contains("orgd_mail_attempts_total{outcome=\"refused\"} 2"), "{metrics}");
}

#[tokio::test]
async fn a_message_gives_up_after_its_attempts_and_retry_sends_it() {
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let mut smtp = Sink::reserved(&[]);
    let node = serve(&db, Some(&smtp.url()), &[("ORGD_MAIL_MAX_ATTEMPTS", "3")]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let rows = wait_outbox(&db, 30, "failed after 3 attempts", |r| r[0]["status"] == "failed").await;
    assert_eq!(rows[0]["attempts"], 3);
    assert!(rows[0]["lastError"].as_str().is_some_and(|e| !e.is_empty()));

    smtp.up();
    let out = std::process::Command::new(crate::common::BIN)
        .args(["outbox", "retry", "999999"])
        .env("ORGD_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no message 999999"));
    orgd(&db, &["outbox", "retry", &rows[0]["id"].to_string()]);
    smtp.wait_for(1, 30).await;
    let rows = wait_outbox(&db, 10, "sent", all_sent).await;
    assert_eq!(rows[0]["attempts"], 1, "attempts start again from zero");
}

#[tokio::test]
async fn without_smtp_messages_wait_in_the_outbox_and_go_out_once_it_is_configured() {
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let node = serve(&db, None, &[]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let rows = outbox(&db);
    assert_eq!((rows.len(), rows[0]["status"].as_str(), rows[0]["attempts"].as_i64()), (1, Some("pending"), Some(0)));
    assert_eq!(wait_log(&node, "kept in the outbox: no SMTP server is configured", 10).await, 1);
    drop(node);

    let smtp = Sink::start(&[]);
    let node = serve(&db, Some(&smtp.url()), &[]);
    assert_eq!(smtp.wait_for(1, 30).await[0]["rcpt_tos"][0], "ann@example.com");
    wait_outbox(&db, 10, "sent", all_sent).await;
    drop(node);
}
