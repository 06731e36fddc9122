//! What arrives: the invitation with a hash that works, the re-invitation, the new Owner's message, and names or
//! notes that try to inject headers or markup.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::sink::{self, hash_in, header, Sink};
use crate::{all_sent, assert_no_token, call, create_org, get_text, invite, orgd, serve, wait_outbox, Db, TOKEN};

#[tokio::test]
async fn an_invitation_reaches_the_invitee_once_and_its_hash_lets_them_join() {
    if !sink::available() {
        return;
    }
    let (db, smtp) = (Db::fresh().await, Sink::start(&[]));
    let node = serve(&db, Some(&smtp.url()), &[("ORGD_PUBLIC_URL", "https://orgd.example.test/")]);
    let org = create_org(&node, "Acme Automation").await;
    let body = json!({"email": "Ann@Example.com", "name": "Ann", "usersRoleId": 12, "note": "Welcome aboard!"});
    let (status, answer) =
        call(Method::POST, format!("{}/organizations/{org}/invite", node.base()), TOKEN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let got = smtp.wait_for(1, 30).await;
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], json!(["ann@example.com"]));
    assert_eq!(m["mail_from"], "orgd@localhost");
    assert_eq!(header(m, "To"), ["ann@example.com"]);
    assert_eq!(header(m, "From"), ["orgd@localhost"]);
    assert_eq!(m["subject"], "Administrator invited you to Acme Automation");
    let text = m["text"].as_str().unwrap();
    let html = m["html"].as_str().unwrap();
    for part in [text, html] {
        assert!(part.contains("Acme Automation") && part.contains("Admin"), "{part}");
        assert!(part.contains("Administrator (admin@localhost)"), "the inviter: {part}");
        assert!(part.contains("Welcome aboard!"), "the note: {part}");
        // A new account has no timezone yet: the organization's (113, Europe/Prague) is used.
        assert!(part.contains("Europe/Prague"), "{part}");
        assert!(part.contains("https://orgd.example.test/console/#/join/"), "{part}");
        assert!(part.contains("https://orgd.example.test/api/v2/organizations/accept-invitation"), "{part}");
    }

    // The invitee gets an account and a token, and joins with the hash from the message.
    let ann = orgd(&db, &["users", "add", "--email", "ann@example.com", "--name", "Ann"]).trim().to_string();
    let hash = hash_in(m);
    let (status, joined) = call(
        Method::POST,
        format!("{}/organizations/accept-invitation", node.base()),
        &ann,
        Some(json!({"hash": hash})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["userOrganizationRole"]["usersRoleId"], 12);
    assert_no_token(&got, &[TOKEN, &ann]);

    let rows = wait_outbox(&db, 10, "the message is recorded as sent", all_sent).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0]["attempts"].as_i64(), rows[0]["kind"].as_str()), (Some(1), Some("invitation")));
    assert_eq!(smtp.messages().len(), 1, "exactly one message");
    let (_, metrics) = get_text(format!("http://{}/metrics", node.addr)).await;
    assert!(metrics.contains("orgd_outbox_messages{status=\"sent\"} 1"), "{metrics}");
    assert!(metrics.contains("orgd_outbox_messages{status=\"pending\"} 0"), "{metrics}");
    assert!(metrics.contains("orgd_mail_send_duration_seconds_count 1"), "{metrics}");
    assert!(metrics.contains("orgd_mail_attempts_total{outcome=\"sent\"} 1"), "{metrics}");
}

