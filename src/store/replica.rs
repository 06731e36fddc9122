//! The backend-neutral face of read replicas (`--database-replica`): what opening a store is told about them, and
//! what `/health` and `/metrics` show of each. The routing itself is PostgreSQL's (`postgres/replicas/`).

use std::time::Duration;

use serde::Serialize;

/// The standbys to read from, and when one is too far behind to be read.
#[derive(Debug, Clone)]
pub struct ReplicaOptions {
    /// `postgres://…` URLs of streaming standbys of the primary.
    pub urls: Vec<String>,
    /// A standby is read only while it is known to hold every change committed up to this long ago.
    pub max_lag: Duration,
    /// How often each standby's replay position (and the primary's WAL position) is read.
    pub probe_interval: Duration,
}

impl Default for ReplicaOptions {
    fn default() -> Self {
        ReplicaOptions {
            urls: Vec::new(),
            max_lag: Duration::from_millis(1000),
            probe_interval: Duration::from_millis(250),
        }
    }
}

/// Whether a standby serves reads now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplicaState {
    /// Answering, and within the lag bound: serves reads.
    Up,
    /// Answering, but further behind than the lag bound: skipped until it catches up.
    Lagging,
    /// Not answering, or not a standby (any more): skipped until a probe finds it well.
    Down,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Up => "up",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }
}

/// One standby as `/health` and `/metrics` show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaStatus {
    /// `host:port/database`, never the credentials.
    pub name: String,
    pub state: ReplicaState,
    /// How old the newest change the standby is known to hold may be, at the last probe (`None`: not known).
    pub lag_seconds: Option<f64>,
    /// WAL bytes the standby had still to replay at the last probe.
    pub lag_bytes: Option<u64>,
    /// Reads this node sent to the standby since it started.
    pub reads: u64,
    /// Why it is down, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
