//! SQLite: `VACUUM INTO` for the backup, a checked copy renamed into place for the restore.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use super::{not_empty, remove_if_exists, sync_dir, sync_file, with_suffix};

fn database_path(url: &str) -> anyhow::Result<PathBuf> {
    let path = SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf();
    if url.contains(":memory:") || url.contains("mode=memory") || path.as_os_str().is_empty() {
        bail!("an in-memory SQLite database has nothing to back up or restore into");
    }
    Ok(path)
}

async fn connect(path: &Path, journal: SqliteJournalMode) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(journal)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .with_context(|| format!("opening {}", path.display()))
}

/// One snapshot of the live database into `partial` (which must not exist). Servers keep writing meanwhile:
/// in WAL mode the read transaction of `VACUUM INTO` sees the database as of its start.
pub(super) async fn backup(url: &str, partial: &Path) -> anyhow::Result<()> {
    let path = database_path(url)?;
    if !path.exists() {
        bail!("the database {} does not exist", path.display());
    }
    let mut conn = connect(&path, SqliteJournalMode::Wal).await?;
    let target = partial.to_str().context("the backup file's name must be UTF-8")?;
    sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await.context("VACUUM INTO")?;
    conn.close().await?;
    Ok(())
}

async fn table_count(conn: &mut SqliteConnection) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("select count(*) from sqlite_master where type = 'table'").fetch_one(conn).await?)
}

/// Copies the backup next to the database, checks the copy, then renames it onto the database.
pub(super) async fn restore(url: &str, from: &Path, force: bool) -> anyhow::Result<()> {
    let path = database_path(url)?;
    if path.exists() && std::fs::metadata(&path)?.len() > 0 {
        let mut conn = connect(&path, SqliteJournalMode::Wal).await?;
        let tables = table_count(&mut conn).await?;
        conn.close().await?;
        if tables > 0 && !force {
            return Err(not_empty(&path.display().to_string(), tables));
        }
    }
    let partial = with_suffix(&path, ".restore-partial");
    let sidecars = |p: &Path| ["-wal", "-shm", "-journal"].map(|s| with_suffix(p, s));
    let cleanup = |p: &Path| {
        let _ = std::fs::remove_file(p);
        for s in sidecars(p) {
            let _ = std::fs::remove_file(s);
        }
    };
    cleanup(&partial);
    let checked = async {
        std::fs::copy(from, &partial)
            .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
        // Rollback journal mode on the copy: one self-contained file, no -wal to carry along.
        let mut conn = connect(&partial, SqliteJournalMode::Delete).await?;
        let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await?;
        if verdict != ["ok"] {
            let mut verdict = verdict.join("; ").replace(['\r', '\n'], " ");
            if verdict.len() > 300 {
                verdict = format!("{}…", verdict.chars().take(300).collect::<String>());
            }
            bail!("{} fails SQLite's integrity check: {verdict}", from.display());
        }
        let migrations: i64 =
            sqlx::query_scalar("select count(*) from sqlite_master where type = 'table' and name = '_sqlx_migrations'")
                .fetch_one(&mut conn)
                .await?;
        if migrations == 0 {
            bail!("{} is a SQLite database but not an orgd one (no _sqlx_migrations table)", from.display());
        }
        conn.close().await?;
        sync_file(&partial)
    };
    if let Err(e) = checked.await {
        cleanup(&partial);
        return Err(e);
    }
    for stale in sidecars(&path) {
        remove_if_exists(&stale)?;
    }
    std::fs::rename(&partial, &path)
        .with_context(|| format!("renaming {} to {}", partial.display(), path.display()))?;
    sync_dir(&path)
}
