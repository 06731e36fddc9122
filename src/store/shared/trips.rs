//! The statements of a write made through [`Backend::write_quick`]: each runs on the [`Trips`] it is given, through
//! sqlx (PostgreSQL), or on SQLite's write connection's own handle (`sqlite/quick.rs`), where a statement costs its
//! work rather than a hand-off to sqlx's thread and back.

use std::sync::OnceLock;

use sqlx::Arguments;

use super::{BackendStore, Conn};
use crate::store::args::{bind_raw, Arg};
use crate::store::backend::{Backend, On, Trips};
use crate::store::compact::{Created, EntryId};
use crate::store::StoreResult;

/// The backend's sqlx database.
type Db = <BackendStore as Backend>::Db;

/// Statements that share one numbering of their parameters and return no rows, sent together (see
/// [`Backend::one_trip`]; through rusqlite each is run on its own, binding the parameters it names).
pub(super) struct Trip {
    statements: &'static [&'static str],
    joined: OnceLock<String>,
}

impl Trip {
    pub(super) const fn new(statements: &'static [&'static str]) -> Self {
        Trip { statements, joined: OnceLock::new() }
    }
}

/// `args` as sqlx binds them on this backend.
pub(super) fn arguments<'q>(args: Vec<Arg>) -> <Db as sqlx::Database>::Arguments<'q> {
    let mut out = <Db as sqlx::Database>::Arguments::default();
    for a in args {
        let added = match a {
            Arg::Int(i) => out.add(i),
            Arg::OptInt(i) => out.add(i),
            Arg::Text(s) => out.add(s),
            Arg::Uuid(s) => out.add(EntryId(s)),
            Arg::Json(v) => out.add(sqlx::types::Json(v)),
            Arg::Time(t) => out.add(t),
            Arg::Created(t) => out.add(Created(t)),
        };
        // Encoding these types cannot fail but for a uuid that is not one, which the code never makes.
        added.expect("a bound value encodes");
    }
    out
}

/// Runs `trip` with `args`.
pub(super) async fn run(conn: &mut Trips<'_, Conn>, trip: &Trip, args: Vec<Arg>) -> StoreResult<()> {
    conn.known.touch();
    match &mut conn.on {
        On::Driver(c) => {
            let sql = trip.joined.get_or_init(|| BackendStore::one_trip(trip.statements));
            sqlx::query_with(sql, arguments(args)).execute(&mut **c).await?;
        }
        On::Raw(raw) => {
            for sql in trip.statements {
                let mut st = raw.prepare_cached(sql)?;
                bind_raw(&mut st, &args)?;
                st.raw_execute()?;
            }
        }
    }
    Ok(())
}

/// The row of `sql` with `args`, if any: `driver` reads it through sqlx, `raw` from rusqlite's row.
pub(super) async fn row<R>(
    conn: &mut Trips<'_, Conn>,
    sql: &'static str,
    args: Vec<Arg>,
    raw: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
) -> StoreResult<Option<R>>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    let read = read_row(conn, sql, args, raw).await;
    if read.is_err() {
        conn.known.touch();
    }
    read
}

async fn read_row<R>(
    conn: &mut Trips<'_, Conn>,
    sql: &'static str,
    args: Vec<Arg>,
    raw: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<R>,
) -> StoreResult<Option<R>>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    match &mut conn.on {
        On::Driver(c) => Ok(sqlx::query_as_with(sql, arguments(args)).fetch_optional(&mut **c).await?),
        On::Raw(conn) => {
            let mut st = conn.prepare_cached(sql)?;
            bind_raw(&mut st, &args)?;
            let mut rows = st.raw_query();
            match rows.next()? {
                Some(r) => Ok(Some(raw(r)?)),
                None => Ok(None),
            }
        }
    }
}
