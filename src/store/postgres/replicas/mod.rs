//! Read replicas: which pool serves a read. A read of a request that changes nothing (`store/caller.rs`) goes to a
//! streaming standby when one is fresh enough for that caller, else to the primary; writes always go to the
//! primary (`PgStore::write`, untouched by this module but for [`ReplicaSet::wrote`] after the commit).
//!
//! "Fresh enough" is known from the probe (`probe.rs`): at known moments it reads the primary's WAL insert position,
//! and from each standby the position it has replayed; a standby that has replayed what the primary held at moment
//! `t` holds every change committed before `t`. A standby is read when that `t` is within the lag bound of now and
//! after the caller's last commit through this node (`fences.rs`). One that fails a probe or a read is set aside
//! with a new, empty pool (its old connections may all be dead after a restart) until a probe finds it well.
//!
//! Caches that are invalidated by change notifications must not be filled from here: a notification from the
//! primary may arrive before a standby has replayed the change, and the stale answer would then be kept until the
//! next change. The token and membership cache reads the primary (`hot.rs`).

mod fences;
mod probe;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Postgres;

use crate::store::caller::Caller;
use crate::store::replica::{ReplicaOptions, ReplicaState, ReplicaStatus};

/// How long a read waits for a standby's connection before it reads the primary instead (a busy or unreachable
/// standby must not hold requests up).
const ACQUIRE_WAIT: Duration = Duration::from_millis(250);

/// The standbys of one store, with what the probe knows of them.
pub(super) struct ReplicaSet {
    replicas: Vec<Arc<Replica>>,
    fences: fences::Fences,
    /// The primary's WAL insert position at known moments, oldest first (`probe.rs`).
    samples: probe::Samples,
    max_lag: Duration,
    probe_interval: Duration,
    /// Round robin over the standbys that may serve a read.
    next: AtomicUsize,
    closed: AtomicBool,
}

/// What the last probe (or a failed read) found of a standby.
#[derive(Default)]
struct Health {
    up: bool,
    /// The moment of the newest primary position the standby has replayed.
    fresh_as_of: Option<Instant>,
    lag: Option<Duration>,
    lag_bytes: Option<u64>,
    error: Option<String>,
}

struct Replica {
    name: String,
    connect: PgConnectOptions,
    max_connections: u32,
    pool: RwLock<PgPool>,
    health: Mutex<Health>,
    reads: AtomicU64,
}

impl Replica {
    fn new_pool(&self) -> PgPool {
        pool_for(&self.connect, self.max_connections)
    }

    fn pool(&self) -> PgPool {
        self.pool.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops reads from this standby until a probe finds it well, on a new pool: after a restart every connection
    /// of the old one is dead, and each would fail one more read before sqlx noticed.
    fn set_aside(&self, why: String) {
        {
            let mut h = self.health();
            if h.up {
                tracing::warn!(replica = %self.name, error = %why, "read replica set aside: reads go to the primary");
            }
            *h = Health { error: Some(why), ..Health::default() };
        }
        let old = std::mem::replace(&mut *self.pool.write().unwrap_or_else(|e| e.into_inner()), self.new_pool());
        // Closing waits for connections in use; nothing needs to wait for that.
        tokio::spawn(async move { old.close().await });
    }

    /// Whether this standby may serve a read now for a caller whose last commit here was at `fence`.
    fn serves(&self, now: Instant, max_lag: Duration, fence: Option<Instant>) -> bool {
        let h = self.health();
        let fresh = h.fresh_as_of.filter(|t| now.saturating_duration_since(*t) <= max_lag);
        h.up && fresh.is_some_and(|t| fence.is_none_or(|f| t > f))
    }
}

fn pool_for(connect: &PgConnectOptions, max_connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(probe::PROBE_TIMEOUT)
        // As on the primary (`postgres/mod.rs`): no ping before each read; a dead connection fails its read, the
        // request is answered again from the primary (`api/read_routing.rs`) and the standby set aside.
        .test_before_acquire(false)
        .connect_lazy_with(connect.clone())
}

impl ReplicaSet {
    /// The standbys named in `opts`; connects lazily (a standby down at start is probed until it is up).
    pub(super) fn open(opts: &ReplicaOptions, max_connections: u32) -> anyhow::Result<Arc<ReplicaSet>> {
        let mut replicas = Vec::new();
        for url in &opts.urls {
            let connect = PgConnectOptions::from_str(url)?.application_name("orgd-replica-reader");
            let name =
                format!("{}:{}/{}", connect.get_host(), connect.get_port(), connect.get_database().unwrap_or(""));
            let pool = RwLock::new(pool_for(&connect, max_connections));
            let health = Mutex::new(Health { error: Some("not probed yet".into()), ..Health::default() });
            replicas.push(Arc::new(Replica { name, connect, max_connections, pool, health, reads: AtomicU64::new(0) }));
        }
        Ok(Arc::new(ReplicaSet {
            replicas,
            fences: fences::Fences::new(opts.max_lag),
            samples: probe::Samples::default(),
            max_lag: opts.max_lag,
            probe_interval: opts.probe_interval,
            next: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }))
    }

