//! A private PostgreSQL cluster that a test can stop and start again (the shared one of `scripts/with-postgres`
//! must stay up for the other tests). Durable settings: fsync and synchronous commit on.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

/// The newest PostgreSQL server binaries installed, if any.
fn server_binaries() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        .collect();
    dirs.sort_by_key(|d| d.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()).unwrap_or(0));
    dirs.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Cluster {
    /// initdb and start; `None` (after saying so loudly) when no server binaries are installed. Under CI the
    /// binaries are required.
    pub fn start() -> Option<Cluster> {
        let Some(bin) = server_binaries() else {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI needs PostgreSQL server binaries");
            eprintln!("\n*** SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql ***\n");
            return None;
        };
        let dir = tempfile::Builder::new().prefix("orgd-faults-pg").tempdir().unwrap();
        // initdb refuses to run as root: run the cluster as the postgres user, as scripts/with-postgres does.
        let as_postgres = is_root();
        if as_postgres {
            let _ = Command::new("useradd").args(["--system", "--no-create-home", "postgres"]).output();
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        let cluster = Cluster { bin, dir, port: free_port(), as_postgres };
        let data = cluster.data();
        let initdb = cluster.bin.join("initdb");
        run(cluster.cmd(&initdb).args(["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]));
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn cmd(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// `postgres://…/postgres` of this cluster.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_again(&self) {
        let log = self.dir.path().join("server.log").display().to_string();
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let pg_ctl = self.bin.join("pg_ctl");
        run(self.cmd(&pg_ctl).args(["-D", &self.data(), "-l", &log, "-w", "-t", "60", "-o", &opts, "start"]));
    }

    /// Stops the server the way a failover or an operator's restart does: every session is terminated (fast
    /// shutdown), nothing new is accepted until [`Cluster::start_again`].
    pub fn stop(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        run(self.cmd(&pg_ctl).args(["-D", &self.data(), "-m", "fast", "-w", "stop"]));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let _ = self.cmd(&pg_ctl).args(["-D", &self.data(), "-m", "immediate", "stop"]).output();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
