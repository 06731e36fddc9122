//! Group commit, the part both backends share: the writes waiting at one moment run one after another, each inside its
//! own savepoint (or bare, below), in one transaction with one flush of the log; each caller is answered only after
//! that commit, so an acknowledged write is durable exactly as with a transaction of its own. A write that fails is
//! rolled back to its savepoint and gets its own error; if the transaction itself fails (its start, the commit, a
//! broken connection, a full disk), every write of it that had run gets that failure, and the writes that had not run
//! yet are handed back for a transaction of their own. Who gathers the waiting writes is the backend's: SQLite has one
//! writer task for every write (`sqlite/commit.rs`), PostgreSQL one per organization being written on this node
//! (`postgres/commit.rs`).
//!
//! A savepoint costs a round trip on PostgreSQL (its release, which also opens the next one), as much as the write
//! it guards. So a transaction may run its quick writes bare (`Transaction::bare`), without savepoints, for as long
//! as every write it ran can be run again: the usual failure of a quick write is a refusal decided before it changes
//! anything (a missing or existing variable), which leaves the transaction as it was. Any other failure (a statement
//! that failed, which aborts a PostgreSQL transaction, or a refusal after a change) rolls the whole transaction
//! back, unanswered, and its writes run again in the next one, each in its savepoint (`Job::careful`): still one
//! answer per write, after the commit, a failing one alone.

use std::any::Any;
use std::future::Future;

use tokio::sync::oneshot;

use super::backend::{ConnFuture, On, Trips};
use super::known::Known;
use super::model::Named;
use super::{StoreError, StoreResult};

/// The most writes one transaction takes: bounds how long the first of them waits for its answer.
pub(crate) const MAX_BATCH: usize = 64;

/// What a write answers, before its caller takes its own type back out.
pub(crate) type Output = Box<dyn Any + Send>;
/// A write on a sqlx connection.
pub(crate) type Work<C> = Box<dyn for<'c> FnOnce(&'c mut C) -> ConnFuture<'c, StoreResult<Output>> + Send>;
/// A quick write (`Backend::write_quick`): one that can run again, should its transaction be rolled back.
pub(crate) type QuickWork<C> = Box<dyn for<'c> Fn(Trips<'c, C>) -> ConnFuture<'c, StoreResult<Output>> + Send>;

/// One write waiting for a transaction (`W`: how it runs), with the channel its caller waits on.
pub(crate) struct Job<W> {
    /// What the write may change of what the read model keeps: what it drops once the write is committed.
    named: Named,
    work: W,
    answer: oneshot::Sender<StoreResult<Output>>,
    /// A transaction it ran in bare was rolled back: it runs in a savepoint of its own now.
    careful: bool,
}

impl<W> Job<W> {
    /// A job for `work` (a write that changes what `named` says and answers a `T`), and its caller's wait for the
    /// answer (an error when the job is dropped unanswered).
    pub(crate) fn waiting<T: Send + 'static>(
        named: Named,
        work: W,
    ) -> (Self, impl Future<Output = StoreResult<T>> + Send) {
        let (answer, answered) = oneshot::channel();
        let wait = async move {
            let out: Output =
                answered.await.map_err(|_| StoreError::Unavailable("the database writer stopped".into()))??;
            Ok(*out.downcast::<T>().expect("a write answers with its own type"))
        };
        (Job { named, work, answer, careful: false }, wait)
    }

    pub(crate) fn work(&self) -> &W {
        &self.work
    }

    /// The job's work, and the job left to answer once it ran.
    pub(crate) fn split(self) -> (W, Job<()>) {
        (self.work, Job { named: self.named, work: (), answer: self.answer, careful: self.careful })
    }
}

impl Job<()> {
    /// The job again, with `work` to run.
    pub(crate) fn with<W>(self, work: W) -> Job<W> {
        Job { named: self.named, work, answer: self.answer, careful: self.careful }
    }
}

impl<C: Send + 'static> Job<Write<C>> {
    /// A job for `work` on a sqlx connection (see [`Job::waiting`]).
    pub(crate) fn new<T, F>(named: Named, work: F) -> (Self, impl Future<Output = StoreResult<T>> + Send)
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut C) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let work: Work<C> = Box::new(move |conn| Box::pin(async move { Ok(Box::new(work(conn).await?) as Output) }));
        Job::waiting(named, Write::Driver(work))
    }

    /// A job for a quick write (see [`Job::waiting`]).
    pub(crate) fn quick<T, F>(named: Named, work: F) -> (Self, impl Future<Output = StoreResult<T>> + Send)
    where
        T: Send + 'static,
        F: for<'c> Fn(Trips<'c, C>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let work: QuickWork<C> = Box::new(move |trips| {
            let ran = work(trips);
            Box::pin(async move { Ok(Box::new(ran.await?) as Output) })
        });
        Job::waiting(named, Write::Quick(work))
    }
}

