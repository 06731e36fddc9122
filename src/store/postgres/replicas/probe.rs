//! The background probe: every `probe_interval`, the primary's WAL insert position (with the moment it was read)
//! and each standby's replay position. A standby's freshness is the moment of the newest primary position it has
//! replayed: it holds every change committed before then. The insert position rather than the write position
//! because with `synchronous_commit = off` a commit returns before its WAL is written, and the insert position
//! already counts it.
//!
//! The primary and each standby are probed by tasks of their own, so one that hangs delays no other; a standby
//! whose probe hangs or fails stops being fresh, and is skipped, without anyone waiting for it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::PgPool;

use super::{Health, Replica, ReplicaSet};

/// How long one probe query may take before the standby counts as down.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// Primary positions kept: enough to place a standby that lags a few seconds behind at a probe a second.
const SAMPLES_KEPT: usize = 256;

/// The primary's WAL insert position at known moments, oldest first.
#[derive(Default)]
pub(super) struct Samples(Mutex<VecDeque<(Instant, u64)>>);

impl Samples {
    fn push(&self, at: Instant, lsn: u64) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if s.len() >= SAMPLES_KEPT {
            s.pop_front();
        }
        s.push_back((at, lsn));
    }

    /// The moment of the newest sample a standby at `replayed` has passed, and the WAL bytes it still has to
    /// replay to reach the newest sample.
    fn place(&self, replayed: u64) -> (Option<Instant>, Option<u64>) {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = s.iter().rev().find(|(_, lsn)| *lsn <= replayed).map(|(at, _)| *at);
        (fresh, s.back().map(|(_, lsn)| lsn.saturating_sub(replayed)))
    }
}

impl ReplicaSet {
    /// Starts the probes; they end when the store closes.
    pub(in crate::store::postgres) fn spawn_probes(self: &Arc<Self>, primary: PgPool) {
        if self.replicas.is_empty() {
            return;
        }
        let set = self.clone();
        tokio::spawn(async move {
            while !set.closed.load(Ordering::Relaxed) {
                let at = Instant::now();
                match tokio::time::timeout(PROBE_TIMEOUT, position(&primary, PRIMARY_POSITION)).await {
                    Ok(Ok(Some(lsn))) => set.samples.push(at, lsn),
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => tracing::debug!(error = %e, "replica probe: primary position unknown"),
                    Err(_) => tracing::debug!("replica probe: primary did not answer in time"),
                }
                tokio::time::sleep(set.probe_interval).await;
            }
        });
        for replica in &self.replicas {
            let (set, replica) = (self.clone(), replica.clone());
            tokio::spawn(async move {
                while !set.closed.load(Ordering::Relaxed) {
                    set.probe(&replica).await;
                    tokio::time::sleep(set.probe_interval).await;
                }
            });
        }
    }

    async fn probe(&self, replica: &Replica) {
        let pool = replica.pool();
        let replayed = match tokio::time::timeout(PROBE_TIMEOUT, position(&pool, STANDBY_POSITION)).await {
            Ok(Ok(Some(lsn))) => lsn,
            Ok(Ok(None)) => return replica.set_aside("not a standby: it is not in recovery".into()),
            Ok(Err(e)) => return replica.set_aside(e.to_string()),
            Err(_) => return replica.set_aside("no answer within a second".into()),
        };
        let (fresh_as_of, lag_bytes) = self.samples.place(replayed);
        let lag = fresh_as_of.map(|t| t.elapsed());
        let mut h = replica.health();
        if !h.up {
            tracing::info!(replica = %replica.name, "read replica answers as a standby: reads may go to it");
        }
        *h = Health { up: true, fresh_as_of, lag, lag_bytes, error: None };
    }
}

/// The primary's WAL insert position, as a byte offset.
const PRIMARY_POSITION: &str = "select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint";
/// A standby's replay position (null when the server is not in recovery, i.e. not a standby).
const STANDBY_POSITION: &str = "select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint";

async fn position(pool: &PgPool, sql: &str) -> Result<Option<u64>, sqlx::Error> {
    let lsn: Option<i64> = sqlx::query_scalar(sql).fetch_one(pool).await?;
    Ok(lsn.map(|l| l as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standby_is_as_fresh_as_the_newest_primary_position_it_has_replayed() {
        let samples = Samples::default();
        let t0 = Instant::now();
        let (t1, t2) = (t0 + Duration::from_millis(250), t0 + Duration::from_millis(500));
        samples.push(t0, 100);
        samples.push(t1, 100);
        samples.push(t2, 180);
        assert_eq!(samples.place(180), (Some(t2), Some(0)));
        assert_eq!(samples.place(150), (Some(t1), Some(30)), "not yet at 180: fresh as of the last 100");
        assert_eq!(samples.place(50), (None, Some(130)), "behind every sample kept: freshness unknown");
    }
}
