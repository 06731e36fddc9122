//! The SQLite backend: WAL, foreign keys, a busy timeout and `synchronous = FULL`, so an acknowledged write
//! survives a crash. Every write goes through the group commit (`commit.rs`) on a one-connection pool, which
//! serialises them without `SQLITE_BUSY` upgrade failures and lets the writes waiting at one moment share one
//! `fsync`; reads use a separate set of connections (`Readers`).

mod commit;
mod hot;
mod memory;
mod quick;
mod watch;

/// The resource code both backends share (`store/shared/`), compiled for this backend.
#[expect(
    clippy::duplicate_mod,
    reason = "store/shared/ is compiled once per backend (SQLite here, PostgreSQL in postgres/mod.rs): sqlx's queries \
              are typed by their database; why not generic code is said in shared/mod.rs"
)]
#[path = "../shared/mod.rs"]
mod shared;

/// Each connection's page cache, set rather than left at SQLite's 2 MiB each: a process holds up to a dozen
/// connections, and caches that fill over hours showed as memory growth in the soak (bench/RESULTS.md). Readers'
/// caches are emptied whenever another connection committed (WAL), so under writes they rarely hold more than one
/// request's pages; the writer keeps the index pages its inserts walk. In KiB, as `pragma cache_size` reads a
/// negative number.
mod cache {
    pub(super) const WRITER: &str = "-4096";
    pub(super) const READER: &str = "-512";
    /// The hot readers (`hot.rs`) and the watch (`watch.rs`).
    pub(super) const HOT: i64 = -1024;
}

/// The store type the shared resource code implements its traits for.
type BackendStore = SqliteStore;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Connection;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::backend::{Backend, ConnFuture, Trips};
use super::dump::{Dump, Snapshots};
use super::group::Job;
use super::model::{Named, ReadModel};
use super::writer::Writer;
use super::{Options, Store, StoreError, StoreResult};

/// The read connections. Not a `sqlx::Pool`: that pings a connection when it is released (and, by default,
/// when it is acquired), and for SQLite each ping is a round trip to the connection's worker thread, which made
/// every read cost three thread hand-offs instead of one (bench/RESULTS.md). Reads hold no transaction, so a
/// connection can go straight back to the idle list, even from a request that was cancelled mid-query.
pub(crate) struct Readers {
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Semaphore,
    max: u32,
    connect: SqliteConnectOptions,
    acquire_timeout: Duration,
}

/// A read connection, back to the idle list when dropped.
pub(crate) struct Reader<'a> {
    conn: Option<SqliteConnection>,
    home: &'a Readers,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    /// An idle connection, or a new one while fewer than `max` are out; 503 (pool timeout) after waiting
    /// `acquire_timeout` for one.
    pub(super) async fn acquire(&self) -> StoreResult<Reader<'_>> {
        let permit = tokio::time::timeout(self.acquire_timeout, self.permits.acquire())
            .await
            .map_err(|_| StoreError::PoolTimeout)?
            .map_err(|_| StoreError::PoolTimeout)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => SqliteConnection::connect_with(&self.connect).await?,
        };
        Ok(Reader { conn: Some(conn), home: self, _permit: permit })
    }

    fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    async fn close(&self) {
        self.permits.close();
        let conns: Vec<SqliteConnection> = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for c in conns {
            let _ = c.close().await;
        }
    }
}

impl Deref for Reader<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.home.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
    }
}

pub struct SqliteStore {
    read: Readers,
    /// The reads every request makes, without sqlx's thread hand-offs (`hot.rs`).
    hot: hot::HotReaders,
    write: SqlitePool,
    /// Group commit of the hot writes (new organizations, variables) over `write`.
    commit: commit::Committer,
    /// The read model (`store/model/`): this process's writer is the database's only one, so it keeps the model
    /// true by itself (`commit.rs`).
    model: ReadModel,
    /// SQLite serves one node, so its rate counters live in memory rather than costing a write per request.
    counters: crate::store::counters::MemoryCounters,
    /// The database when it lives in this process's memory (`sqlite::memory:`).
    memory: Option<memory::MemoryDb>,
    /// The thread the writer task runs on (`store/writer.rs`); it stops with the store.
    _writer: Writer,
}

impl SqliteStore {
    pub async fn open(url: &str, opts: &Options) -> anyhow::Result<Self> {
        let (connect, memory) = Self::connect_options(url)?;
        let connect = connect.foreign_keys(true).busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .test_before_acquire(false)
            .connect_with(connect.clone().pragma("cache_size", cache::WRITER))
            .await?;
        let max = opts.max_connections.max(1);
        let read = Readers {
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(max as usize),
            max,
            connect: connect.clone().pragma("cache_size", cache::READER),
            acquire_timeout: opts.acquire_timeout,
        };
        let vfs = memory.is_some().then_some(memory::VFS);
        let hot = hot::HotReaders::new(connect.get_filename().to_path_buf(), vfs, opts.acquire_timeout);
        let mut model = ReadModel::new(opts.read_model_max_orgs, true);
        let mut version = None;
        if memory.is_none() {
            // A file may be written by other processes too (`watch.rs`); memory only by this one.
            let watched = std::sync::Arc::new(watch::DataVersion::new(hot.open()?));
            let check = watched.clone();
            model = model.watching(move || check.check());
            version = Some(watched);
        }
        let writer = Writer::start()?;
        let commit = commit::Committer::start(write.clone(), model.clone(), version, &writer);
        Ok(SqliteStore { read, hot, write, commit, model, counters: Default::default(), memory, _writer: writer })
    }

