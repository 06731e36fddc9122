//! Steady request load for the fault tests: what each request got, when, and how long it took.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::Value;

/// What one request got.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 2xx, with the body.
    Ok(Value),
    /// Any other status, with its `Retry-After` and the body.
    Status { status: u16, retry_after: Option<String>, body: Value },
    /// No HTTP answer at all: the connection broke or the client gave up waiting.
    Dropped(String),
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok(_))
    }
}

#[derive(Debug, Clone)]
pub struct Sample {
    pub kind: &'static str,
    pub node: usize,
    pub start: Instant,
    pub took: Duration,
    pub outcome: Outcome,
}

impl Sample {
    pub fn end(&self) -> Instant {
        self.start + self.took
    }
}

/// One request; never panics, whatever the server does.
pub async fn send(client: &Client, method: Method, url: &str, token: Option<&str>, body: Option<&Value>) -> Outcome {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Token {t}"));
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    match req.send().await {
        Err(e) => Outcome::Dropped(e.to_string()),
        Ok(res) => {
            let status = res.status().as_u16();
            let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
            match res.bytes().await {
                Err(e) => Outcome::Dropped(format!("body: {e}")),
                Ok(bytes) => {
                    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    if (200..300).contains(&status) {
                        Outcome::Ok(body)
                    } else {
                        Outcome::Status { status, retry_after, body }
                    }
                }
            }
        }
    }
}

/// Samples shared by the load tasks, and the flag that stops them.
#[derive(Clone, Default)]
pub struct Recorder {
    pub samples: Arc<Mutex<Vec<Sample>>>,
    pub stop: Arc<AtomicBool>,
}

impl Recorder {
    pub fn record(&self, kind: &'static str, node: usize, start: Instant, outcome: Outcome) -> Outcome {
        let sample = Sample { kind, node, start, took: start.elapsed(), outcome: outcome.clone() };
        self.samples.lock().unwrap().push(sample);
        outcome
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Stops the load tasks, waits for them, and returns every sample.
    pub async fn finish(&self, tasks: Vec<tokio::task::JoinHandle<()>>) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
        self.samples.lock().unwrap().clone()
    }
}
