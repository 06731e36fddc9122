//! Running the real `orgd` binary in tests: `serve` with a given environment, started once its "listening on"
//! line appears, killed on drop; and fresh PostgreSQL databases for tests that bring their own.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub const BIN: &str = env!("CARGO_BIN_EXE_orgd");

/// A running `orgd serve`.
pub struct Process {
    pub child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Every stderr line up to and including the "listening on" line.
    pub startup: Vec<String>,
    /// The token printed on first start, if it printed one.
    pub bootstrap_token: Option<String>,
    /// Every stderr line after the "listening on" line, as it comes.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// The API base URL, `http://host:port/api/v2` (or `https://…`).
    pub fn base(&self) -> String {
        format!("{}://{}/api/v2", self.scheme, self.addr)
    }

    /// The log lines so far (after start-up) that contain `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        self.log.lock().unwrap().iter().filter(|l| l.contains(needle)).cloned().collect()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `orgd serve` on 127.0.0.1:0 with `env` (no inherited `ORGD_*` settings) and waits until it listens.
pub fn serve(env: &[(&str, &str)]) -> Process {
    serve_command(Command::new(BIN), env)
}

/// [`serve`] through `cmd`, a command that ends up running [`BIN`] (e.g. a shell that sets limits first, or
/// `orgd sandbox` with its arguments and working directory).
pub fn serve_command(mut cmd: Command, env: &[(&str, &str)]) -> Process {
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("ORGD_")) {
        cmd.env_remove(k);
    }
    cmd.env("ORGD_BIND", "127.0.0.1:0").env("RUST_LOG", "orgd=info");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn orgd");
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut p = Process { child, addr: String::new(), scheme: "http", startup: Vec::new(), bootstrap_token: None, log };
    let mut lines = BufReader::new(p.child.stderr.take().expect("stderr")).lines();
    loop {
        let line = match lines.next() {
            Some(line) => line.expect("stderr line"),
            None => panic!("orgd exited before listening:\n{}", p.startup.join("\n")),
        };
        p.startup.push(line.clone());
        if line.contains("serving HTTPS") {
            p.scheme = "https";
        }
        if let Some(t) = line.strip_prefix("bootstrap token: ") {
            p.bootstrap_token = Some(t.trim().to_string());
        }
        if let Some(i) = line.find("listening on ") {
            let rest = line[i + 13..].trim();
            let addr = rest.split_whitespace().next().unwrap_or(rest);
            p.addr = addr.to_string();
            let log = p.log.clone();
            std::thread::spawn(move || {
                for line in lines.by_ref().map_while(Result::ok) {
                    log.lock().unwrap().push(line);
                }
            });
            return p;
        }
    }
}

/// A new, empty database on the PostgreSQL server `base` points at; returns its URL.
pub async fn fresh_postgres_database(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("orgd_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to TEST_POSTGRES_URL");
    sqlx::query(&format!("create database {name}")).execute(&mut conn).await.expect("create database");
    conn.close().await.ok();
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    match base[scheme_end..].find('/') {
        Some(slash) => {
            let path_start = scheme_end + slash;
            let query = base[path_start..].find('?').map(|q| &base[path_start + q..]).unwrap_or("");
            format!("{}/{name}{query}", &base[..path_start])
        }
        None => format!("{base}/{name}"),
    }
}
