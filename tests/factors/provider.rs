//! A real OpenID Provider for the tests: tests/oidc/provider.mjs (panva's oidc-provider, pinned in its
//! package-lock.json) under Node.js, on 127.0.0.1 at a free port, killed on drop. Its login and consent pages
//! complete by themselves as the account set with [`Provider::next_login`].

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct Provider {
    child: Child,
    stdin: Option<ChildStdin>,
    pub issuer: String,
    ready: Option<std::sync::mpsc::Receiver<String>>,
}

pub const CLIENT_ID: &str = "orgd";
pub const CLIENT_SECRET: &str = "orgd-test-secret";

/// `npm ci` in tests/oidc when its node_modules is missing (the lockfile pins every package).
fn install(dir: &Path) {
    if dir.join("node_modules/oidc-provider/package.json").exists() {
        return;
    }
    let ok = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir).status();
    assert!(ok.is_ok_and(|s| s.success()), "npm ci in {} failed (Node.js 20 and npm are needed)", dir.display());
}

impl Provider {
    /// Starts the provider; its one client is `orgd`, redirecting to `redirect_uri`.
    pub fn start(redirect_uri: &str) -> Provider {
        let mut p = Provider::launch();
        p.serve_for(redirect_uri);
        p
    }

    /// Starts the provider up to the point where it knows its issuer (to configure orgd with); it serves once
    /// [`Provider::serve_for`] gave it orgd's redirect URI.
    pub fn launch() -> Provider {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        install(&dir);
        let log = std::fs::File::create(std::env::temp_dir().join("orgd-oidc-provider.log"));
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("AUTO_LOGIN", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.map_or(Stdio::null(), Stdio::from))
            .spawn()
            .expect("start node tests/oidc/provider.mjs");
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("the provider's first line").expect("a line");
        let issuer = first.strip_prefix("issuer ").expect("issuer line").to_string();
        // The provider prints more later on; its stdout must stay open (a closed pipe kills it: EPIPE).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Provider { child, stdin, issuer, ready: Some(rx) }
    }

    /// Registers orgd's redirect URI with the one client and waits until the provider serves.
    pub fn serve_for(&mut self, redirect_uri: &str) {
        writeln!(self.stdin.as_mut().expect("stdin"), "{redirect_uri}").expect("send the redirect URI");
        let ready = self.ready.take().expect("not yet serving");
        let line = ready.recv_timeout(std::time::Duration::from_secs(20)).expect("the provider's ready line");
        assert_eq!(line, "ready");
    }

    /// Who signs in next, with which `amr` (RFC 8176 values).
    pub async fn next_login(&self, email: &str, verified: bool, amr: Option<&[&str]>) {
        let body = serde_json::json!({"email": email, "emailVerified": verified, "amr": amr});
        let r = reqwest::Client::new().post(format!("{}/_test/next-login", self.issuer)).json(&body).send().await;
        assert_eq!(r.expect("provider control").status(), 204);
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
