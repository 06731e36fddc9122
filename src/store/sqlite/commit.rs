//! Group commit for SQLite's writes (every change `Backend::write` makes). With `synchronous = FULL` every commit
//! waits for an `fsync` of the WAL, and SQLite has a single writer, so one transaction per request bounds writes per
//! second by the disk. Here one writer task takes the writes that wait while it is busy and runs them together in
//! one transaction with one `fsync` (`store/group.rs`: savepoints, answers after the commit, failures).

use std::future::Future;
use std::pin::Pin;

use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::mpsc;

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
    /// drops what `model` holds of what its writes named, before any of them is answered.
    pub(super) fn start(write: SqlitePool, model: ReadModel) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        tokio::spawn(writer(write, model, rx));
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

async fn writer(write: SqlitePool, model: ReadModel, mut rx: mpsc::Receiver<SqliteJob>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        while !jobs.is_empty() {
            jobs = batch(&write, &model, jobs).await;
        }
    }
}

/// One transaction for `jobs`; returns the jobs that did not get to run because the transaction broke first.
// Boxed so that the writer task's future is provably `Send`: the compiler cannot see it through these borrows of
// the pool and the connection otherwise.
fn batch<'a>(
    write: &'a SqlitePool,
    model: &'a ReadModel,
    jobs: Vec<SqliteJob>,
) -> Pin<Box<dyn Future<Output = Vec<SqliteJob>> + Send + 'a>> {
    let committed = |named: &[Named]| model.committed(named);
    Box::pin(async move { group::run(super::begin_immediate(write).await, jobs, committed).await })
}