#[tokio::test]
async fn a_reinvitation_sends_a_new_hash_and_the_new_owner_is_told() {
    if !sink::available() {
        return;
    }
    let (db, smtp) = (Db::fresh().await, Sink::start(&[]));
    let node = serve(&db, Some(&smtp.url()), &[]);
    let org = create_org(&node, "Acme").await;
    // Ann has an account in New York: her expiry is shown in her timezone.
    let ann =
        orgd(&db, &["users", "add", "--email", "ann@example.com", "--name", "Ann", "--timezone", "America/New_York"])
            .trim()
            .to_string();
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let first = smtp.wait_for(1, 30).await;
    assert_eq!(invite(&node, org, "ann@example.com", 12).await.0, StatusCode::OK);
    let both = smtp.wait_for(2, 30).await;
    assert!(first[0]["text"].as_str().unwrap().contains("as Member"));
    assert!(both[1]["text"].as_str().unwrap().contains("as Admin"));
    assert!(both[1]["text"].as_str().unwrap().contains("America/New_York"));
    let (old, new) = (hash_in(&both[0]), hash_in(&both[1]));
    assert_ne!(old, new);
    let accept = |hash: String| {
        let url = format!("{}/organizations/accept-invitation", node.base());
        let ann = ann.clone();
        async move { call(Method::POST, url, &ann, Some(json!({"hash": hash}))).await.0 }
    };
    assert_eq!(accept(old).await, StatusCode::NOT_FOUND, "the replaced invitation no longer works");
    assert_eq!(accept(new).await, StatusCode::OK);

    // Ann takes over the organization and is told so.
    let (_, me) = call(Method::GET, format!("{}/users/me", node.base()), &ann, None).await;
    let ann_id = me["authUser"]["id"].as_i64().unwrap();
    let (status, body) = call(
        Method::POST,
        format!("{}/organizations/{org}/user-organization-roles/transfer", node.base()),
        TOKEN,
        Some(json!({"userId": ann_id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let got = smtp.wait_for(3, 30).await;
    let m = &got[2];
    assert_eq!(m["rcpt_tos"], json!(["ann@example.com"]));
    assert_eq!(m["subject"], "You are now the Owner of Acme");
    assert!(m["text"].as_str().unwrap().contains("Administrator (admin@localhost) transferred the ownership"));
    assert_no_token(&got, &[TOKEN, &ann]);
    let rows = wait_outbox(&db, 10, "all three sent", |r| r.len() == 3 && all_sent(r)).await;
    assert_eq!(rows[2]["kind"], "new_owner");
}

#[tokio::test]
async fn names_and_notes_inject_no_header_and_are_escaped_in_html() {
    if !sink::available() {
        return;
    }
    let (db, smtp) = (Db::fresh().await, Sink::start(&[]));
    let node = serve(&db, Some(&smtp.url()), &[]);
    let org = create_org(&node, "Plain").await;
    // The API refuses such names; one that reached the database another way must still be harmless.
    db.rename_org(org, "Evil\r\nBcc: victim@example.com\r\nX-Injected: yes\n<script>alert(1)</script> & co").await;
    let note = "<img src=x onerror=alert(1)>\r\nX-Note-Injected: 1\r\n\r\n<a href=\"http://evil\">click</a>";
    let body = json!({"email": "bob@example.com", "name": "Bob", "usersRoleId": 13, "note": note});
    let (status, answer) =
        call(Method::POST, format!("{}/organizations/{org}/invite", node.base()), TOKEN, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let m = &smtp.wait_for(1, 30).await[0];
    assert_eq!(m["rcpt_tos"], json!(["bob@example.com"]), "nobody else receives it");
    let names: Vec<String> =
        m["headers"].as_array().unwrap().iter().map(|h| h[0].as_str().unwrap().to_lowercase()).collect();
    for injected in ["bcc", "x-injected", "x-note-injected"] {
        assert!(!names.contains(&injected.to_string()), "{injected} header in {names:?}");
    }
    let subject = m["subject"].as_str().unwrap();
    assert!(!subject.contains('\n') && !subject.contains('\r'), "{subject:?}");
    assert!(subject.contains("Evil Bcc: victim@example.com X-Injected: yes"), "{subject:?}");
    let html = m["html"].as_str().unwrap();
    assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<a href=\"http://evil"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)>") && text.contains("X-Note-Injected: 1"), "{text}");
}