    /// A file: WAL and `synchronous = FULL`, so an acknowledged write survives a crash. In memory (`memory.rs`):
    /// a fresh shared database, journal in memory, no syncs (there is nothing to survive).
    fn connect_options(url: &str) -> anyhow::Result<(SqliteConnectOptions, Option<memory::MemoryDb>)> {
        if !memory::is_memory_url(url) {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full);
            return Ok((connect, None));
        }
        let name = memory::fresh_name();
        let db = memory::MemoryDb::open(&name, Duration::from_secs(10))?;
        let connect = SqliteConnectOptions::new()
            .filename(&name)
            .vfs(memory::VFS)
            .journal_mode(SqliteJournalMode::Memory)
            .synchronous(SqliteSynchronous::Off);
        Ok((connect, Some(db)))
    }
}

impl Backend for SqliteStore {
    type Db = sqlx::Sqlite;
    type Reader<'a> = Reader<'a>;

    const COLLATE_C: &'static str = "";
    const NULL_TIMESTAMP: &'static str = "null";
    const TIMESTAMP: &'static str = "";
    /// One process claims, through the single write connection: nothing to skip.
    const SKIP_LOCKED: &'static str = "";
    /// The single writer holds the database's write lock for the whole transaction.
    const FOR_UPDATE: &'static str = "";
    const SINGLE_NODE: bool = true;
    const ID_IN_JSON: &'static str = "o.id in (select value from json_each($1))";

    fn one_trip(statements: &[&str]) -> String {
        statements.join(";\n")
    }

    async fn reader(&self) -> StoreResult<Reader<'_>> {
        self.read.acquire().await
    }

    /// Through the group commit (`commit.rs`), inside a savepoint of a transaction shared with the other writes
    /// waiting at that moment. SQLite has a single writer, so that alone serialises changes to an organization.
    async fn write_as<T, F>(&self, _org_id: Option<i64>, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (job, answered) = Job::new(named, work);
        self.commit.write(job, answered).await
    }

    /// On the write connection's own handle, in the writer's quick batches (`quick.rs`).
    async fn write_quick<T, F>(&self, _org_id: Option<i64>, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> Fn(Trips<'c, SqliteConnection>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (job, answered) = Job::quick(named, work);
        self.commit.write(job, answered).await
    }

    /// One database, one writer: every reader sees what the writer committed.
    async fn primary(&self) -> StoreResult<Reader<'_>> {
        self.read.acquire().await
    }

    fn model(&self) -> &ReadModel {
        &self.model
    }

    /// On the calling thread (`hot.rs`): it is on every list's path.
    async fn order_version(&self, user_id: i64) -> StoreResult<i64> {
        self.hot.order_version(user_id)
    }

    fn calling_thread(&self) -> Option<&dyn crate::store::backend::CallingThread> {
        Some(&self.hot)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("migrations/sqlite").run(&self.write).await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&mut *self.read.acquire().await?).await?;
        Ok(())
    }

    async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
        self.hot.close();
    }

    fn pool_stats(&self) -> super::PoolStats {
        super::PoolStats {
            size: (self.read.max as usize - self.read.permits.available_permits() + self.read.idle_count()) as u32
                + self.write.size(),
            idle: (self.read.idle_count() + self.write.num_idle()) as u32,
            max: self.read.max + self.write.options().get_max_connections(),
        }
    }

    async fn rate_hit(&self, key: &str, minute: i64) -> StoreResult<i64> {
        Ok(self.counters.hit(key, minute))
    }

    fn snapshots(&self) -> Option<&dyn Snapshots> {
        self.memory.is_some().then_some(self as &dyn Snapshots)
    }
}

impl Snapshots for SqliteStore {
    fn save(&self, name: &str) -> StoreResult<()> {
        self.memory.as_ref().ok_or_else(not_in_memory)?.save(name)
    }

    fn restore(&self, name: &str) -> StoreResult<()> {
        self.memory.as_ref().ok_or_else(not_in_memory)?.restore(name)?;
        self.counters.clear();
        // The restore replaced every row behind the writer's back.
        self.model.changed(None);
        Ok(())
    }

    fn dump(&self) -> StoreResult<Dump> {
        self.memory.as_ref().ok_or_else(not_in_memory)?.dump()
    }
}

fn not_in_memory() -> StoreError {
    StoreError::Other(anyhow::anyhow!("snapshots exist only for an in-memory database"))
}
