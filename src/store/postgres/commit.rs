//! Group commit for PostgreSQL's writes to one organization. Such writes hold the organization's row lock for their
//! whole transaction, so 32 writers on one organization ran one transaction, and one WAL flush, at a time: the
//! flush bounded them, not the CPU (bench/RESULTS.md). Here the writes to one organization that wait on this node
//! while one of its transactions runs go together into the next one (`store/group/`: savepoints, answers after
//! the commit, a failing write alone). `synchronous_commit` is untouched: an answer still waits for its flush.
//!
//! The batches are per organization, not one for the node: a transaction still locks the one organization row
//! its writes name, as a transaction of its own did, so batches on different organizations never wait for each
//! other and cannot deadlock over those rows, here or across nodes. Writes that name no organization still run in
//! transactions of their own (PostgreSQL flushes concurrent commits of different connections together anyway).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use sqlx::postgres::{PgConnection, PgPool};
use tokio::runtime::Handle;

use super::cache::AuthCache;
use crate::store::group::{self, Job, Write, MAX_BATCH};
use crate::store::StoreResult;

type PgJob = Job<Write<PgConnection>>;
/// Organization → the writes waiting for its next transaction. An entry exists exactly while a task is running
/// that organization's transactions; that task takes the waiting writes when its transaction ends.
type Queues = Arc<Mutex<HashMap<i64, Vec<PgJob>>>>;

pub(super) struct OrgCommits {
    queues: Queues,
    /// The writer thread's runtime (`writer.rs`), where the batches run.
    writer: Handle,
}

fn lock(queues: &Queues) -> MutexGuard<'_, HashMap<i64, Vec<PgJob>>> {
    queues.lock().unwrap_or_else(|e| e.into_inner())
}

impl OrgCommits {
    pub(super) fn new(writer: Handle) -> Self {
        OrgCommits { queues: Queues::default(), writer }
    }

    /// Runs `job` holding `org_id`'s row lock, in a transaction shared with the other writes to that organization
    /// waiting on this node, and answers once it is committed (dropping what it names from the read model):
    /// `answered` is the job's wait for that answer. A caller that stops waiting does not stop the write.
    pub(super) async fn write<T>(
        &self,
        pool: &PgPool,
        cache: &AuthCache,
        org_id: i64,
        job: PgJob,
        answered: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        self.queue(pool, cache, org_id, job);
        answered.await
    }

    /// Puts `job` in `org_id`'s queue, starting the task that runs the organization's transactions (on the writer
    /// thread) if none runs.
    fn queue(&self, pool: &PgPool, cache: &AuthCache, org_id: i64, job: PgJob) {
        let first = {
            let mut queues = lock(&self.queues);
            match queues.get_mut(&org_id) {
                Some(waiting) => {
                    waiting.push(job);
                    None
                }
                None => {
                    queues.insert(org_id, Vec::new());
                    Some(job)
                }
            }
        };
        if let Some(first) = first {
            let running = Running { queues: self.queues.clone(), org_id, done: false };
            self.writer.spawn(running.drain(pool.clone(), cache.clone(), first));
        }
    }
}

/// The task running one organization's transactions. Dropping it (at the end, or when a write panics) removes the
/// organization's entry, so that the next write starts a task again; writes still waiting then are answered
/// with an error (their answer channels are dropped), never left waiting.
struct Running {
    queues: Queues,
    org_id: i64,
    /// Set when the task removed the entry itself.
    done: bool,
}

impl Running {
    async fn drain(mut self, pool: PgPool, cache: AuthCache, first: PgJob) {
        let mut jobs = vec![first];
        while !jobs.is_empty() {
            while !jobs.is_empty() {
                jobs = batch(&pool, &cache, self.org_id, jobs).await;
            }
            jobs = self.next();
        }
    }

    /// The writes that came while the last transaction ran; when there are none the entry goes in the same
    /// critical section, so a write arriving after it starts a task of its own rather than wait here unseen.
    fn next(&mut self) -> Vec<PgJob> {
        let mut queues = lock(&self.queues);
        let waiting = queues.entry(self.org_id).or_default();
        let n = waiting.len().min(MAX_BATCH);
        let jobs: Vec<PgJob> = waiting.drain(..n).collect();
        if jobs.is_empty() {
            queues.remove(&self.org_id);
            self.done = true;
        }
        jobs
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.done {
            lock(&self.queues).remove(&self.org_id);
        }
    }
}

/// One transaction holding the organization's row lock for `jobs`; returns the jobs that did not get to run.
/// Every change committed drops what this node's cache and read model hold of it before its writer is answered.
// Boxed so that the task's future is provably `Send` through these borrows (as in `sqlite/commit.rs`).
fn batch<'a>(
    pool: &'a PgPool,
    cache: &'a AuthCache,
    org_id: i64,
    jobs: Vec<PgJob>,
) -> Pin<Box<dyn Future<Output = Vec<PgJob>> + Send + 'a>> {
    Box::pin(
        async move { group::run(super::begin_org(pool, org_id).await, jobs, |named| cache.committed(named)).await },
    )
}
