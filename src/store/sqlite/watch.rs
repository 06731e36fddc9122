//! Changes made to the database file by other processes: an `orgd` command (`orgd usage add`, `orgd plan …`), a
//! restored backup, an operator's `sqlite3`. This process's writer keeps the read model true by itself
//! (`commit.rs`), but it cannot see those; SQLite's `PRAGMA data_version` can: on one connection it changes
//! whenever another connection committed since it was last asked. The model asks at each request's first lookup
//! (`model::one_request`) and drops everything when it moved — a read of the shared WAL index, microseconds, no
//! disk I/O — so a change committed before a request began is never hidden by what was kept before it.
//!
//! This process's own commits move that version too, and dropping everything after each of them made every
//! write cost every later request its refills. So the writer settles its own commits (`commit.rs`):
//! - while a transaction of it may be committing, a request that sees the version moved neither drops nor
//!   serves the model: it reads the database and keeps nothing ([`Seen::Unsure`]);
//! - after the commit it reads the version here, then the writer connection's own `data_version`, which moves
//!   only with *other* connections' commits. If that did not move since its last batch, every move here up to
//!   that read was its own commit (which dropped what it named already) and the version read is taken as seen;
//!   if it did, another process committed and everything is dropped, as a request would have.
//!
//! A commit of another process after the version was read here moves it again, and the next request drops.

use std::sync::Mutex;

use rusqlite::Connection;

use crate::store::model::Seen;

pub(super) struct DataVersion {
    state: Mutex<Watched>,
}

struct Watched {
    /// A connection that never writes.
    conn: Connection,
    /// The version taken as seen.
    seen: Option<i64>,
    /// Whether this process's writer may be committing (between [`DataVersion::own_begins`] and
    /// [`DataVersion::own_settled`]).
    own: bool,
}

impl Watched {
    fn read(&self) -> Option<i64> {
        let version = self.conn.prepare_cached("pragma data_version").and_then(|mut st| st.query_row([], |r| r.get(0)));
        version.map_err(|e| tracing::warn!(error = %e, "reading SQLite's data_version failed: read model dropped")).ok()
    }
}

impl DataVersion {
    pub(super) fn new(conn: Connection) -> Self {
        DataVersion { state: Mutex::new(Watched { conn, seen: None, own: false }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Watched> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the database changed since the version taken as seen (on any error: moved).
    pub(super) fn check(&self) -> Seen {
        let mut w = self.lock();
        let now = w.read();
        if now.is_some() && now == w.seen {
            Seen::Same
        } else if w.own {
            Seen::Unsure
        } else {
            w.seen = now;
            Seen::Moved
        }
    }

    /// This process's writer is about to commit.
    pub(super) fn own_begins(&self) {
        self.lock().own = true;
    }

    /// The version now, not yet taken as seen: read after the writer's commit, before its own check.
    pub(super) fn current(&self) -> Option<i64> {
        self.lock().read()
    }

    /// The writer's check is done (and the model dropped if another process committed): `version`, read before
    /// that check, is taken as seen.
    pub(super) fn own_settled(&self, version: Option<i64>) {
        let mut w = self.lock();
        w.seen = version;
        w.own = false;
    }
}
