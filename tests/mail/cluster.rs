//! Two `orgd serve` nodes over one PostgreSQL database: the messages queued through both, while the mail server
//! was down, go out once each when it returns, although both nodes race for them.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;

use crate::sink::{self, header, Sink};
use crate::{all_sent, create_org, invite, serve, wait_outbox, Db};

const MESSAGES: usize = 24;

#[tokio::test]
async fn two_nodes_send_each_message_once() {
    if std::env::var("TEST_POSTGRES_URL").is_err() {
        eprintln!(
            "\n*** SKIPPED: the two-node mail test needs PostgreSQL (set TEST_POSTGRES_URL or run scripts/test) ***\n"
        );
        return;
    }
    if !sink::available() {
        return;
    }
    let db = Db::fresh().await;
    let mut smtp = Sink::reserved(&[]);
    let fast = [("ORGD_MAIL_POLL_INTERVAL_MS", "20"), ("ORGD_MAIL_BACKOFF_MAX_MS", "400")];
    let nodes = [serve(&db, Some(&smtp.url()), &fast), serve(&db, Some(&smtp.url()), &fast)];
    let org = create_org(&nodes[0], "Cluster").await;
    for i in 0..MESSAGES {
        let (status, body) = invite(&nodes[i % 2], org, &format!("person{i}@example.com"), 13).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Both nodes have been trying and failing; now the server is back and both race for the same rows.
    tokio::time::sleep(Duration::from_millis(500)).await;
    smtp.up();
    smtp.wait_for(MESSAGES, 60).await;
    wait_outbox(&db, 30, "all sent", |r| r.len() == MESSAGES && all_sent(r)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = smtp.messages();
    assert_eq!(got.len(), MESSAGES, "each message once");
    let recipients: HashSet<String> = got.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string()).collect();
    assert_eq!(recipients.len(), MESSAGES);
    let ids: HashSet<Vec<String>> = got.iter().map(|m| header(m, "Message-ID")).collect();
    assert_eq!(ids.len(), MESSAGES);
}