    /// A standby's connection for a read of the running request, when one may serve it; `None`: read the primary.
    pub(super) async fn reader(&self) -> Option<PoolConnection<Postgres>> {
        if self.replicas.is_empty() {
            return None;
        }
        let caller = Caller::current().filter(|c| c.may_use_replicas())?;
        let (now, fence) = (Instant::now(), self.fences.of(caller.keys()));
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.replicas.len();
        for replica in (0..n).map(|i| &self.replicas[(start + i) % n]) {
            if !replica.serves(now, self.max_lag, fence) {
                continue;
            }
            match tokio::time::timeout(ACQUIRE_WAIT, replica.pool().acquire()).await {
                Ok(Ok(conn)) => {
                    replica.reads.fetch_add(1, Ordering::Relaxed);
                    let suspect = replica.clone();
                    caller.served_by(Arc::new(move || suspect.set_aside("a read it served failed".into())));
                    return Some(conn);
                }
                Ok(Err(sqlx::Error::PoolTimedOut)) | Err(_) => continue, // busy: another, or the primary
                Ok(Err(e)) => replica.set_aside(e.to_string()),
            }
        }
        None
    }

    /// A commit for the running request's caller has just completed: its next reads go to the primary until a
    /// standby has caught up with it.
    pub(super) fn wrote(&self) {
        if self.replicas.is_empty() {
            return;
        }
        if let Some(key) = Caller::current().and_then(|c| c.write_key()) {
            self.fences.wrote(key);
        }
    }

    pub(super) fn status(&self) -> Vec<ReplicaStatus> {
        let now = Instant::now();
        self.replicas
            .iter()
            .map(|r| {
                let state = match r.serves(now, self.max_lag, None) {
                    true => ReplicaState::Up,
                    false if r.health().up => ReplicaState::Lagging,
                    false => ReplicaState::Down,
                };
                let h = r.health();
                ReplicaStatus {
                    name: r.name.clone(),
                    state,
                    lag_seconds: h.lag.map(|d| d.as_secs_f64()),
                    lag_bytes: h.lag_bytes,
                    reads: r.reads.load(Ordering::Relaxed),
                    error: h.error.clone(),
                }
            })
            .collect()
    }

    pub(super) async fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        for r in &self.replicas {
            r.pool().close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_standby_serves_a_caller_once_it_holds_the_callers_last_write_and_is_within_the_bound() {
        let opts = ReplicaOptions { urls: vec!["postgres://standby/db".into()], ..ReplicaOptions::default() };
        let set = ReplicaSet::open(&opts, 2).unwrap();
        let (r, lag, now) = (&set.replicas[0], Duration::from_secs(1), Instant::now());
        let ago = |ms| now - Duration::from_millis(ms);
        assert!(!r.serves(now, lag, None), "not probed yet");
        *r.health() = Health { up: true, fresh_as_of: Some(ago(100)), ..Health::default() };
        assert!(r.serves(now, lag, None));
        assert!(r.serves(now, lag, Some(ago(200))), "the caller wrote before the standby's moment");
        assert!(!r.serves(now, lag, Some(ago(50))), "the caller wrote after it: the primary");
        assert!(!r.serves(now + lag, lag, None), "further behind than the bound");
        r.set_aside("gone".into());
        assert!(!r.serves(now, lag, None));
        assert_eq!(set.status()[0].state, ReplicaState::Down);
        assert_eq!(set.status()[0].name, "standby:5432/db");
    }
}
