//! The PostgreSQL backend, for several stateless orgd nodes over one database. Changes to one organization's
//! members, teams, plan or variables lock its row first, so concurrent requests through different nodes apply
//! one after the other; migrations at start take sqlx's advisory lock, so nodes may start together.

mod cache;
mod commit;
mod fill;
mod hot;
mod replicas;

/// The resource code both backends share (`store/shared/`), compiled for this backend.
#[expect(
    clippy::duplicate_mod,
    reason = "store/shared/ is compiled once per backend (PostgreSQL here, SQLite in sqlite/mod.rs): sqlx's queries \
              are typed by their database; why not generic code is said in shared/mod.rs"
)]
#[path = "../shared/mod.rs"]
mod shared;

/// The store type the shared resource code implements its traits for.
type BackendStore = PgStore;
type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use sqlx::pool::PoolConnection;

use super::backend::{quick_alone, Backend, ConnFuture, Trips};
use super::group::Job;
use super::model::{Named, ReadModel};
use super::writer::Writer;
use super::{Options, Store, StoreError, StoreResult};

pub struct PgStore {
    /// The pool requests use on their own runtime: reads, and the rate counters' single statements.
    read: PgPool,
    /// The pool of transactions, used only on the writer thread (`store/writer.rs`).
    write: PgPool,
    writer: Writer,
    /// Tokens between requests, dropped on every change notified (`cache.rs`); off until
    /// [`Store::watch_changes`] listens on `listen`.
    cache: cache::AuthCache,
    /// The read model (`store/model/`), kept true by the same notifications and off with the cache.
    model: ReadModel,
    listen: PgPool,
    /// Streaming standbys that serve the reads of requests that change nothing (`replicas/`); `read` and `write`
    /// stay the primary.
    replicas: std::sync::Arc<replicas::ReplicaSet>,
    /// The writes to one organization waiting on this node, run together (`commit.rs`).
    commits: commit::OrgCommits,
}

impl PgStore {
    pub async fn open(url: &str, opts: &Options) -> anyhow::Result<Self> {
        let connect = PgConnectOptions::from_str(url)?.application_name("orgd");
        // `max_connections` is the node's whole share of the database: writes get half of it, reads the rest.
        let writes = (opts.max_connections / 2).max(2);
        let pool = |size: u32| {
            PgPoolOptions::new()
                .max_connections(size)
                .acquire_timeout(opts.acquire_timeout)
                // sqlx pings every connection when it is released; a second ping before each acquire doubled the
                // round trips of every query (bench/RESULTS.md). A connection that broke is still found by the
                // release ping, or fails its next query.
                .test_before_acquire(false)
        };
        let read = pool(opts.max_connections.saturating_sub(writes).max(2)).connect_with(connect.clone()).await?;
        // The write pool is opened on the writer thread, where every batch and every write of its own uses it, so
        // that its connections are driven there.
        let writer = Writer::start()?;
        let (options, to) = (pool(writes), connect.clone());
        let write = writer.run(async move { Ok(options.connect_with(to).await?) }).await?;
        // The cache's LISTEN connection lives in a pool of its own, so that it never takes one from requests.
        let listen = PgPoolOptions::new().max_connections(1).acquire_timeout(opts.acquire_timeout);
        let listen = listen.connect_lazy_with(connect.clone());
        let replicas = replicas::ReplicaSet::open(&opts.replicas, opts.max_connections.max(2))?;
        replicas.spawn_probes(read.clone());
        let model = ReadModel::new(opts.read_model_max_orgs, false);
        let commits = commit::OrgCommits::new(writer.handle());
        let cache = cache::AuthCache::new(model.clone());
        Ok(PgStore { read, write, writer, listen, cache, model, replicas, commits })
    }

    /// A write in a transaction of its own, on the writer thread; the node's cache drops what it `named` on commit,
    /// so the change is seen by the next request here at once, and by the other nodes when its notification
    /// arrives.
    async fn write_alone<T, F>(&self, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::PgConnection) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (pool, cache) = (self.write.clone(), self.cache.clone());
        let out = self
            .writer
            .run(async move {
                let mut tx = pool.begin().await?;
                let out = work(&mut tx).await?;
                tx.commit().await?;
                cache.committed(&[named]);
                Ok(out)
            })
            .await?;
        self.replicas.wrote();
        Ok(out)
    }
}

/// A write transaction that holds the organization's row lock: changes to one organization's members, invitations,
/// teams, plan and variables run one at a time across connections and nodes, so the limits they check hold.
/// NotFound when the organization is gone.
async fn begin_org(pool: &PgPool, org_id: i64) -> StoreResult<Tx> {
    let mut tx = pool.begin().await?;
    let found: Option<i64> = sqlx::query_scalar("select id from organizations where id = $1 for update")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
    found.map(|_| tx).ok_or_else(|| StoreError::NotFound(format!("Organization {org_id} not found.")))
}

impl Backend for PgStore {
    type Db = sqlx::Postgres;
    type Reader<'a> = PoolConnection<sqlx::Postgres>;

