//! Group commit for SQLite's writes (every change `Backend::write` makes). With `synchronous = FULL` every commit
//! waits for an `fsync` of the WAL, and SQLite has a single writer, so one transaction per request bounds writes per
//! second by the disk. Here the writes that wait while the writer is busy run one after another, each inside its
//! own savepoint, in one transaction with one `fsync`; each caller is answered only after that commit, so an
//! acknowledged write is on disk exactly as before. A write that fails is rolled back to its savepoint and gets its
//! own error; if the transaction itself fails (the commit, a broken connection, a full disk), every write of it
//! that had run gets that failure, and the writes that had not run yet go into a transaction of their own.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::store::backend::ConnFuture;
use crate::store::{StoreError, StoreResult};

/// The most writes one transaction takes: bounds how long the first of them waits for its answer.
const MAX_BATCH: usize = 64;

type Output = Box<dyn Any + Send>;
type Work = Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> ConnFuture<'c, StoreResult<Output>> + Send>;

struct Job {
    work: Work,
    answer: oneshot::Sender<StoreResult<Output>>,
}

/// Why a whole transaction failed, in a form every write of it can be answered with.
#[derive(Clone, Debug)]
enum Failure {
    Unavailable(String),
    StorageFull,
    Other(String),
}

impl Failure {
    fn of(e: impl Into<StoreError>) -> Self {
        match e.into() {
            StoreError::StorageFull => Failure::StorageFull,
            StoreError::Unavailable(cause) => Failure::Unavailable(cause),
            StoreError::PoolTimeout => Failure::Unavailable("database pool timed out".into()),
            other => Failure::Other(other.to_string()),
        }
    }

    fn error(&self) -> StoreError {
        match self {
            Failure::Unavailable(cause) => StoreError::Unavailable(cause.clone()),
            Failure::StorageFull => StoreError::StorageFull,
            Failure::Other(cause) => StoreError::Other(anyhow::anyhow!("the write transaction failed: {cause}")),
        }
    }
}

pub(super) struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the writer task on the (one-connection) write pool; it ends when the store is dropped.
    pub(super) fn start(write: SqlitePool) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        tokio::spawn(writer(write, rx));
        Committer { jobs }
    }

    /// Runs `work` in a write transaction shared with the other writes waiting, and answers once that is
    /// committed. `work` must only run statements on the connection it is given (it may run again in a new
    /// transaction only if it never started). A caller that stops waiting does not stop the write.
    pub(super) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let work: Work = Box::new(move |conn| Box::pin(async move { Ok(Box::new(work(conn).await?) as Output) }));
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::Unavailable("the SQLite writer stopped".into());
        self.jobs.send(Job { work, answer }).await.map_err(|_| stopped())?;
        let out = answered.await.map_err(|_| stopped())??;
        Ok(*out.downcast::<T>().expect("a write answers with its own type"))
    }
}

async fn writer(write: SqlitePool, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        while !jobs.is_empty() {
            jobs = batch(&write, jobs).await;
        }
    }
}

/// One transaction for `jobs`; returns the jobs that did not get to run because the transaction broke first.
/// Every call answers at least one job, so the writer's loop ends.
// Boxed so that the writer task's future is provably `Send`: the compiler cannot see it through these borrows of
// the pool and the connection otherwise.
fn batch(write: &SqlitePool, jobs: Vec<Job>) -> Pin<Box<dyn Future<Output = Vec<Job>> + Send + '_>> {
    Box::pin(batch_inner(write, jobs))
}

async fn batch_inner(write: &SqlitePool, jobs: Vec<Job>) -> Vec<Job> {
    let mut tx = match super::begin_immediate(write).await {
        Ok(tx) => tx,
        Err(e) => {
            let failure = Failure::of(e);
            for job in jobs {
                let _ = job.answer.send(Err(failure.error()));
            }
            return Vec::new();
        }
    };
    let mut ran = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    let mut broken = None;
    for job in jobs.by_ref() {
        // Each write in its own savepoint: its failure undoes only itself.
        if let Err(e) = sqlx::query("savepoint w").execute(&mut *tx).await {
            let failure = Failure::of(e);
            ran.push((job.answer, Err(failure.error())));
            broken = Some(failure);
            break;
        }
        let result = (job.work)(&mut tx).await;
        let mut state = Ok(());
        if result.is_err() {
            state = sqlx::query("rollback to w").execute(&mut *tx).await.map(drop);
        }
        if state.is_ok() {
            state = sqlx::query("release w").execute(&mut *tx).await.map(drop);
        }
        ran.push((job.answer, result));
        if let Err(e) = state {
            broken = Some(Failure::of(e));
            break;
        }
    }
    let outcome = match broken {
        Some(failure) => Err(failure),
        None => tx.commit().await.map_err(Failure::of),
    };
    if let Err(failure) = &outcome {
        tracing::warn!(error = ?failure, writes = ran.len(), "a group commit failed");
    }
    for (answer, result) in ran {
        let _ = answer.send(match (result, &outcome) {
            (Err(own), _) => Err(own),
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(failure)) => Err(failure.error()),
        });
    }
    jobs.collect()
}
