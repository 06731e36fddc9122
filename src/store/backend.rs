//! What a backend supplies to the resource code both backends share (`store/shared/`): the contract, as a trait
//! the compiler checks, rather than prose.
//!
//! The resource code reads through [`Backend::reader`] and changes things only through [`Backend::write`], each
//! change one unit of work with its transaction: that is the one write style. SQLite runs the work through its
//! group commit (`sqlite/commit.rs`), inside a savepoint of a transaction shared with the other writes waiting at
//! that moment, and answers once that transaction is on disk; PostgreSQL runs a write that names an organization
//! the same way among the writes to that organization waiting on the node (`postgres/commit.rs`), holding its row
//! lock, any other in a transaction of its own, and drops its per-node cache on commit (`store/group/` is the
//! part both share).

use std::future::Future;
use std::ops::DerefMut;
use std::pin::Pin;

use super::known::Known;
use super::model::{Named, ReadModel};
use super::models::Org;
use super::StoreResult;

/// A future borrowing a write connection: what the work given to [`Backend::write`] returns.
pub(crate) type ConnFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// A backend's connection type.
pub(crate) type Conn<B> = <<B as Backend>::Db as sqlx::Database>::Connection;

/// What a [`Backend::write_quick`] change runs its statements on (`shared/trips.rs`), with what the earlier writes
/// of its transaction left (`known.rs`).
pub(crate) struct Trips<'c, C> {
    pub(crate) on: On<'c, C>,
    pub(crate) known: &'c mut Known,
}

/// The driver's connection, or on SQLite the write connection's own handle, taken from sqlx's thread for the whole
/// transaction (`sqlite/quick.rs`).
pub(crate) enum On<'c, C> {
    Driver(&'c mut C),
    Raw(&'c mut rusqlite::Connection),
}

/// Runs the quick write `work` on `conn` through the driver, with nothing known of its transaction before it.
pub(crate) fn quick_alone<'c, C, T, F>(conn: &'c mut C, work: F) -> ConnFuture<'c, StoreResult<T>>
where
    C: Send,
    T: 'c,
    F: for<'a> FnOnce(Trips<'a, C>) -> ConnFuture<'a, StoreResult<T>> + Send + 'c,
{
    Box::pin(async move {
        let mut known = Known::default();
        work(Trips { on: On::Driver(conn), known: &mut known }).await
    })
}

/// Reads a backend runs on the calling thread, where that is its cheapest way (SQLite's hot readers,
/// `sqlite/hot.rs`: no hand-off to the driver's thread for each statement, or for each row of it): the list's
/// order and its page, read again after a change of the user's organizations (`shared/order.rs`). The statements
/// are the shared code's, with `$1, $2` as there.
pub(crate) trait CallingThread: Send + Sync {
    /// The (version, organization id) rows of `sql`, with `$1` the user and `$2` the limit.
    fn order_rows(&self, sql: &str, user_id: i64, limit: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// The organizations `sql` selects (`ORG_COLS`), with `$1` the JSON array of `ids`.
    fn orgs(&self, sql: &str, ids: &[i64]) -> StoreResult<Vec<Org>>;
}

/// The primitives that differ between the databases; everything else in `store/shared/` is the same text for both.
pub(crate) trait Backend: Send + Sync + 'static {
    /// The sqlx database.
    type Db: sqlx::Database;
    /// A connection for reads, back to its pool when dropped.
    type Reader<'a>: DerefMut<Target = Conn<Self>> + Send
    where
        Self: 'a;

    /// Appended to a text column in `order by`: byte order, as SQLite sorts, whatever PostgreSQL's locale.
    const COLLATE_C: &'static str;
    /// A null that unites with a timestamp in a `union`.
    const NULL_TIMESTAMP: &'static str;
    /// Appended to a timestamp parameter where nothing else gives it a type (a `select` list).
    const TIMESTAMP: &'static str;
    /// How a claim of outbox rows skips rows another node holds (nothing where one node serves the database).
    const SKIP_LOCKED: &'static str;
    /// Appended to a read whose row the same transaction then changes, so that it is locked until the commit.
    const FOR_UPDATE: &'static str;
    /// Whether one process serves the database, so that claims of other processes are left over from a crash.
    const SINGLE_NODE: bool;
    /// `o.id` among the ids of the JSON array bound as `$1` (one statement for a page's organizations).
    const ID_IN_JSON: &'static str;

    /// `statements`, which share one numbering of their parameters and return no rows, as one statement text: one
    /// round trip on PostgreSQL (data-modifying `with` parts, one snapshot), one hand-off to the driver's thread on
    /// SQLite (statements run in order). For writes whose parts do not read each other's changes.
    fn one_trip(statements: &[&str]) -> String;

    /// A connection for reads.
    fn reader(&self) -> impl Future<Output = StoreResult<Self::Reader<'_>>> + Send;

    /// A connection for reads on the primary, never a standby: what fills the read model.
    fn primary(&self) -> impl Future<Output = StoreResult<Self::Reader<'_>>> + Send;

    /// This node's read model (`store/model/`).
    fn model(&self) -> &ReadModel;

    /// The user's version in `organization_order_versions` (0 without a row), from the primary: read by a list of
    /// organizations by name or id when the model does not keep it (`shared/order.rs`), each backend its cheapest
    /// way.
    fn order_version(&self, user_id: i64) -> impl Future<Output = StoreResult<i64>> + Send;

    /// The reads this backend runs on the calling thread instead of through the driver, if any.
    fn calling_thread(&self) -> Option<&dyn CallingThread> {
        None
    }

    /// Runs `work` as one change, committed before the answer. With `org_id`, `work` changes rows of that
    /// organization only, and changes to that organization run one at a time, so the limits and old values they
    /// read hold until the commit (PostgreSQL locks the row, NotFound when it is gone; SQLite's single writer
    /// serialises every write already). `named` is what the read model drops once it is committed. `work` runs only
    /// statements on the connection it is given: on SQLite it may share a transaction with other writes, undone
    /// alone on failure.
    fn write_as<T, F>(&self, org_id: Option<i64>, named: Named, work: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<Self>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static;

    /// As [`Backend::write_as`], for a change that runs its statements through `shared/trips.rs`, never waiting on
    /// anything else: on SQLite, the writer runs such changes on its connection's own handle, on the calling
    /// thread, so that each statement costs its work, not two hand-offs between threads (`sqlite/quick.rs`); on
    /// PostgreSQL, a batch runs them without savepoints. Either may run `work` again, in the next transaction, when
    /// the one it ran in is rolled back (`group/`): it reads what it needs from the statements it runs.
    fn write_quick<T, F>(
        &self,
        org_id: Option<i64>,
        named: Named,
        work: F,
    ) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> Fn(Trips<'c, Conn<Self>>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        self.write_as(org_id, named, move |conn| quick_alone(conn, work))
    }

    /// [`Backend::write_as`] naming what it locks: the organization's rows, or (without one) anything.
    fn write<T, F>(&self, org_id: Option<i64>, work: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<Self>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        self.write_as(org_id, org_id.map_or(Named::Anything, Named::Org), work)
    }

    /// As [`Backend::write`] without an organization, for a change to rows that neither the read model nor the
    /// token cache ever reads (the outbox, audit pruning): it drops nothing, so that the mail worker's poll every
    /// few seconds does not empty every node's model.
    fn write_aside<T, F>(&self, work: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<Self>) -> ConnFuture<'c, StoreResult<T>> + Send + 'static,
    {
        self.write_as(None, Named::Nothing, work)
    }
}
