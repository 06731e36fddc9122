//! The writer's quick batches: writes made through [`Backend::write_quick`](crate::store::backend::Backend) run on
//! the write connection's own SQLite handle, on the writer's thread. Through sqlx every statement is a hand-off to
//! the connection's thread and back; a PATCH of a variable made three (its read, its one trip, its savepoint's
//! release), each about 80 µs on this project's machine with two cores, most of it threads waking
//! (bench/RESULTS.md). Here the batch takes the handle from sqlx's thread once (`lock_handle`, one hand-off), runs
//! its transaction (`BEGIN IMMEDIATE`, a savepoint per write, `COMMIT`) through rusqlite, and gives it back with
//! no transaction open, as sqlx left it. The answers, failures and leftovers are the group commit's
//! (`store/group/`).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use rusqlite::Connection;
use sqlx::sqlite::SqliteConnection;

use super::watch::DataVersion;
use crate::store::backend::{On, Trips};
use crate::store::group::{self, not_begun, statements, Bare, Failure, Job, Output, Transaction};
use crate::store::known::Known;
use crate::store::model::Named;
use crate::store::{StoreError, StoreResult};

/// A quick write, here run on the raw connection.
pub(super) type QuickWork = group::QuickWork<SqliteConnection>;

/// The output of `fut` if it is ready when first polled: a quick write's statements run on the calling thread, so
/// its future never waits.
fn at_once<T>(fut: impl Future<Output = T>) -> Option<T> {
    match pin!(fut).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

/// The watch's version and the writer connection's own `data_version`, read after a transaction (`commit.rs`'s
/// settle).
pub(super) type Versions = (Option<i64>, Option<i64>);

/// How a quick batch ended.
pub(super) struct Ended {
    /// The writes that did not get to run because the transaction broke first.
    pub(super) left: Vec<Job<QuickWork>>,
    /// With a watch: the versions read after the transaction.
    pub(super) versions: Option<Versions>,
    /// The connection is still inside a transaction SQLite could not end: it must not be used again.
    pub(super) stuck: bool,
}

/// Runs `jobs` in one transaction on `conn`'s own handle, calls `committed` with what they named once committed
/// and answers them.
pub(super) async fn run(
    conn: &mut SqliteConnection,
    jobs: Vec<Job<QuickWork>>,
    watch: Option<&DataVersion>,
    committed: impl FnOnce(&[Named]),
) -> Ended {
    // The batch holds the write lock and may wait for the disk, blocking the thread it runs on: the writer's own
    // (`store/writer.rs`), where nothing else runs.
    let lent = sqlite_lend::lend(conn, |raw| {
        let left = transaction(raw, jobs, committed);
        let versions = watch.map(|w| (w.current(), data_version(raw)));
        let stuck = !raw.is_autocommit() && raw.execute_batch("rollback").is_err();
        Ended { left, versions, stuck }
    });
    match lent.await {
        Ok(ended) => ended,
        // The jobs were dropped with the closure that never ran: their callers are answered that the writer
        // stopped (`Job::waiting`), and the connection is replaced.
        Err(e) => {
            tracing::warn!(error = %e, "a quick batch could not take the write connection");
            Ended { left: Vec::new(), versions: None, stuck: true }
        }
    }
}

fn data_version(raw: &Connection) -> Option<i64> {
    raw.prepare_cached("pragma data_version").and_then(|mut st| st.query_row([], |r| r.get(0))).ok()
}

/// The group commit's transaction (`group::steps`), on the raw connection.
fn transaction(
    raw: &mut Connection,
    jobs: Vec<Job<QuickWork>>,
    committed: impl FnOnce(&[Named]),
) -> Vec<Job<QuickWork>> {
    if let Err(e) = raw.execute_batch("begin immediate") {
        not_begun(jobs, e.into());
        return Vec::new();
    }
    // Every step below runs to its end without waiting (each write through `at_once`), so the whole does too. Were
    // it ever not ready, its jobs are dropped with it: their callers are answered that the writer stopped.
    let steps = group::steps(Raw { raw: &mut *raw, known: Known::default() }, jobs, committed);
    let left = at_once(steps).unwrap_or_else(|| {
        tracing::error!("a quick batch waited");
        Vec::new()
    });
    if !raw.is_autocommit() {
        // A broken transaction, or a failed commit (busy, full), can leave it open; nothing of it may stay.
        let _ = raw.execute_batch("rollback");
    }
    left
}

/// A transaction on the raw connection, with what its writes left. Each statement runs on its own: there are no
/// trips to save.
struct Raw<'c> {
    raw: &'c mut Connection,
    known: Known,
}

fn exec(raw: &Connection, sql: &str) -> rusqlite::Result<()> {
    raw.prepare_cached(sql).and_then(|mut st| st.execute([])).map(drop)
}

impl Transaction<QuickWork> for Raw<'_> {
    /// Every write runs in a savepoint: here that costs no round trip, two statements on the handle. Run bare as on
    /// PostgreSQL, 32 writers on one variable measured the same within the noise (6 618 and 7 195 req/s bare,
    /// 6 302 and 7 950 in savepoints), so the replay a bare failure needs is not worth it here.
    async fn bare(&mut self, work: QuickWork) -> (QuickWork, Option<Bare>) {
        (work, None)
    }

    async fn savepoint(
        &mut self,
        work: QuickWork,
        open: bool,
        more: bool,
    ) -> (StoreResult<Output>, Result<(), Failure>) {
        if !open {
            if let Err(e) = exec(self.raw, statements::OPEN) {
                let failure = Failure::of(e);
                return (Err(failure.error()), Err(failure));
            }
        }
        let trips = Trips { on: On::Raw(&mut *self.raw), known: &mut self.known };
        let result =
            at_once(work(trips)).unwrap_or_else(|| Err(StoreError::Other(anyhow::anyhow!("a quick write waited"))));
        let mut state = Ok(());
        if result.is_err() {
            self.known.forget();
            state = exec(self.raw, statements::UNDO);
        }
        if state.is_ok() {
            state = exec(self.raw, statements::RELEASE);
        }
        if state.is_ok() && more {
            state = exec(self.raw, statements::OPEN);
        }
        (result, state.map_err(Failure::of))
    }

    async fn commit(self) -> Result<(), Failure> {
        self.raw.execute_batch("commit").map_err(Failure::of)
    }
}
