//! Attacks on the real binary, started the way a systemd service or a login shell starts it (a soft limit of
//! 1 024 descriptors) or with a hard limit too low to raise: idle and trickling connections, descriptor
//! exhaustion, one address taking every connection, and an HTTP/2 client resetting streams in a loop. Each test
//! asserts that `/livez` and an authenticated request keep answering within a second and that the deadlines hold.
//! Run alone (`--test-threads=1`): the CPU and timing figures mean nothing when the tests share the cores.

#[path = "../common/mod.rs"]
mod common;

mod deadlines;
mod descriptors;
mod h2_resets;
mod idle;

use std::process::Command;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

pub const TOKEN: &str = "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

/// A running orgd with its database folder.
pub struct Server {
    pub p: common::Process,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts orgd through `bash -c '<limits>; exec orgd'` with `env` on a fresh SQLite database.
    pub fn start(limits: &str, env: &[(&str, &str)]) -> Server {
        raise_own_limit();
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("orgd.db").display());
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(format!("{limits}; exec \"$0\" serve")).arg(common::BIN).env("NO_COLOR", "1");
        let mut all = vec![("ORGD_DATABASE_URL", db.as_str()), ("ORGD_BOOTSTRAP_TOKEN", TOKEN)];
        all.extend_from_slice(env);
        Server { p: common::serve_command(cmd, &all), _dir: dir }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.p.addr.parse().unwrap()
    }

    /// [`Server::lines`], waiting up to two seconds for at least one (the log is read by another thread).
    pub fn wait_for(&self, needle: &str) -> Vec<String> {
        let started = Instant::now();
        loop {
            let lines = self.lines(needle);
            if !lines.is_empty() || started.elapsed() > Duration::from_secs(2) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Log lines (start-up included) that contain `needle`.
    pub fn lines(&self, needle: &str) -> Vec<String> {
        let startup = self.p.startup.iter().filter(|l| l.contains(needle)).cloned();
        startup.chain(self.p.log_lines(needle)).collect()
    }
}

/// The test process opens thousands of sockets too.
fn raise_own_limit() {
    rlimit::increase_nofile_limit(u64::MAX).unwrap();
}

/// `n` connections from `from` (any 127.x address: Linux routes all of 127/8 to loopback) that send nothing.
pub async fn open_idle(server: std::net::SocketAddr, from: &str, n: usize) -> Vec<(TcpStream, Instant)> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        let stream = socket.connect(server).await.expect("connect");
        out.push((stream, Instant::now()));
    }
    out
}

/// How long after `since` the server closed `stream` (reading what it sends until then), or `None` if it was
/// still open after `within`.
pub async fn closed_after(mut stream: TcpStream, since: Instant, within: Duration) -> Option<Duration> {
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return since.elapsed(),
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read_all).await.ok()
}

/// One request on a fresh connection, with the time it took: `GET path`, with the admin token if `authed`.
pub async fn timed_get(server: std::net::SocketAddr, path: &str, authed: bool) -> (u16, Duration) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(5)).build();
    let mut req = client.unwrap().get(format!("http://{server}{path}"));
    if authed {
        req = req.header("Authorization", format!("Token {TOKEN}"));
    }
    let started = Instant::now();
    let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    (status, started.elapsed())
}

/// Asserts that `/livez` and an authenticated `GET /api/v2/users/me` both answer 200 within a second.
pub async fn assert_served(server: std::net::SocketAddr, when: &str) {
    for (path, authed) in [("/livez", false), ("/api/v2/users/me", true)] {
        let (status, took) = timed_get(server, path, authed).await;
        println!("{when}: {path} answered {status} in {} ms", took.as_millis());
        assert_eq!(status, 200, "{when}: {path}");
        assert!(took < Duration::from_secs(1), "{when}: {path} took {took:?}");
    }
}

/// Sends one HTTP/1.1 `GET /livez` on an open connection and reads the answer's status line.
pub async fn livez_on(stream: &mut TcpStream) -> String {
    stream.write_all(b"GET /livez HTTP/1.1\r\nHost: orgd\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string()
}
