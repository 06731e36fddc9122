//! Read-your-writes: when each caller (by key, `store/caller.rs`) last committed through this node. A caller's
//! reads go to a standby only if the standby is known to hold everything committed before a moment after that
//! commit; until then they go to the primary.
//!
//! Why route rather than wait: waiting for a standby to replay the caller's commit would add the replication delay
//! to every read that follows a write, while routing costs one read on the primary, which the caller's own write
//! had just used. Why a time rather than the commit's LSN: the probe (`probe.rs`) reads the primary's WAL position
//! at known moments, so "the standby has replayed what the primary held at a moment after the commit" needs no
//! `pg_current_wal_lsn()` after each commit, so nothing is added to the write path.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries past which old ones are swept (a bound on memory; at most the callers that wrote within `keep`).
const SWEEP_AT: usize = 4096;

pub(super) struct Fences {
    last_write: Mutex<HashMap<u64, Instant>>,
    /// How long an entry matters: a standby further behind than the lag bound is not read anyway, so a write
    /// older than the bound excludes none that would be.
    keep: Duration,
}

impl Fences {
    pub(super) fn new(keep: Duration) -> Fences {
        Fences { last_write: Mutex::default(), keep }
    }

    /// A commit for the caller with `key` has just completed.
    pub(super) fn wrote(&self, key: u64) {
        let now = Instant::now();
        let mut map = self.last_write.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, at| now.duration_since(*at) <= self.keep);
        }
        map.insert(key, now);
    }

    /// When the caller with `keys` last committed, if within `keep`.
    pub(super) fn of(&self, keys: &[u64]) -> Option<Instant> {
        let map = self.last_write.lock().unwrap_or_else(|e| e.into_inner());
        let newest = keys.iter().filter_map(|k| map.get(k)).max().copied()?;
        (newest.elapsed() <= self.keep).then_some(newest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_fences_the_readers_sharing_its_key_for_the_lag_bound() {
        let fences = Fences::new(Duration::from_millis(50));
        assert!(fences.of(&[1, 2]).is_none());
        fences.wrote(2);
        assert!(fences.of(&[1, 2]).is_some() && fences.of(&[2]).is_some(), "any key of the reader");
        assert!(fences.of(&[1, 3]).is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(fences.of(&[2]).is_none(), "older than the bound: no longer matters");
    }
}
