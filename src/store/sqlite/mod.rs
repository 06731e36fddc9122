//! The SQLite backend: WAL, foreign keys, a busy timeout and `synchronous = FULL`, so an acknowledged write
//! survives a crash. Writes go through a one-connection pool, which serialises them without `SQLITE_BUSY`
//! upgrade failures; reads use a separate pool.

mod billing;
mod features;
mod members;
mod orgs;
mod teams;
mod users;
mod variables;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::{Options, Store, StoreResult};

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    /// SQLite serves one node, so its rate counters live in memory rather than costing a write per request.
    counters: crate::rate::MemoryCounters,
}

impl SqliteStore {
    pub async fn open(url: &str, opts: &Options) -> anyhow::Result<Self> {
        let connect = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(connect.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(connect.read_only(false))
            .await?;
        Ok(SqliteStore { read, write, counters: Default::default() })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("migrations/sqlite").run(&self.write).await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.read).await?;
        Ok(())
    }

    async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    fn pool_stats(&self) -> super::PoolStats {
        super::PoolStats {
            size: self.read.size() + self.write.size(),
            idle: (self.read.num_idle() + self.write.num_idle()) as u32,
            max: self.read.options().get_max_connections() + self.write.options().get_max_connections(),
        }
    }

    async fn rate_hit(&self, key: &str, minute: i64) -> StoreResult<i64> {
        Ok(self.counters.hit(key, minute))
    }
}
