//! Group commit for SQLite's writes (every change `Backend::write` makes). With `synchronous = FULL` every commit
//! waits for an `fsync` of the WAL, and SQLite has a single writer, so one transaction per request bounds writes per
//! second by the disk. Here one writer task, on a thread of its own (`store/writer.rs`), takes the writes that wait
//! while it is busy and runs them together in one transaction with one `fsync` (`store/group/`: savepoints, answers
//! after the commit, failures). On a file it also settles each commit with the `data_version` watch (`watch.rs`),
//! so that its own commits drop only what they named from the read model. Writes made through
//! `Backend::write_quick` run in quick batches of their own on the connection's own handle (`quick.rs`); the others
//! through sqlx.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};
use sqlx::{Connection, Transaction};
use tokio::sync::mpsc;

use super::quick::{self, Versions};
use super::watch::DataVersion;
use crate::store::group::{self, Job, Write, MAX_BATCH};
use crate::store::model::{Named, ReadModel};
use crate::store::writer::Writer;
use crate::store::{StoreError, StoreResult};

/// A waiting write: through sqlx, or quick, on the connection's own handle (`quick.rs`).
type SqliteJob = Job<Write<SqliteConnection>>;

pub(super) struct Committer {
    jobs: mpsc::Sender<SqliteJob>,
}

impl Committer {
    /// Starts the writer task on the (one-connection) write pool, on the writer thread (`store/writer.rs`); it ends
    /// when the store is dropped. Each commit drops what `model` holds of what its writes named, before any of them
    /// is answered; with `version` (a file) it is settled with the watch.
    pub(super) fn start(write: SqlitePool, model: ReadModel, version: Option<Arc<DataVersion>>, on: &Writer) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        let own = version.map(|version| Own { version, writer_seen: None });
        on.handle().spawn(writer(write, model, own, rx));
        Committer { jobs }
    }

    /// Runs `job` in a write transaction shared with the other writes waiting, and answers once that is committed
    /// (`answered`: the job's wait for that answer); a quick write runs on the connection's own handle
    /// (`quick.rs`). A caller that stops waiting does not stop the write.
    pub(super) async fn write<T>(
        &self,
        job: SqliteJob,
        answered: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
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
    /// check, then lets requests take the version as seen again. `version` is the watch's, read after the
    /// transaction, then `writer` the writer connection's own.
    fn settle(&mut self, version: Option<i64>, writer: Option<i64>, model: &ReadModel) {
        if writer.is_none() || writer != self.writer_seen {
            model.changed(None);
        }
        self.writer_seen = writer;
        self.version.own_settled(version);
    }
}

/// The write connection, while the writer holds it.
type Held = Option<PoolConnection<Sqlite>>;

/// Takes the waiting writes in batches, on the write connection it holds for as long as writes keep coming (taking
/// it from the pool for each transaction cost two thread hand-offs more each time); it gives the connection back
/// once none waits, so that the pool's other user (`orgd migrate`, closing) gets it. A batch is the writes at the
/// front of the queue that run the same way (through sqlx, or quick), in the order they came.
async fn writer(write: SqlitePool, model: ReadModel, mut own: Option<Own>, mut rx: mpsc::Receiver<SqliteJob>) {
    while let Some(first) = rx.recv().await {
        let mut conn: Held = None;
        let mut waiting = VecDeque::from([first]);
        loop {
            while waiting.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => waiting.push_back(job),
                    Err(_) => break,
                }
            }
            if waiting.is_empty() {
                break;
            }
            if let Some(own) = &own {
                own.version.own_begins();
            }
            let versions = batch(&write, &mut conn, &model, own.as_ref().map(|o| &*o.version), &mut waiting).await;
            if let Some(own) = &mut own {
                let (version, writer) = match versions {
                    Some(read) => read,
                    None => (own.version.current(), data_version(&mut conn).await),
                };
                own.settle(version, writer, &model);
            }
        }
    }
}

/// The writer connection's own `data_version`, through sqlx.
async fn data_version(conn: &mut Held) -> Option<i64> {
    let conn = conn.as_deref_mut()?;
    sqlx::query_scalar::<_, i64>("pragma data_version").fetch_one(conn).await.ok()
}

/// One transaction for the writes at the front of `waiting` that run the same way; the writes that did not get to
/// run because it broke first go back to the front. A quick batch returns the versions it read for the settle.
// Boxed so that the writer task's future is provably `Send`: the compiler cannot see it through these borrows of
// the pool and the connection otherwise.
fn batch<'a>(
    write: &'a SqlitePool,
    conn: &'a mut Held,
    model: &'a ReadModel,
    watch: Option<&'a DataVersion>,
    waiting: &'a mut VecDeque<SqliteJob>,
) -> Pin<Box<dyn Future<Output = Option<Versions>> + Send + 'a>> {
    let committed = |named: &[Named]| model.committed(named);
    let quick = matches!(waiting.front().map(Job::work), Some(Write::Quick(_)));
    let mut driver = Vec::new();
    let mut quicks = Vec::new();
    while driver.len() + quicks.len() < MAX_BATCH {
        match waiting.front().map(Job::work) {
            Some(Write::Quick(_)) if quick => {}
            Some(Write::Driver(_)) if !quick => {}
            _ => break,
        }
        let (work, job) = waiting.pop_front().expect("looked at").split();
        match work {
            Write::Driver(work) => driver.push(job.with(Write::Driver(work))),
            Write::Quick(work) => quicks.push(job.with(work)),
        }
    }
    Box::pin(async move {
        if !quick {
            let left = group::run(begin_immediate(write, conn).await, driver, committed).await;
            for job in left.into_iter().rev() {
                waiting.push_front(job);
            }
            return None;
        }
        let held = match held(write, conn).await {
            Ok(held) => held,
            Err(e) => {
                group::not_begun(quicks, e);
                return None;
            }
        };
        let ended = quick::run(held, quicks, watch, committed).await;
        if ended.stuck {
            tracing::warn!("replacing a write connection SQLite left inside a transaction");
            if let Some(mut c) = conn.take() {
                c.close_on_drop();
            }
        }
        for job in ended.left.into_iter().rev() {
            let (work, job) = job.split();
            waiting.push_front(job.with(Write::Quick(work)));
        }
        ended.versions
    })
}

/// The write connection, taken from the pool if the writer does not hold it; one that sqlx still counts inside a
/// transaction SQLite had rolled back (below) is closed and replaced.
async fn held<'c>(write: &SqlitePool, conn: &'c mut Held) -> StoreResult<&'c mut SqliteConnection> {
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
    Ok(&mut **conn.insert(held))
}

/// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`): how the writer begins a batch
/// through sqlx. A deferred transaction that reads first and writes later cannot wait for a lock another process
/// holds (an `orgd` command, a backup): SQLite refuses the upgrade with `SQLITE_BUSY` straight away, since waiting
/// could deadlock. Taking the lock first makes such a write wait up to the busy timeout instead of failing.
///
/// A write that failed with `SQLITE_FULL` was rolled back by SQLite itself, so sqlx's own rollback fails and its
/// transaction count stays at one; such a connection is replaced rather than reused ([`held`]): every later write
/// on it would fail, and this is what lets writes succeed again once disk space is freed.
async fn begin_immediate<'c>(write: &SqlitePool, conn: &'c mut Held) -> StoreResult<Transaction<'c, Sqlite>> {
    let held = held(write, conn).await?;
    Ok(Transaction::begin(held, Some("BEGIN IMMEDIATE".into())).await?)
}
