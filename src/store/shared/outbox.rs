//! The e-mail outbox (the SQL is in `store::outbox`; this binds and runs it). On PostgreSQL several nodes claim
//! from one table: the claim skips rows another node has locked, and the claim's lease (`claimed_until_ms`) keeps a
//! message from a second sender while the first one sends it, or hands it on when that node died. One node serves a
//! SQLite database, whose single write connection already serialises claims.

use async_trait::async_trait;

use super::dialect::{FOR_UPDATE, SINGLE_NODE, SKIP_LOCKED};
use super::{BackendStore, Conn};
use crate::store::backend::Backend;
use crate::store::outbox::{self, Claimed, Message, NewMessage, Outcome};
use crate::store::{OutboxStore, StoreError, StoreResult};

/// Queues a message inside the caller's transaction.
pub(super) async fn enqueue(conn: &mut Conn, m: NewMessage, now_ms: i64) -> StoreResult<()> {
    sqlx::query(outbox::INSERT)
        .bind(m.kind)
        .bind(m.org_id)
        .bind(m.user_id)
        .bind(m.recipient)
        .bind(m.params.to_string())
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Refuses another invitation message past the organization's hourly bound.
pub(super) async fn check_budget(conn: &mut Conn, org_id: i64, now_ms: i64, per_hour: i64) -> StoreResult<()> {
    if per_hour <= 0 {
        return Ok(());
    }
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(outbox::RECENT_INVITATIONS)
        .bind(org_id)
        .bind(now_ms - outbox::HOUR_MS)
        .fetch_one(&mut *conn)
        .await?;
    outbox::check_budget(count, oldest, now_ms, per_hour)
}

/// Cancels the invitation messages of a user not sent yet.
pub(super) async fn cancel_pending(conn: &mut Conn, org_id: i64, user_id: i64, why: &str) -> StoreResult<()> {
    sqlx::query(outbox::CANCEL_PENDING).bind(org_id).bind(user_id).bind(why).execute(&mut *conn).await?;
    Ok(())
}

#[async_trait]
impl OutboxStore for BackendStore {
    async fn claim_mail(&self, node: &str, now_ms: i64, until_ms: i64) -> StoreResult<Option<Claimed>> {
        let node = node.to_owned();
        self.write_aside(move |tx| {
            Box::pin(async move {
                let claimed = sqlx::query_as(&outbox::claim_sql(SKIP_LOCKED))
                    .bind(node)
                    .bind(until_ms)
                    .bind(now_ms)
                    .fetch_optional(tx)
                    .await?;
                Ok::<_, StoreError>(claimed)
            })
        })
        .await
    }

    async fn finish_mail(&self, id: i64, node: &str, outcome: &Outcome, max_attempts: i64) -> StoreResult<bool> {
        let (node, outcome) = (node.to_owned(), outcome.clone());
        self.write_aside(move |tx| {
            Box::pin(async move {
                let q = match outcome {
                    Outcome::Sent { at_ms } => sqlx::query(outbox::SENT).bind(at_ms).bind(id).bind(node),
                    Outcome::Retry { at_ms, error } => {
                        sqlx::query(outbox::RETRY).bind(at_ms).bind(error).bind(max_attempts).bind(id).bind(node)
                    }
                    Outcome::Failed { error } => sqlx::query(outbox::FAILED).bind(error).bind(id).bind(node),
                };
                Ok::<_, StoreError>(q.execute(tx).await?.rows_affected() == 1)
            })
        })
        .await
    }

    async fn release_stale_claims(&self, node: &str) -> StoreResult<u64> {
        if !SINGLE_NODE {
            // Other nodes may be sending right now; their claims expire on their own.
            return Ok(0);
        }
        let node = node.to_owned();
        self.write_aside(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(outbox::RELEASE_OTHERS).bind(node).execute(tx).await?;
                Ok::<_, StoreError>(done.rows_affected())
            })
        })
        .await
    }

    async fn outbox_list(&self, status: Option<&str>, limit: i64) -> StoreResult<Vec<Message>> {
        let sql = outbox::list_sql(status.is_some());
        let mut q = sqlx::query_as(&sql);
        if let Some(s) = status {
            q = q.bind(s);
        }
        Ok(q.bind(limit).fetch_all(&mut *self.reader().await?).await?)
    }

    async fn outbox_retry(&self, id: i64, now_ms: i64) -> StoreResult<Option<String>> {
        self.write_aside(move |tx| Box::pin(retry(tx, id, now_ms))).await
    }

    async fn outbox_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(outbox::COUNTS).fetch_all(&mut *self.reader().await?).await?)
    }

    async fn prune_outbox(&self, before_ms: i64, batch: i64) -> StoreResult<u64> {
        self.write_aside(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(outbox::PRUNE).bind(before_ms).bind(batch).execute(tx).await?;
                Ok::<_, StoreError>(done.rows_affected())
            })
        })
        .await
    }

    async fn queue_mail(&self, message: NewMessage, now_ms: i64) -> StoreResult<()> {
        self.write_aside(move |tx| Box::pin(enqueue(tx, message, now_ms))).await
    }
}

/// Makes a message due now; the status it had before.
async fn retry(tx: &mut Conn, id: i64, now_ms: i64) -> StoreResult<Option<String>> {
    let before: Option<String> =
        sqlx::query_scalar(&format!("{}{FOR_UPDATE}", outbox::STATUS_OF)).bind(id).fetch_optional(&mut *tx).await?;
    sqlx::query(outbox::RETRY_NOW).bind(id).bind(now_ms).execute(&mut *tx).await?;
    Ok(before)
}
