//! The PostgreSQL backend, for several stateless orgd nodes over one database. Changes to one organization's
//! members, teams, plan or variables lock its row first, so concurrent requests through different nodes apply
//! one after the other; migrations at start take sqlx's advisory lock, so nodes may start together.

mod audit;
mod billing;
mod cache;
mod features;
mod members;
mod orgs;
mod outbox;
mod teams;
mod users;
mod variables;

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{Options, Store, StoreResult};

pub struct PgStore {
    read: PgPool,
    /// The same pool as `read`; the two names keep the code in step with the SQLite backend.
    write: PgPool,
    /// Tokens and memberships between requests, dropped on every change notified (`cache.rs`); off until
    /// [`Store::watch_changes`] listens on `listen`.
    cache: cache::AuthCache,
    listen: PgPool,
}

impl PgStore {
    pub async fn open(url: &str, opts: &Options) -> anyhow::Result<Self> {
        let connect = PgConnectOptions::from_str(url)?.application_name("orgd");
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(2))
            .acquire_timeout(opts.acquire_timeout)
            // sqlx pings every connection when it is released; a second ping before each acquire doubled the
            // round trips of every query (bench/RESULTS.md). A connection that broke is still found by the
            // release ping, or fails its next query.
            .test_before_acquire(false)
            .connect_with(connect.clone())
            .await?;
        // The cache's LISTEN connection lives in a pool of its own, so that it never takes one from requests.
        let listen = PgPoolOptions::new().max_connections(1).acquire_timeout(opts.acquire_timeout);
        let listen = listen.connect_lazy_with(connect);
        Ok(PgStore { read: pool.clone(), write: pool, listen, cache: Default::default() })
    }

    /// Commits a write transaction and drops what this node cached: a change is seen by the next request here
    /// at once, and by the other nodes when its notification arrives.
    async fn commit(&self, tx: sqlx::Transaction<'_, sqlx::Postgres>) -> StoreResult<()> {
        tx.commit().await?;
        self.cache.forget();
        Ok(())
    }
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("migrations/postgres").run(&self.write).await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.read).await?;
        Ok(())
    }

    async fn close(&self) {
        self.listen.close().await;
        self.write.close().await;
    }

    fn watch_changes(&self) {
        self.cache.spawn_listener(self.listen.clone());
    }

    fn pool_stats(&self) -> super::PoolStats {
        super::PoolStats {
            size: self.write.size(),
            idle: self.write.num_idle() as u32,
            max: self.write.options().get_max_connections(),
        }
    }

    async fn rate_hit(&self, key: &str, minute: i64) -> StoreResult<i64> {
        let count: i64 = sqlx::query_scalar(
            "insert into rate_counters (key, minute, count) values ($1, $2, 1)
             on conflict (key, minute) do update set count = rate_counters.count + 1 returning count",
        )
        .bind(key)
        .bind(minute)
        .fetch_one(&self.write)
        .await?;
        // The first hit of a key in a minute clears its old windows, which keeps the table small.
        if count == 1 {
            sqlx::query("delete from rate_counters where key = $1 and minute < $2")
                .bind(key)
                .bind(minute - 1)
                .execute(&self.write)
                .await?;
        }
        Ok(count)
    }
}