/// Why a whole transaction failed, in a form every write of it can be answered with.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    NotFound(String),
    Unavailable(String),
    StorageFull,
    Other(String),
}

impl Failure {
    pub(crate) fn of(e: impl Into<StoreError>) -> Self {
        match e.into() {
            StoreError::NotFound(what) => Failure::NotFound(what),
            StoreError::StorageFull => Failure::StorageFull,
            StoreError::Unavailable(cause) => Failure::Unavailable(cause),
            StoreError::PoolTimeout => Failure::Unavailable("database pool timed out".into()),
            other => Failure::Other(other.to_string()),
        }
    }

    pub(crate) fn error(&self) -> StoreError {
        match self {
            Failure::NotFound(what) => StoreError::NotFound(what.clone()),
            Failure::Unavailable(cause) => StoreError::Unavailable(cause.clone()),
            Failure::StorageFull => StoreError::StorageFull,
            Failure::Other(cause) => StoreError::Other(anyhow::anyhow!("the write transaction failed: {cause}")),
        }
    }
}

/// The writes of one transaction that ran, waiting for its end to be answered.
pub(crate) struct Ran {
    answers: Vec<(oneshot::Sender<StoreResult<Output>>, StoreResult<Output>)>,
    named: Vec<Named>,
}

impl Ran {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Ran { answers: Vec::with_capacity(n), named: Vec::with_capacity(n) }
    }

    /// `job` ran, with `result` (its own error, or what it answers once committed).
    pub(crate) fn ran(&mut self, job: Job<()>, result: StoreResult<Output>) {
        self.named.push(job.named);
        self.answers.push((job.answer, result));
    }

    /// Answers every write that ran once the transaction ended with `outcome`: a failed transaction fails them
    /// all, each failed write keeps its own error; `committed` sees what the writes named, before any answer.
    pub(crate) fn answer(self, outcome: Result<(), Failure>, committed: impl FnOnce(&[Named])) {
        match &outcome {
            Ok(()) => committed(&self.named),
            Err(failure) => tracing::warn!(error = ?failure, writes = self.answers.len(), "a group commit failed"),
        }
        for (answer, result) in self.answers {
            let _ = answer.send(match (result, &outcome) {
                (Err(own), _) => Err(own),
                (Ok(v), Ok(())) => Ok(v),
                (Ok(_), Err(failure)) => Err(failure.error()),
            });
        }
    }
}

/// Answers every job with the failure to begin their transaction.
pub(crate) fn not_begun<W>(jobs: Vec<Job<W>>, e: StoreError) {
    let failure = Failure::of(e);
    for job in jobs {
        let _ = job.answer.send(Err(failure.error()));
    }
}

/// How a write run bare ([`Transaction::bare`]) ended.
pub(crate) enum Bare {
    /// Its result, the transaction as usable as before it (if it failed, it changed nothing).
    Ran(StoreResult<Output>),
    /// It failed and left the transaction unusable, or changed, so the transaction must be rolled back.
    Broke,
}

impl Bare {
    /// How a write run bare with `known` ended with `result`: a failure after it touched the transaction breaks it.
    pub(crate) fn ended(result: StoreResult<Output>, known: &mut Known) -> Self {
        match (result, known.untouch()) {
            (Err(_), true) => {
                known.forget();
                Bare::Broke
            }
            (result, _) => Bare::Ran(result),
        }
    }
}

/// One transaction of the group commit, as a backend runs it.
pub(crate) trait Transaction<W> {
    /// Runs `work` without a savepoint, if this transaction runs such writes so (`None`: it does not, `work` did not
    /// run), and gives it back. Only asked while every write that ran in the transaction was run bare, so that a
    /// rollback can run them all again.
    fn bare(&mut self, work: W) -> impl Future<Output = (W, Option<Bare>)> + Send;

    /// Runs `work` in its own savepoint, so that its failure undoes only itself: its result, and whether the
    /// transaction is still usable after it. `open`: the savepoint was opened already, by the statement that
    /// released the previous write's; `more`: another write follows, so this one's release may open the next
    /// savepoint in the same round trip (`statements`).
    fn savepoint(
        &mut self,
        work: W,
        open: bool,
        more: bool,
    ) -> impl Future<Output = (StoreResult<Output>, Result<(), Failure>)> + Send;

