//! The outbox worker of `orgd serve`: claims due messages one at a time, sends them, and settles each (sent;
//! retried with exponential backoff; failed after the last attempt or when the server refuses it for good).
//! While the mail server is unreachable it says so once, waits between tries, and says when it is back. It never
//! runs inside a request, so a slow or dead mail server never slows or fails one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::smtp::{Failure, Smtp};
use super::{build, templates, Settings};
use crate::metrics::Metrics;
use crate::store::outbox::{Claimed, Outcome};
use crate::store::Store;

/// Sent and cancelled messages are kept this long, for `orgd outbox list`.
const KEEP: chrono::Duration = chrono::Duration::days(30);
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

pub struct Worker {
    store: Arc<dyn Store>,
    settings: Settings,
    metrics: Arc<Metrics>,
    /// Rung after a request queued a message, so it goes out without waiting for the next poll.
    wake: Arc<Notify>,
    /// This process, as the claims name it.
    node: String,
}

fn now_ms() -> i64 {
    crate::store::clock::now().timestamp_millis()
}

impl Worker {
    pub fn new(store: Arc<dyn Store>, settings: Settings, metrics: Arc<Metrics>, wake: Arc<Notify>) -> Worker {
        Worker { store, settings, metrics, wake, node: uuid::Uuid::new_v4().simple().to_string() }
    }

    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run())
    }

    async fn run(self) {
        match self.store.release_stale_claims(&self.node).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "took back e-mail an earlier run was sending when it stopped"),
            Err(e) => tracing::warn!(error = %e, "could not release earlier claims on the outbox"),
        }
        match self.settings.smtp.clone() {
            Some(smtp) => self.send_forever(smtp).await,
            None => self.keep_forever().await,
        }
    }

    /// Without a mail server, messages wait in the outbox; only pruning runs.
    async fn keep_forever(&self) -> ! {
        let waiting = self.pending().await;
        tracing::warn!(
            pending = waiting,
            "no SMTP server configured (--smtp-url): e-mail is kept in the outbox and sent once one is"
        );
        loop {
            self.prune().await;
            tokio::time::sleep(PRUNE_EVERY).await;
        }
    }

    /// Claims and sends due messages one at a time, waking early when a request queues one; while the mail server
    /// is unreachable, one message at a time probes it after a back-off.
    async fn send_forever(&self, smtp: Smtp) -> ! {
        tracing::info!(server = %smtp.server, from = %self.settings.from, "sending e-mail");
        let mut down_since: Option<Instant> = None;
        let mut db_failing = false;
        let mut pruned_at: Option<Instant> = None;
        loop {
            if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                self.prune().await;
                pruned_at = Some(Instant::now());
            }
            let Some(msg) = self.next_due(&mut db_failing).await else { continue };
            let reached = self.deliver(&smtp, msg, down_since.is_some()).await;
            down_since = self.server_state(&smtp, reached, down_since);
            if down_since.is_some() {
                // Each due message would fail the same way: wait, then try the next one as a probe.
                tokio::time::sleep(self.settings.backoff_base).await;
            }
        }
    }

    /// The next due message, claimed for this node; `None` after waiting when nothing is due or the outbox could
    /// not be read (said once per failing stretch).
    async fn next_due(&self, db_failing: &mut bool) -> Option<Claimed> {
        let now = now_ms();
        // Twice the send timeout: room for clock differences between nodes. A node that died mid-send frees its
        // message when this passes.
        let until = now + 2 * self.settings.timeout.as_millis() as i64;
        match self.store.claim_mail(&self.node, now, until).await {
            Ok(Some(msg)) => {
                *db_failing = false;
                return Some(msg);
            }
            Ok(None) => {
                *db_failing = false;
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                }
            }
            Err(e) => {
                if !*db_failing {
                    tracing::warn!(error = %e, "reading the outbox failed; trying again");
                }
                *db_failing = true;
                tokio::time::sleep(self.settings.poll_interval).await;
            }
        }
        None
    }

    /// Since when the mail server has been unreachable after a delivery attempt, logging and reporting changes.
    fn server_state(&self, smtp: &Smtp, reached: bool, down_since: Option<Instant>) -> Option<Instant> {
        match (reached, down_since) {
            (true, Some(since)) => {
                tracing::info!(
                    server = %smtp.server,
                    down_secs = since.elapsed().as_secs(),
                    "the mail server is reachable again; sending the outbox"
                );
                self.metrics.mail_server_up(true);
                None
            }
            (false, None) => {
                self.metrics.mail_server_up(false);
                Some(Instant::now())
            }
            (_, same) => same,
        }
    }

    /// Renders, sends and settles one claimed message; false when the mail server could not be reached.
    /// `known_down`: the server was already unreachable, and the log has said so.
    async fn deliver(&self, smtp: &Smtp, msg: Claimed, known_down: bool) -> bool {
        let started = Instant::now();
        let message = serde_json::from_str(&msg.params)
            .map_err(|e| e.to_string())
            .and_then(|p| templates::render(&msg.kind, &p, &self.settings.public_url))
            .and_then(|r| build(&self.settings.from, msg.id, msg.created_ms, &msg.recipient, r));
        let result = match message {
            Ok(m) => smtp.send(m).await,
            Err(e) => Err(Failure::Refused(e)),
        };
        let now = now_ms();
        let (outcome, label, reached) = match result {
            Ok(()) => {
                self.metrics.mail_sent(started.elapsed().as_secs_f64());
                tracing::info!(outbox.id = msg.id, outbox.kind = %msg.kind, "e-mail sent");
                (Outcome::Sent { at_ms: now }, "sent", true)
            }
            Err(Failure::Refused(error)) => {
                tracing::warn!(outbox.id = msg.id, %error, "e-mail refused for good; the message is failed");
                (Outcome::Failed { error }, "refused", true)
            }
            Err(Failure::Deferred(error)) => {
                tracing::info!(outbox.id = msg.id, %error, "the mail server deferred an e-mail; retrying later");
                (Outcome::Retry { at_ms: now + self.backoff(msg.attempts), error }, "deferred", true)
            }
            Err(Failure::Unreachable(error)) => {
                // Said once per outage, not once per message.
                if !known_down {
                    tracing::warn!(server = %smtp.server, %error,
                        "the mail server is unreachable; e-mail waits in the outbox and is retried");
                } else {
                    tracing::debug!(outbox.id = msg.id, %error, "mail server still unreachable");
                }
                (Outcome::Retry { at_ms: now + self.backoff(msg.attempts), error }, "unreachable", false)
            }
        };
        self.metrics.mail_attempt(label);
        let failed_for_good = matches!(&outcome, Outcome::Retry { .. }) && msg.attempts >= self.settings.max_attempts;
        if failed_for_good {
            tracing::warn!(outbox.id = msg.id, attempts = msg.attempts, "e-mail failed after its last attempt");
        }
        match self.store.finish_mail(msg.id, &self.node, &outcome, self.settings.max_attempts).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(outbox.id = msg.id, "the claim on an e-mail expired while it was sent"),
            // The claim expires and the message is sent again: at least once, never lost.
            Err(e) => tracing::warn!(outbox.id = msg.id, error = %e, "could not record how sending an e-mail ended"),
        }
        reached
    }

    /// The wait after the `attempts`-th attempt: the base, doubled each time, at most the maximum.
    fn backoff(&self, attempts: i64) -> i64 {
        backoff_ms(self.settings.backoff_base, self.settings.backoff_max, attempts)
    }

    async fn pending(&self) -> i64 {
        let counts = self.store.outbox_counts().await.unwrap_or_default();
        counts.into_iter().find(|(s, _)| s == "pending").map(|(_, n)| n).unwrap_or(0)
    }

    async fn prune(&self) {
        let before = (crate::store::clock::now() - KEEP).timestamp_millis();
        loop {
            match self.store.prune_outbox(before, 1_000).await {
                Ok(1_000) => tokio::time::sleep(Duration::from_millis(50)).await,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "pruning the outbox failed; trying again later");
                    return;
                }
            }
        }
    }
}

pub fn backoff_ms(base: Duration, max: Duration, attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 32) as u32 - 1;
    let wait = base.as_millis().saturating_mul(1u128 << exp).min(max.as_millis());
    wait as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let (b, m) = (Duration::from_secs(30), Duration::from_secs(3600));
        let waits: Vec<i64> = (1..=9).map(|a| backoff_ms(b, m, a) / 1000).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff_ms(b, m, 1000), 3_600_000);
    }
}