    /// Byte order, as SQLite sorts, whatever the database's locale.
    const COLLATE_C: &'static str = " collate \"C\"";
    /// PostgreSQL needs the type to unite a null with a timestamp.
    const NULL_TIMESTAMP: &'static str = "null::timestamptz";
    const TIMESTAMP: &'static str = "::timestamptz";
    /// Concurrent claims from several nodes skip each other's rows, so every message has one sender.
    const SKIP_LOCKED: &'static str = "for update skip locked";
    const FOR_UPDATE: &'static str = " for update";
    /// Several nodes may share the database: another node's claim may be live.
    const SINGLE_NODE: bool = false;
    /// A page's ids arrive as JSON on both backends (SQLite has no arrays); a hundred of them unpack in no time.
    const ID_IN_JSON: &'static str = "o.id in (select cast(value as bigint) from jsonb_array_elements_text($1))";

    fn one_trip(statements: &[&str]) -> String {
        let (last, parts) = statements.split_last().expect("at least one statement");
        let parts: Vec<String> = parts.iter().enumerate().map(|(i, s)| format!("part{i} as ({s})")).collect();
        if parts.is_empty() {
            return last.to_string();
        }
        format!("with {} {last}", parts.join(", "))
    }

    /// A standby's connection when one may serve the running request (`replicas/`), else the primary's.
    async fn reader(&self) -> StoreResult<PoolConnection<sqlx::Postgres>> {
        if let Some(conn) = self.replicas.reader().await {
            return Ok(conn);
        }
        Ok(self.read.acquire().await?)
    }

    /// The primary's connection: what the read model is filled from.
    async fn primary(&self) -> StoreResult<PoolConnection<sqlx::Postgres>> {
        Ok(self.read.acquire().await?)
    }

    fn model(&self) -> &ReadModel {
        &self.model
    }

    async fn order_version(&self, user_id: i64) -> StoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("select version from organization_order_versions where user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *self.primary().await?)
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// A write naming an organization: holding its row lock, in a transaction shared with the other writes to it
    /// waiting on this node (`commit.rs`). Any other: in a transaction of its own.
    async fn write_as<T, F>(&self, org_id: Option<i64>, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sqlx::PgConnection) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        if let Some(id) = org_id {
            // Answered in this caller's task after the batch's commit, so the caller's reads are fenced as below.
            let (job, answered) = Job::new(named, work);
            let out = self.commits.write(&self.write, &self.cache, id, job, answered).await?;
            self.replicas.wrote();
            return Ok(out);
        }
        self.write_alone(named, work).await
    }

    /// As [`PgStore::write_as`], with the organization's writes in its batch as quick writes: a write there may use
    /// what the batch's earlier writes left (`store/known.rs`) rather than read it back.
    async fn write_quick<T, F>(&self, org_id: Option<i64>, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> Fn(Trips<'c, sqlx::PgConnection>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let Some(id) = org_id else {
            return self.write_alone(named, move |conn| quick_alone(conn, work)).await;
        };
        let (job, answered) = Job::quick(named, work);
        let out = self.commits.write(&self.write, &self.cache, id, job, answered).await?;
        self.replicas.wrote();
        Ok(out)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        let pool = self.write.clone();
        self.writer.run(async move { Ok(sqlx::migrate!("migrations/postgres").run(&pool).await?) }).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.read).await?;
        Ok(())
    }

    async fn close(&self) {
        self.replicas.close().await;
        self.listen.close().await;
        self.write.close().await;
        self.read.close().await;
    }

    fn watch_changes(&self) {
        self.cache.spawn_listener(self.listen.clone());
    }

    fn replicas(&self) -> Vec<super::replica::ReplicaStatus> {
        self.replicas.status()
    }

    fn pool_stats(&self) -> super::PoolStats {
        let pools = [&self.read, &self.write];
        super::PoolStats {
            size: pools.iter().map(|p| p.size()).sum(),
            idle: pools.iter().map(|p| p.num_idle() as u32).sum(),
            max: pools.iter().map(|p| p.options().get_max_connections()).sum(),
        }
    }

    /// One statement on its own, on the requests' pool: a counter is no transaction to batch, and a hop to the
    /// writer thread would cost every rate-limited request.
    async fn rate_hit(&self, key: &str, minute: i64) -> StoreResult<i64> {
        let count: i64 = sqlx::query_scalar(
            "insert into rate_counters (key, minute, count) values ($1, $2, 1)
             on conflict (key, minute) do update set count = rate_counters.count + 1 returning count",
        )
        .bind(key)
        .bind(minute)
        .fetch_one(&self.read)
        .await?;
        // The first hit of a key in a minute clears its old windows, which keeps the table small.
        if count == 1 {
            sqlx::query("delete from rate_counters where key = $1 and minute < $2")
                .bind(key)
                .bind(minute - 1)
                .execute(&self.read)
                .await?;
        }
        Ok(count)
    }
}
