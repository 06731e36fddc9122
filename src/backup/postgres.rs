//! PostgreSQL: `pg_dump --format=custom` for the backup (one repeatable-read snapshot, so servers keep writing),
//! `pg_restore --single-transaction` for the restore. The password goes to the tools through `PGPASSWORD`, never
//! on their command line or in a message.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sqlx::{Connection, PgConnection};

use crate::config::redact_url;

/// `name` on `PATH`, else in the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
fn find_tool(name: &str) -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    if let Some(p) = on_path.map(|d| d.join(name)).find(|p| p.is_file()) {
        return Ok(p);
    }
    let mut versions: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>()?;
            let tool = e.path().join("bin").join(name);
            tool.is_file().then_some((v, tool))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, tool)) => Ok(tool),
        None => bail!("{name} not found on PATH or in /usr/lib/postgresql/*/bin; install PostgreSQL's client tools"),
    }
}

/// The URL without its password, and the password.
fn split_password(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).with_context(|| format!("parsing {}", redact_url(url)))?;
    let password = parsed.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
    if password.is_some() {
        let _ = parsed.set_password(None);
    }
    Ok((parsed.to_string(), password))
}

async fn run(tool: &str, args: &[&std::ffi::OsStr], url: &str) -> anyhow::Result<()> {
    let path = find_tool(tool)?;
    let (url_only, password) = split_password(url)?;
    let mut cmd = tokio::process::Command::new(&path);
    cmd.args(args).arg("--dbname").arg(&url_only).stdin(std::process::Stdio::null());
    if let Some(p) = &password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().await.with_context(|| format!("running {}", path.display()))?;
    if !out.status.success() {
        let mut msg: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        msg.truncate(3);
        let mut msg = msg.join("; ");
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            msg = msg.replace(&p, "***");
        }
        bail!("{tool} failed ({}): {msg}", out.status);
    }
    Ok(())
}

pub(super) async fn backup(url: &str, partial: &Path) -> anyhow::Result<()> {
    let args = ["--format=custom", "--no-owner", "--file"].map(std::ffi::OsStr::new);
    let args = [&args[..], &[partial.as_os_str()]].concat();
    run("pg_dump", &args, url).await
}

pub(super) async fn restore(url: &str, from: &Path, force: bool) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(url).await.with_context(|| format!("connecting to {}", redact_url(url)))?;
    let tables: i64 = sqlx::query_scalar("select count(*) from pg_catalog.pg_tables where schemaname = 'public'")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await.ok();
    if tables > 0 && !force {
        return Err(super::not_empty(&format!("the database {}", redact_url(url)), tables));
    }
    let mut args: Vec<&std::ffi::OsStr> =
        ["--no-owner", "--exit-on-error", "--single-transaction"].map(std::ffi::OsStr::new).to_vec();
    if force {
        args.extend(["--clean", "--if-exists"].map(std::ffi::OsStr::new));
    }
    args.push(from.as_os_str());
    run("pg_restore", &args, url).await
}
