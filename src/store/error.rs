//! How a store call fails, whatever the backend: the database's errors sorted into what the API answers.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row the command addresses does not exist (any more).
    #[error("{0}")]
    NotFound(String),
    /// A uniqueness or consistency rule would break.
    #[error("{0}")]
    Conflict(String),
    /// A plan limit would be exceeded.
    #[error("{0}")]
    LimitExceeded(String),
    /// A bound on how often something may happen was reached; it may happen again after the given seconds.
    #[error("{detail}")]
    RateLimited { retry_after_secs: u64, detail: String },
    /// No connection became free within the pool's acquire timeout.
    #[error("database pool timed out")]
    PoolTimeout,
    /// The database cannot be reached or is shutting down (PostgreSQL gone, a connection cut, a lock held past
    /// the busy timeout): the change was not made and may be retried.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full: the change was rolled back; reads still work.
    #[error("database storage full")]
    StorageFull,
    /// Anything else: the database failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("Not found.".into()),
            sqlx::Error::PoolTimedOut => StoreError::PoolTimeout,
            _ if is_storage_full(&e) => StoreError::StorageFull,
            _ if is_unavailable(&e) => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("Already exists.".into()),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::NotFound("A referenced entity does not exist.".into())
            }
            _ => StoreError::Other(e.into()),
        }
    }
}

/// SQLite's `SQLITE_FULL` (13) and PostgreSQL's `disk_full` (53100).
fn is_storage_full(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("13" | "53100")))
}

/// Errors that say "the database is not there right now" rather than "this request is wrong": the connection
/// broke or was refused, the server is shutting down or starting up (PostgreSQL SQLSTATE class 08 and 57P01–57P03,
/// too many connections 53300), or SQLite stayed busy or locked past its timeout (5, 6 and their extended codes).
/// Each means the change was not committed, so the client may retry.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed | sqlx::Error::Tls(_) => true,
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            let sqlite_busy = code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300") || sqlite_busy
        }
        _ => false,
    }
}

/// SQLite's errors through rusqlite (the reads on every request's path, the writer's quick changes), sorted as the
/// same errors through sqlx above.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        const UNIQUE: i32 = 2067;
        const PRIMARY_KEY: i32 = 1555;
        const FOREIGN_KEY: i32 = 787;
        let extended = match &e {
            rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
            _ => 0,
        };
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Unavailable(e.to_string()),
            Some(ErrorCode::DiskFull) => StoreError::StorageFull,
            Some(ErrorCode::ConstraintViolation) if matches!(extended, UNIQUE | PRIMARY_KEY) => {
                StoreError::Conflict("Already exists.".into())
            }
            Some(ErrorCode::ConstraintViolation) if extended == FOREIGN_KEY => {
                StoreError::NotFound("A referenced entity does not exist.".into())
            }
            _ => StoreError::Other(e.into()),
        }
    }
}

impl From<crate::domain::rules::Refusal> for StoreError {
    fn from(r: crate::domain::rules::Refusal) -> Self {
        use crate::domain::rules::Refusal;
        match r {
            Refusal::Conflict(why) => StoreError::Conflict(why),
            Refusal::Limit(why) => StoreError::LimitExceeded(why),
            Refusal::NotFound(why) => StoreError::NotFound(why),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(e.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