    /// Commits what the writes did.
    fn commit(self) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// Runs `jobs` one after another in `tx`, commits, calls `committed` with what the writes that ran named and
/// answers. Returns the jobs that did not get to run because the transaction broke first, and those it ran bare
/// before it was rolled back (first, marked careful); every call answers at least one job or marks one careful,
/// so a caller's loop over the leftovers ends.
pub(crate) async fn steps<W, T: Transaction<W>>(
    mut tx: T,
    jobs: Vec<Job<W>>,
    committed: impl FnOnce(&[Named]),
) -> Vec<Job<W>> {
    let mut ran = Ran::with_capacity(jobs.len());
    let mut bare: Vec<(Job<W>, StoreResult<Output>)> = Vec::new();
    let mut jobs = jobs.into_iter().peekable();
    let mut broken = None;
    let mut open = false;
    while let Some(mut job) = jobs.next() {
        if ran.answers.is_empty() && !job.careful {
            let (work, left) = job.split();
            let (work, ran_bare) = tx.bare(work).await;
            job = left.with(work);
            match ran_bare {
                Some(Bare::Ran(result)) => {
                    bare.push((job, result));
                    continue;
                }
                Some(Bare::Broke) => {
                    drop(tx);
                    let again = bare.into_iter().map(|(job, _)| job).chain([job]);
                    return again.map(|job| Job { careful: true, ..job }).chain(jobs).collect();
                }
                None => {}
            }
        }
        for (job, result) in bare.drain(..) {
            ran.ran(job.split().1, result);
        }
        let more = jobs.peek().is_some();
        let (work, job) = job.split();
        let (result, state) = tx.savepoint(work, open, more).await;
        ran.ran(job, result);
        if let Err(failure) = state {
            broken = Some(failure);
            break;
        }
        open = more;
    }
    for (job, result) in bare {
        ran.ran(job.split().1, result);
    }
    let outcome = match broken {
        Some(failure) => Err(failure),
        None => tx.commit().await,
    };
    ran.answer(outcome, committed);
    jobs.collect()
}

/// How a waiting write runs on a sqlx connection: given the connection, or as a quick write given [`Trips`] over
/// it (`Backend::write_quick`), which may use what the transaction's earlier writes left (`known.rs`).
pub(crate) enum Write<C> {
    Driver(Work<C>),
    Quick(QuickWork<C>),
}

/// Runs `jobs` in the sqlx transaction `begun` (the backend's start of one: its error goes to every job); see
/// [`steps`].
pub(crate) async fn run<DB>(
    begun: StoreResult<sqlx::Transaction<'_, DB>>,
    jobs: Vec<Job<Write<DB::Connection>>>,
    committed: impl FnOnce(&[Named]),
) -> Vec<Job<Write<DB::Connection>>>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    match begun {
        Ok(tx) => steps(Sqlx { tx, known: Known::default() }, jobs, committed).await,
        Err(e) => {
            not_begun(jobs, e);
            Vec::new()
        }
    }
}

/// The statements of a write's savepoint: what a write runs in, on both backends and both SQLite drivers.
pub(crate) mod statements {
    pub(crate) const OPEN: &str = "savepoint w";
    pub(crate) const UNDO: &str = "rollback to w";
    /// After a write that succeeded, with no other following.
    pub(crate) const RELEASE: &str = "release w";
    /// After a write that succeeded, opening the next one's in the same trip.
    pub(crate) const RELEASE_OPEN: &str = "release w; savepoint w";
}

/// A transaction through sqlx (on PostgreSQL each statement is one round trip; on SQLite one hand-off to the
/// driver's thread), with what its writes left.
struct Sqlx<'t, DB: sqlx::Database> {
    tx: sqlx::Transaction<'t, DB>,
    known: Known,
}

impl<DB> Transaction<Write<DB::Connection>> for Sqlx<'_, DB>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    /// Quick writes run bare: on PostgreSQL that saves the savepoint's round trip per write. (SQLite runs its quick
    /// writes on the raw connection, `sqlite/quick.rs`, not here.)
    async fn bare(&mut self, work: Write<DB::Connection>) -> (Write<DB::Connection>, Option<Bare>) {
        let Write::Quick(quick) = work else { return (work, None) };
        let result = quick(Trips { on: On::Driver(&mut *self.tx), known: &mut self.known }).await;
        let ended = Bare::ended(result, &mut self.known);
        (Write::Quick(quick), Some(ended))
    }

    async fn savepoint(
        &mut self,
        work: Write<DB::Connection>,
        open: bool,
        more: bool,
    ) -> (StoreResult<Output>, Result<(), Failure>) {
        use sqlx::Executor;
        use statements::{OPEN, RELEASE, RELEASE_OPEN, UNDO};
        let conn = &mut *self.tx;
        if !open {
            if let Err(e) = conn.execute(OPEN).await {
                let failure = Failure::of(e);
                return (Err(failure.error()), Err(failure));
            }
        }
        let result = match work {
            Write::Driver(work) => {
                self.known.forget();
                work(conn).await
            }
            Write::Quick(work) => work(Trips { on: On::Driver(conn), known: &mut self.known }).await,
        };
        let mut state = Ok(());
        if result.is_err() {
            self.known.forget();
            state = conn.execute(UNDO).await.map(drop);
        }
        if state.is_ok() {
            let release = if more { RELEASE_OPEN } else { RELEASE };
            state = conn.execute(release).await.map(drop);
        }
        (result, state.map_err(Failure::of))
    }

    async fn commit(self) -> Result<(), Failure> {
        self.tx.commit().await.map_err(Failure::of)
    }
}

#[cfg(test)]
mod tests;
