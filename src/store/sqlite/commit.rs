//! Group commit for SQLite's writes (every change `Backend::write` makes). With `synchronous = FULL` every commit
//! waits for an `fsync` of the WAL, and SQLite has a single writer, so one transaction per request bounds writes per
//! second by the disk. Here one writer task takes the writes that wait while it is busy and runs them together in
//! one transaction with one `fsync` (`store/group.rs`: savepoints, answers after the commit, failures). On a file
//! it also settles each commit with the `data_version` watch (`watch.rs`), so that its own commits drop only what
//! they named from the read model.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};
use sqlx::{Connection, Transaction};
use tokio::sync::mpsc;

use super::watch::DataVersion;
use crate::store::backend::ConnFuture;
use crate::store::group::{self, Job, MAX_BATCH};
use crate::store::model::{Named, ReadModel};
use crate::store::{StoreError, StoreResult};

type SqliteJob = Job<SqliteConnection>;

pub(super) struct Committer {
    jobs: mpsc::Sender<SqliteJob>,
}

impl Committer {
    /// Starts the writer task on the (one-connection) write pool; it ends when the store is dropped. Each commit
    /// drops what `model` holds of what its writes named, before any of them is answered; with `version` (a file)
    /// it is settled with the watch.
    pub(super) fn start(write: SqlitePool, model: ReadModel, version: Option<Arc<DataVersion>>) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        let own = version.map(|version| Own { version, writer_seen: None });
        tokio::spawn(writer(write, model, own, rx));
        Committer { jobs }
    }

    /// Runs `work` (a write that changes what `named` says) in a write transaction shared with the other writes
    /// waiting, and answers once that is committed. `work` must only run statements on the connection it is given (it may run again in a new
    /// transaction only if it never started). A caller that stops waiting does not stop the write.
    pub(super) async fn write<T, F>(&self, named: Named, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (job, answered) = Job::new(named, work);
        let stopped = || StoreError::Unavailable("the SQLite writer stopped".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answered.await
    }
}

/// The writer's side of the `data_version` watch (`watch.rs`).
struct Own {
    version: Arc<DataVersion>,
    /// The writer connection's own `data_version` at its last check: it moves only with other connections' commits.
    writer_seen: Option<i64>,
}

impl Own {
    /// After a transaction ended (committed or not): drops everything if another process committed since the last
    /// check, then lets requests take the version as seen again.
    async fn settle(&mut self, conn: &mut Writer, model: &ReadModel) {
        let version = self.version.current();
        let now = match conn.as_deref_mut() {
            Some(conn) => sqlx::query_scalar::<_, i64>("pragma data_version").fetch_one(conn).await.ok(),
            None => None,
        };
        if now.is_none() || now != self.writer_seen {
            model.changed(None);
        }
        self.writer_seen = now;
        self.version.own_settled(version);
    }
}

/// The write connection, while the writer holds it.
type Writer = Option<PoolConnection<Sqlite>>;

/// Takes the waiting writes in batches, on the write connection it holds for as long as writes keep coming (taking
/// it from the pool for each transaction cost two thread hand-offs more each time); it gives the connection back
/// once none waits, so that the pool's other user (`orgd migrate`, closing) gets it.
async fn writer(write: SqlitePool, model: ReadModel, mut own: Option<Own>, mut rx: mpsc::Receiver<SqliteJob>) {
    while let Some(first) = rx.recv().await {
        let mut conn: Writer = None;
        let mut jobs = vec![first];
        while !jobs.is_empty() {
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            while !jobs.is_empty() {
                if let Some(own) = &own {
                    own.version.own_begins();
                }
                jobs = batch(&write, &mut conn, &model, jobs).await;
                if let Some(own) = &mut own {
                    own.settle(&mut conn, &model).await;
                }
            }
            if let Ok(job) = rx.try_recv() {
                jobs.push(job);
            }
        }
    }
}

/// One transaction for `jobs`; returns the jobs that did not get to run because the transaction broke first.
// Boxed so that the writer task's future is provably `Send`: the compiler cannot see it through these borrows of
// the pool and the connection otherwise.
fn batch<'a>(
    write: &'a SqlitePool,
    conn: &'a mut Writer,
    model: &'a ReadModel,
    jobs: Vec<SqliteJob>,
) -> Pin<Box<dyn Future<Output = Vec<SqliteJob>> + Send + 'a>> {
    let committed = |named: &[Named]| model.committed(named);
    Box::pin(async move { group::run(begin_immediate(write, conn).await, jobs, committed).await })
}

/// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`): how the group commit
/// (`commit.rs`) begins its transactions. A deferred transaction that reads first and writes later cannot wait for
/// a lock another process holds (an `orgd` command, a backup): SQLite refuses the upgrade with `SQLITE_BUSY`
/// straight away, since waiting could deadlock. Taking the lock first makes such a write wait up to the busy
/// timeout instead of failing.
///
/// A write that failed with `SQLITE_FULL` was rolled back by SQLite itself, so sqlx's own rollback fails and its
/// transaction count stays at one; such a connection is closed and replaced rather than reused (every later write
/// on it would fail) — this is what lets writes succeed again once disk space is freed.
async fn begin_immediate<'c>(write: &SqlitePool, conn: &'c mut Writer) -> StoreResult<Transaction<'c, Sqlite>> {
    let mut held = match conn.take() {
        Some(c) => c,
        None => write.acquire().await?,
    };
    if held.is_in_transaction() {
        tracing::warn!("replacing a write connection left inside a transaction SQLite had rolled back");
        held.close_on_drop();
        drop(held);
        held = write.acquire().await?;
    }
    Ok(Transaction::begin(&mut **conn.insert(held), Some("BEGIN IMMEDIATE".into())).await?)
}
