//! File descriptors: the soft limit raised to the hard one at start, the connection cap derived from it, and
//! failed accepts reported once per burst rather than once per attempt.

use std::fmt::Display;
use std::time::{Duration, Instant};

/// The pause after a failed accept: long enough not to spin on EMFILE, short enough to pick up again quickly.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (a systemd service or a login shell starts with a soft
/// limit of 1 024, which a few hundred idle clients would use up) and logs both. Returns the limit in force.
pub fn raise_nofile_limit() -> u64 {
    let before = rlimit::getrlimit(rlimit::Resource::NOFILE);
    let raised = rlimit::increase_nofile_limit(u64::MAX);
    match (before, raised) {
        (Ok((soft, hard)), Ok(now)) => {
            tracing::info!(soft_before = soft, hard, soft_now = now, "file descriptor limit");
            now
        }
        (before, raised) => {
            let error = raised.err().or(before.err()).map(|e| e.to_string()).unwrap_or_default();
            tracing::warn!(%error, "could not read or raise the file descriptor limit; assuming 1024");
            1024
        }
    }
}

/// The soft descriptor limit in force now (1 024 when it cannot be read).
pub fn current_limit() -> u64 {
    rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft).unwrap_or(1024)
}

/// The default connection cap: the descriptor limit less room for the database pool (with SQLite's WAL and
/// journal files), the mail connection, certificates, backups and the log: a tenth, and at least 64 plus four
/// per pooled database connection.
pub fn default_cap(nofile: u64, db_connections: u32) -> usize {
    let reserve = (nofile / 10).max(64 + 4 * u64::from(db_connections));
    nofile.saturating_sub(reserve).max(16) as usize
}

/// How long without a like event ends a run: at the cap, refusals and admissions alternate while an attack
/// lasts, and that must stay one run (one line) rather than two lines per connection.
const QUIET: Duration = Duration::from_secs(1);

/// Logs the first of a run of like events and, when the run is over, how many there were.
pub struct Burst {
    what: &'static str,
    since: Option<Instant>,
    last: Instant,
    count: u64,
}

impl Burst {
    pub fn new(what: &'static str) -> Burst {
        Burst { what, since: None, last: Instant::now(), count: 0 }
    }

    pub fn event(&mut self, detail: &dyn Display) {
        self.over();
        if self.since.is_none() {
            tracing::warn!(detail = %detail, "{}", self.what);
            self.since = Some(Instant::now());
        }
        self.count += 1;
        self.last = Instant::now();
    }

    /// Something went right (an accept, an admission): the run ends if it has been quiet for a while.
    pub fn over(&mut self) {
        if self.last.elapsed() < QUIET {
            return;
        }
        if let Some(since) = self.since.take() {
            let secs = since.elapsed().as_secs_f64();
            tracing::warn!(times = self.count, secs, "over: {}", self.what);
            self.count = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_rest() {
        assert_eq!(default_cap(1024, 8), 1024 - 102);
        assert_eq!(default_cap(256, 8), 256 - 96);
        assert_eq!(default_cap(1_048_576, 8), 1_048_576 - 104_857);
        assert_eq!(default_cap(50, 8), 16);
        assert!(current_limit() >= 16);
    }

    #[test]
    fn a_run_ends_only_after_a_quiet_second() {
        let mut b = Burst::new("test");
        b.event(&"a");
        b.over();
        b.event(&"b");
        assert_eq!(b.count, 2, "one run");
        b.last -= QUIET;
        b.over();
        assert!(b.since.is_none() && b.count == 0);
    }
}
