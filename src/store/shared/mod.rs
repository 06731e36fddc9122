//! The store code both backends share, written once.
//!
//! Each file here beside this one is compiled twice: `sqlite/mod.rs` and `postgres/mod.rs` each declare a module
//! per resource with `resource_modules!`, which `include!`s the file there, where it implements the resource's
//! store trait for that backend. Inside such a file,
//! `super` is the backend, which supplies exactly what differs between the databases:
//!
//! - `Backend` (the store type), `Db`, `Conn` and `Tx` (its sqlx database, connection and write transaction);
//! - `reader()` — a connection for reads; `begin()` — a write transaction; `begin_org(org_id)` — a write
//!   transaction that serialises changes to one organization (PostgreSQL locks its row, so plan limits hold
//!   across nodes; SQLite's single writer already does); `commit(tx)` (PostgreSQL also drops its per-node cache);
//!   `changed()` for a change made outside a transaction; `write(org_id, work)` for the hot writes (SQLite runs
//!   them through its group commit, PostgreSQL in a transaction of their own);
//! - `dialect` — the few SQL fragments whose syntax differs (casts, collations, row locks).
//!
//! The SQL is otherwise the same text for both: parameters are `$1, $2, …` (SQLite reads them too), casts are
//! written `cast(… as bigint)`, JSON goes through `sqlx::types::Json` (text in SQLite, `jsonb` in PostgreSQL).
//! What each backend does its own way entirely — the reads on every request's path, the group commit, the
//! PostgreSQL cache — stays in its own folder. The business rules the SQL enforces are plain functions in
//! `crate::domain` (`limits`, `plans`, `variables`), tested there once.
//!
//! `cargo fmt` does not see these files (they are not modules); `scripts/test` runs rustfmt on them itself.

use std::future::Future;
use std::pin::Pin;

/// A future borrowing a write connection: what a hot write (`write(org_id, work)`) returns.
pub(crate) type ConnFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Declares, in the backend that calls it, one module per resource holding that resource's shared store code.
macro_rules! resource_modules {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/shared/", stringify!($name), ".rs"));
        }
    )*};
}
pub(crate) use resource_modules;
