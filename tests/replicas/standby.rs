//! A streaming standby of the test's PostgreSQL primary: `pg_basebackup -R` into a temporary folder, started on a
//! free port, stopped and removed when dropped. As root (the CI container), it runs as the `postgres` user, as
//! `scripts/with-postgres` runs the primary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder holding `pg_basebackup` and `pg_ctl`: the newest `/usr/lib/postgresql/*/bin`, else the `PATH`'s.
pub fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        let v = p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok());
        std::cmp::Reverse(v.unwrap_or(0))
    });
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
    versions.into_iter().chain(on_path).find(|d| d.join("pg_basebackup").is_file() && d.join("pg_ctl").is_file())
}

pub struct Standby {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// The primary's `max_connections`: a hot standby refuses to start with fewer.
    max_connections: i64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Host and port of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> (String, String) {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "5432"));
    (host.to_string(), port.to_string())
}

impl Standby {
    /// Copies the primary at `primary_url` and starts the copy as its standby.
    pub async fn start(bin: &Path, primary_url: &str) -> Standby {
        let max_connections: String = sqlx::query_scalar("show max_connections")
            .fetch_one(&sqlx::PgPool::connect(primary_url).await.expect("connect to the primary"))
            .await
            .unwrap();
        let dir = std::env::temp_dir().join(format!("orgd-standby.{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let standby = Standby {
            bin: bin.to_path_buf(),
            dir,
            port: free_port(),
            max_connections: max_connections.parse().unwrap(),
        };
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(&standby.dir));
        }
        let (host, port) = host_port(primary_url);
        let data = standby.dir.join("data");
        let copy = [&"-h".into(), &host, &"-p".into(), &port, &"-U".into(), &"postgres".into()];
        let mut cmd = standby.as_postgres("pg_basebackup");
        cmd.args(copy).arg("-D").arg(&data).args(["-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        run(&mut cmd);
        standby.start_again();
        standby
    }

    /// The URL of database `url` (on the primary) on this standby.
    pub fn url_for(&self, url: &str) -> String {
        let (host, port) = host_port(url);
        url.replacen(&format!("{host}:{port}"), &format!("127.0.0.1:{}", self.port), 1)
    }

    /// Starts the standby (again), waiting until it accepts connections.
    pub fn start_again(&self) {
        // fsync off: a throwaway standby of the suite's shared cluster would otherwise fsync every test database
        // copied into it before it starts (over a minute on a busy CI machine); what is tested here is where
        // reads go, not the standby's own durability.
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections={}",
            self.port,
            self.dir.display(),
            self.max_connections
        );
        let mut cmd = self.as_postgres("pg_ctl");
        cmd.arg("-D").arg(self.dir.join("data")).arg("-l").arg(self.dir.join("server.log"));
        if !succeeds(cmd.args(["-w", "-t", "60", "-o", &options, "start"])) {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            panic!("the standby did not start:\n{log}");
        }
    }

    /// Stops it as an operator would for maintenance: connections are cut (`-m fast`).
    pub fn stop(&self) {
        let mut cmd = self.as_postgres("pg_ctl");
        run(cmd.arg("-D").arg(self.dir.join("data")).args(["-m", "fast", "-w", "stop"]));
    }

    fn as_postgres(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match is_root() {
            true => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", "postgres", "--"]).arg(program);
                cmd
            }
            false => Command::new(program),
        }
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        let mut cmd = self.as_postgres("pg_ctl");
        let _ = cmd.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
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
