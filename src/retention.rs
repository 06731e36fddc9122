//! Audit-log retention: entries older than `audit_retention_days` are deleted in the background, in small
//! batches with pauses between them, so writers (one at a time on SQLite) are never held up for long.

use std::sync::Arc;
use std::time::Duration;

use crate::store::Store;

/// Entries deleted per statement, and the pause between statements.
const BATCH: i64 = 1_000;
const PAUSE: Duration = Duration::from_millis(50);
/// How often the log is pruned.
const EVERY: Duration = Duration::from_secs(3_600);

/// Prunes now and then every hour; `days == 0` keeps every entry.
pub fn spawn(store: Arc<dyn Store>, days: i64) {
    if days <= 0 {
        return;
    }
    tokio::spawn(async move {
        loop {
            match prune(&*store, days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, days, "pruned the audit log"),
                Err(e) => tracing::warn!(error = %e, "pruning the audit log failed; trying again later"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Deletes every entry older than `days`; returns how many.
pub async fn prune(store: &dyn Store, days: i64) -> crate::store::StoreResult<u64> {
    // The store's clock: the sandbox's in `orgd sandbox`, so moving it ages the log.
    let before = crate::store::clock::now() - chrono::Duration::days(days);
    let mut total = 0;
    loop {
        let n = store.prune_audit(before, BATCH).await?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE).await;
    }
}
