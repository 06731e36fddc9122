//! Lends the SQLite handle of a sqlx connection to rusqlite, so that a run of statements costs their work on the
//! calling thread instead of a hand-off to sqlx's thread and back for each (orgd's `sqlite/quick.rs`).
//!
//! orgd forbids unsafe code; this is the one block it needs, in a crate of its own so that the rule holds there.
//! It relies on two documented guarantees:
//! - sqlx's [`SqliteConnection::lock_handle`] keeps the connection's own thread off the handle until the lock is
//!   dropped ("so direct SQLite API calls can be made safely");
//! - a rusqlite [`Connection`] made with `from_handle` never closes the handle, and dropping it finalizes every
//!   statement it prepared.
//!
//! The rusqlite connection lives only inside the call, so it is dropped before the lock, and nothing it prepared
//! outlives the lend.

use rusqlite::Connection;
use sqlx::sqlite::SqliteConnection;

/// Runs `f` with `conn`'s handle as a rusqlite connection, once sqlx's thread has let go of it (one hand-off).
/// `f` must leave the connection as it found it with respect to transactions: sqlx keeps its own count.
pub async fn lend<T>(conn: &mut SqliteConnection, f: impl FnOnce(&mut Connection) -> T) -> Result<T, Error> {
    let mut handle = conn.lock_handle().await.map_err(Error::Sqlx)?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `handle` holds the lock for as long as `raw` lives (it is dropped at the end of this function, after
    // `raw`); the handle is open (sqlx closes it only when the connection drops, which `conn`'s borrow prevents);
    // `from_handle` does not take ownership, so dropping `raw` does not close it.
    let mut raw = unsafe { Connection::from_handle(db) }.map_err(Error::Rusqlite)?;
    let out = f(&mut raw);
    drop(raw);
    drop(handle);
    Ok(out)
}

/// Why the handle could not be lent.
#[derive(Debug)]
pub enum Error {
    /// sqlx's thread is gone.
    Sqlx(sqlx::Error),
    /// rusqlite refused the handle.
    Rusqlite(rusqlite::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Sqlx(e) => write!(f, "lending the SQLite handle: {e}"),
            Error::Rusqlite(e) => write!(f, "lending the SQLite handle: {e}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection as _, Executor as _};

    #[tokio::test]
    async fn statements_on_the_lent_handle_are_the_connections() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        conn.execute("create table t (x integer)").await.unwrap();
        let n = lend(&mut conn, |raw| {
            raw.execute("insert into t values (1), (2)", []).unwrap();
            raw.query_row("select count(*) from t", [], |r| r.get::<_, i64>(0)).unwrap()
        })
        .await
        .unwrap();
        assert_eq!(n, 2);
        let back: i64 = sqlx::query_scalar("select sum(x) from t").fetch_one(&mut conn).await.unwrap();
        assert_eq!(back, 3);
    }
}
