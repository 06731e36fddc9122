//! `orgd backup --to FILE` and `orgd restore --from FILE`: a consistent copy of the database taken while servers
//! run, and bringing one back into a new (or, with `--force`, a replaced) database.
//!
//! SQLite: `VACUUM INTO` reads one snapshot of the WAL database, so writers carry on; restore checks the copy
//! and renames it into place. PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and
//! `pg_restore --single-transaction`. Either way the file appears under its name only once it is complete
//! (written as `FILE.partial`, fsynced, renamed), and a restore ends by applying migrations, so an older backup
//! comes up to date.

mod postgres;
mod sqlite;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};

use crate::config::Config;

/// What a backup file holds, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Sqlite,
    PgDump,
}

impl Format {
    fn of_url(url: &str) -> anyhow::Result<Format> {
        if url.starts_with("sqlite:") {
            Ok(Format::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Format::PgDump)
        } else {
            bail!("unsupported database URL (expected sqlite://PATH or postgres://…)")
        }
    }

    fn of_file(path: &Path) -> anyhow::Result<Option<Format>> {
        let mut head = [0u8; 16];
        let mut f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(if &head[..n] == b"SQLite format 3\0" {
            Some(Format::Sqlite)
        } else if head[..n].starts_with(b"PGDMP") {
            Some(Format::PgDump)
        } else {
            None
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Sqlite => "a SQLite database",
            Format::PgDump => "a PostgreSQL backup (pg_dump custom format)",
        }
    }
}

/// `orgd backup --to FILE`.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let format = Format::of_url(&config.database_url)?;
    if to.exists() {
        bail!("{} exists; choose a new name", to.display());
    }
    let partial = with_suffix(to, ".partial");
    // A leftover of an interrupted backup: never a finished one, so it may go.
    remove_if_exists(&partial)?;
    let started = Instant::now();
    let made = match format {
        Format::Sqlite => sqlite::backup(&config.database_url, &partial).await,
        Format::PgDump => postgres::backup(&config.database_url, &partial).await,
    };
    if let Err(e) = made.and_then(|()| sync_file(&partial)) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    if to.exists() {
        let _ = std::fs::remove_file(&partial);
        bail!("{} exists; choose a new name", to.display());
    }
    std::fs::rename(&partial, to).with_context(|| format!("renaming {} to {}", partial.display(), to.display()))?;
    sync_dir(to)?;
    let size = std::fs::metadata(to)?.len();
    eprintln!(
        "orgd: backed up {} to {} ({}, {:.2} s)",
        crate::config::redact_url(&config.database_url),
        to.display(),
        human_size(size),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `orgd restore --from FILE [--force]`.
pub async fn restore(config: &Config, from: &Path, force: bool) -> anyhow::Result<()> {
    let target = Format::of_url(&config.database_url)?;
    match Format::of_file(from)? {
        Some(f) if f == target => {}
        Some(f) => bail!(
            "{} is {}, but the target database is {}",
            from.display(),
            f.describe(),
            match target {
                Format::Sqlite => "SQLite",
                Format::PgDump => "PostgreSQL",
            }
        ),
        None => {
            bail!("{} is not an orgd backup (neither a SQLite database nor a pg_dump custom archive)", from.display())
        }
    }
    let started = Instant::now();
    match target {
        Format::Sqlite => sqlite::restore(&config.database_url, from, force).await?,
        Format::PgDump => postgres::restore(&config.database_url, from, force).await?,
    }
    // An older backup comes up to date.
    let store = crate::commands::open_store(config, true).await?;
    store.close().await;
    eprintln!(
        "orgd: restored {} into {} ({:.2} s)",
        from.display(),
        crate::config::redact_url(&config.database_url),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The refusal when the target holds data and `--force` was not given.
fn not_empty(what: &str, tables: i64) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} is not empty ({tables} tables); restore into a new database, or stop every server using it and \
         pass --force to replace it"
    )
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_if_exists(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    File::open(path).and_then(|f| f.sync_all()).with_context(|| format!("syncing {}", path.display()))
}

/// Makes a rename in the folder of `path` durable.
fn sync_dir(path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|f| f.sync_all()).with_context(|| format!("syncing {}", dir.display()))
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        assert_eq!(Format::of_file(&write("a", b"SQLite format 3\0rest")).unwrap(), Some(Format::Sqlite));
        assert_eq!(Format::of_file(&write("b", b"PGDMP\x01\x0e")).unwrap(), Some(Format::PgDump));
        assert_eq!(Format::of_file(&write("c", b"SQLite")).unwrap(), None);
        assert_eq!(Format::of_file(&write("d", b"")).unwrap(), None);
        assert_eq!(with_suffix(Path::new("/x/b.db"), ".partial"), PathBuf::from("/x/b.db.partial"));
        assert_eq!(human_size(3 << 20), "3.0 MiB");
    }
}
