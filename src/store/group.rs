//! Group commit, the part both backends share: the writes waiting at one moment run one after another, each inside
//! its own savepoint, in one transaction with one flush of the log; each caller is answered only after that
//! commit, so an acknowledged write is durable exactly as with a transaction of its own. A write that fails is
//! rolled back to its savepoint and gets its own error; if the transaction itself fails (its start, the commit, a
//! broken connection, a full disk), every write of it that had run gets that failure, and the writes that had not
//! run yet are handed back for a transaction of their own. Who gathers the waiting writes is the backend's:
//! SQLite has one writer task for every write (`sqlite/commit.rs`), PostgreSQL one per organization being
//! written on this node (`postgres/commit.rs`).

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
/// A quick write (`Backend::write_quick`).
pub(crate) type QuickWork<C> = Box<dyn for<'c> FnOnce(Trips<'c, C>) -> ConnFuture<'c, StoreResult<Output>> + Send>;

/// One write waiting for a transaction (`W`: how it runs), with the channel its caller waits on.
pub(crate) struct Job<W> {
    /// What the write may change of what the read model keeps: what it drops once the write is committed.
    named: Named,
    work: W,
    answer: oneshot::Sender<StoreResult<Output>>,
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
        (Job { named, work, answer }, wait)
    }

    pub(crate) fn work(&self) -> &W {
        &self.work
    }

    /// The job's work, and the job left to answer once it ran.
    pub(crate) fn split(self) -> (W, Job<()>) {
        (self.work, Job { named: self.named, work: (), answer: self.answer })
    }
}

impl Job<()> {
    /// The job again, with `work` to run.
    pub(crate) fn with<W>(self, work: W) -> Job<W> {
        Job { named: self.named, work, answer: self.answer }
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
        F: for<'c> FnOnce(Trips<'c, C>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let work: QuickWork<C> =
            Box::new(move |trips| Box::pin(async move { Ok(Box::new(work(trips).await?) as Output) }));
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

/// One transaction of the group commit, as a backend runs it.
pub(crate) trait Transaction<W> {
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
/// answers. Returns the jobs that did not get to run because the transaction broke first; every call answers at
/// least one job, so a caller's loop over the leftovers ends.
pub(crate) async fn steps<W, T: Transaction<W>>(
    mut tx: T,
    jobs: Vec<Job<W>>,
    committed: impl FnOnce(&[Named]),
) -> Vec<Job<W>> {
    let mut ran = Ran::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter().peekable();
    let mut broken = None;
    let mut open = false;
    while let Some(job) = jobs.next() {
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
