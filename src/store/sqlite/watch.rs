//! Changes made to the database file by other processes: an `orgd` command (`orgd usage add`, `orgd plan …`), a
//! restored backup, an operator's `sqlite3`. This process's writer keeps the read model true by itself
//! (`commit.rs`), but it cannot see those; SQLite's `PRAGMA data_version` can: on one connection it changes
//! whenever another connection committed since it was last asked. The model asks at each request's first lookup
//! (`model::one_request`) and drops everything when it moved — a read of the shared WAL index, no disk I/O — so a
//! change committed before a request began is never hidden by what was kept before it.
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
//!
//! Asking SQLite costs a read transaction: two `fcntl` locks on the WAL index and a `stat` of the file, under this
//! watch's lock — 12 % of a GET organization's CPU on SQLite. So a request first reads the WAL index's header
//! ([`Header`]) with one `pread`: every commit, of any process, rewrites it (its change counter and last frame), so
//! while it is what it was when SQLite was last asked, nothing committed since and SQLite need not be asked.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::store::model::Seen;

pub(super) struct DataVersion {
    state: Mutex<Watched>,
    header: Header,
}

struct Watched {
    /// A connection that never writes.
    conn: Connection,
    /// The version taken as seen.
    seen: Option<i64>,
    /// Whether this process's writer may be committing (between [`DataVersion::own_begins`] and
    /// [`DataVersion::own_settled`]).
    own: bool,
    /// The WAL index's header as read just before `seen` was read; none until then, or when unreadable.
    seen_header: Option<[u8; HEADER_BYTES]>,
}

impl Watched {
    fn read(&self) -> Option<i64> {
        Self::read_version(&self.conn)
    }

    fn read_version(conn: &Connection) -> Option<i64> {
        let version = conn.prepare_cached("pragma data_version").and_then(|mut st| st.query_row([], |r| r.get(0)));
        version.map_err(|e| tracing::warn!(error = %e, "reading SQLite's data_version failed: read model dropped")).ok()
    }
}

impl DataVersion {
    /// Watches the database file through `conn`, a connection of its own.
    pub(super) fn new(conn: Connection) -> Self {
        // SQLite makes the `-shm` file at a connection's first read, next to the file as it names it (symbolic
        // links resolved).
        let _ = Watched::read_version(&conn);
        let header = Header::open(conn.path().map(PathBuf::from));
        DataVersion { state: Mutex::new(Watched { conn, seen: None, own: false, seen_header: None }), header }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Watched> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the database changed since the version taken as seen (on any error: moved).
    pub(super) fn check(&self) -> Seen {
        // Read before SQLite is asked below, so a commit after this read changes it: kept with the version, it can
        // only make the next request ask again, never hide a commit.
        let header = self.header.read();
        let mut w = self.lock();
        if header.is_some() && header == w.seen_header {
            return Seen::Same;
        }
        let now = w.read();
        if now.is_some() && now == w.seen {
            w.seen_header = header;
            Seen::Same
        } else if w.own {
            Seen::Unsure
        } else {
            w.seen = now;
            w.seen_header = header;
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
        // The header read before `version` is not known here: the next request asks SQLite.
        w.seen_header = None;
    }
}

/// Bytes of the WAL index's header that are compared: its two copies (48 bytes each, see SQLite's "WAL-index
/// format"). A commit writes the second copy, then the first; the first 96 bytes of the `-shm` file.
const HEADER_BYTES: usize = 96;

/// The `-shm` file next to the database (SQLite's WAL index, shared memory that SQLite maps from it), read with
/// `pread`: the page cache behind the file is the memory every process's mapping of it writes to.
///
/// The file stays the same for as long as the watch's connection is open: SQLite deletes it only when its last
/// connection of all processes closes, and a connection in WAL mode holds its lock on the database until it closes.
struct Header {
    /// None where it cannot be opened: then SQLite is asked every time.
    file: Option<File>,
}

impl Header {
    fn open(database: Option<PathBuf>) -> Self {
        let file = database.and_then(|database| {
            let mut path = database.into_os_string();
            path.push("-shm");
            File::open(&path)
                .map_err(|e| tracing::warn!(error = %e, "the WAL index cannot be read: every request asks SQLite"))
                .ok()
        });
        Header { file }
    }

    /// Both copies of the header, when they agree and SQLite has written them; else none (SQLite is asked).
    fn read(&self) -> Option<[u8; HEADER_BYTES]> {
        let mut bytes = [0; HEADER_BYTES];
        read_start(self.file.as_ref()?, &mut bytes)?;
        let (first, second) = bytes.split_at(HEADER_BYTES / 2);
        // `isInit` (byte 12) is set once SQLite wrote the header; copies that differ are a commit being written.
        (first == second && first[12] != 0).then_some(bytes)
    }
}

/// The file's first bytes, without moving a shared cursor (`pread`).
#[cfg(unix)]
fn read_start(file: &File, bytes: &mut [u8]) -> Option<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, 0).ok()
}

/// Elsewhere SQLite is asked every time.
#[cfg(not(unix))]
fn read_start(_: &File, _: &mut [u8]) -> Option<()> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &std::path::Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "wal").unwrap();
        conn
    }

    /// A database with one table, a connection that writes to it, and a watch on it (the directory lives as long
    /// as it is held).
    fn watched() -> (tempfile::TempDir, Connection, DataVersion) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watched.db");
        let writer = open(&path);
        writer.execute_batch("create table t (x integer)").unwrap();
        let watch = DataVersion::new(open(&path));
        (dir, writer, watch)
    }

    #[test]
    fn another_connections_commit_is_seen_by_the_next_check_and_only_once() {
        let (_dir, other, watch) = watched();
        assert!(watch.header.read().is_some(), "the WAL index's header is readable");
        assert_eq!(watch.check(), Seen::Moved, "the first check takes the version");
        for round in 0..3 {
            assert_eq!(watch.check(), Seen::Same, "round {round}: nothing committed");
            assert_eq!(watch.check(), Seen::Same, "round {round}: the header alone says so");
            other.execute("insert into t values (?1)", [round]).unwrap();
            assert_eq!(watch.check(), Seen::Moved, "round {round}: the commit is seen");
        }
        // A transaction rolled back changes nothing.
        other.execute_batch("begin; insert into t values (9); rollback").unwrap();
        assert_eq!(watch.check(), Seen::Same);
    }

    #[test]
    fn the_writers_own_commit_is_settled_and_not_taken_for_another_process() {
        let (_dir, writer, watch) = watched();
        assert_eq!(watch.check(), Seen::Moved);
        watch.own_begins();
        writer.execute("insert into t values (1)", []).unwrap();
        assert_eq!(watch.check(), Seen::Unsure, "committing, not yet settled");
        watch.own_settled(watch.current());
        assert_eq!(watch.check(), Seen::Same, "settled: the commit was the writer's own");
        assert_eq!(watch.check(), Seen::Same);
    }

    #[test]
    fn without_a_readable_wal_index_sqlite_is_asked_every_time() {
        let (_dir, other, mut watch) = watched();
        watch.header = Header { file: None };
        assert_eq!(watch.check(), Seen::Moved);
        assert_eq!(watch.check(), Seen::Same);
        other.execute("insert into t values (1)", []).unwrap();
        assert_eq!(watch.check(), Seen::Moved);
    }
}
