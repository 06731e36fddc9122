//! Changes made to the database file by other processes: an `orgd` command (`orgd usage add`, `orgd plan …`), a
//! restored backup, an operator's `sqlite3`. This process's writer keeps the read model true by itself
//! (`commit.rs`), but it cannot see those; SQLite's `PRAGMA data_version` can: on one connection it changes
//! whenever another connection (this process's writer included) committed since it was last asked. The model
//! asks at each request's first lookup (`model::one_request`) and drops everything when it moved — a read of the shared WAL index, microseconds,
//! no disk I/O — so a change committed before a request began is never hidden by what was kept before it.

use std::sync::Mutex;

use rusqlite::Connection;

pub(super) struct DataVersion {
    /// A connection that never writes, and the version it last saw.
    conn: Mutex<(Connection, Option<i64>)>,
}

impl DataVersion {
    pub(super) fn new(conn: Connection) -> Self {
        DataVersion { conn: Mutex::new((conn, None)) }
    }

    /// Whether the database may have changed since the last call (on any error: yes).
    pub(super) fn moved(&self) -> bool {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let (conn, seen) = &mut *guard;
        match conn.prepare_cached("pragma data_version").and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0))) {
            Ok(now) => seen.replace(now) != Some(now),
            Err(e) => {
                tracing::warn!(error = %e, "reading SQLite's data_version failed: read model dropped");
                *seen = None;
                true
            }
        }
    }
}
