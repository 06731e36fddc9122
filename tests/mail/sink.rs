//! A real SMTP server for the tests: `smtp_sink.py` (aiosmtpd) as a child process on 127.0.0.1, writing each
//! message it accepts to a folder as JSON. It can be started late, stopped and started again on the same port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mail/smtp_sink.py");

/// The Python that has aiosmtpd: `ORGD_SMTP_SINK_PYTHON`, the virtualenv `.ci/run` makes, or `python3`.
fn python() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("ORGD_SMTP_SINK_PYTHON") {
        candidates.push(p.into());
    }
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(Path::new(&home).join(".cache/orgd/smtp-venv/bin/python"));
    }
    candidates.push("python3".into());
    candidates.into_iter().find(|p| {
        Command::new(p).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    })
}

/// Whether the mail tests can run; says loudly when they cannot (and fails under CI).
pub fn available() -> bool {
    if python().is_some() {
        return true;
    }
    let msg = "*** SKIPPED: the mail tests need Python with aiosmtpd (bash .ci/run installs it into \
               ~/.cache/orgd/smtp-venv; see tests/mail/requirements.txt) ***";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}");
    }
    eprintln!("\n{msg}\n");
    false
}

/// A free port on 127.0.0.1 (free when asked; the sink binds it later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Sink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    child: Option<Child>,
}

impl Sink {
    /// A sink on a reserved port, not yet running (a mail server that is down).
    pub fn reserved(args: &[&str]) -> Sink {
        Sink {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            args: args.iter().map(|s| s.to_string()).collect(),
            child: None,
        }
    }

    /// A running sink.
    pub fn start(args: &[&str]) -> Sink {
        let mut s = Sink::reserved(args);
        s.up();
        s
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it listens.
    pub fn up(&mut self) {
        assert!(self.child.is_none(), "already up");
        let mut child = Command::new(python().expect("python with aiosmtpd"))
            .arg(SCRIPT)
            .args(["--port", &self.port.to_string(), "--dir", &self.dir.path().display().to_string()])
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("TEST_LOG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("ready"), "the SMTP sink did not start: {line:?}");
        self.child = Some(child);
    }

    /// Stops the server (the port stays reserved for `up`).
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The messages received so far, in arrival order.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json") && !p.file_name().unwrap().to_string_lossy().starts_with('.')
            })
            .collect();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// Waits (at most `secs`) until at least `n` messages arrived; returns all of them.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "{} of {n} messages arrived within {secs} s", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.down();
    }
}

/// A header's raw values in a received message.
pub fn header(m: &Value, name: &str) -> Vec<String> {
    m["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap().to_string())
        .collect()
}

/// The invitation hash a message carries (in the API call it shows).
pub fn hash_in(m: &Value) -> String {
    let text = m["text"].as_str().unwrap();
    let at = text.find("\"hash\": \"").expect("the message shows the API call with the hash") + 9;
    text[at..at + 36].to_string()
}
