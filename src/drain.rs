//! Shutting down with work in flight. On SIGTERM the listener closes at once (new connections are refused) and
//! requests already running may finish with their real answers for up to `drain_timeout_secs`. Past that, the
//! ones still running are answered 503 with `Retry-After` (their database work is dropped, so a transaction that
//! had not committed rolls back), and a moment later the process exits whatever is left.

use std::future::Future;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::error::ApiError;

/// How long after the drain deadline the process waits for the 503s to be written before it exits anyway.
const FLUSH_GRACE: Duration = Duration::from_secs(2);

/// The shutdown state shared by the server and the request guard. Cheap to clone.
#[derive(Clone)]
pub struct Drain {
    /// Set once the shutdown signal came.
    started: watch::Sender<bool>,
    /// Set once the drain timeout is over: requests still running are cut off.
    expired: watch::Sender<bool>,
    timeout: Duration,
}

impl Drain {
    pub fn new(timeout: Duration) -> Self {
        Drain { started: watch::Sender::new(false), expired: watch::Sender::new(false), timeout }
    }

    /// Wraps the shutdown signal: when it fires, the drain clock starts and the server stops accepting.
    pub fn on_signal(&self, signal: impl Future<Output = ()> + Send + 'static) -> impl Future<Output = ()> + Send {
        let drain = self.clone();
        async move {
            signal.await;
            drain.started.send_replace(true);
            tracing::info!(timeout_secs = drain.timeout.as_secs_f64(), "draining: refusing new connections");
            let expired = drain.expired.clone();
            let timeout = drain.timeout;
            tokio::spawn(async move {
                tokio::time::sleep(timeout).await;
                tracing::warn!("drain timeout over: answering the requests still in flight with 503");
                expired.send_replace(true);
            });
        }
    }

    /// Whether the shutdown signal came (`/health` then answers 503 so that load balancers stop sending).
    pub fn draining(&self) -> bool {
        *self.started.borrow()
    }

    /// Resolves when the process should exit even though connections are still open: the drain timeout and the
    /// grace for writing the 503s are both over.
    pub async fn hard_deadline(&self) {
        let mut expired = self.expired.subscribe();
        if expired.wait_for(|e| *e).await.is_ok() {
            tokio::time::sleep(FLUSH_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    }

    async fn expired(&self) {
        let mut expired = self.expired.subscribe();
        if expired.wait_for(|e| *e).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Middleware: runs the request unless the drain timeout runs out first, then answers 503 and closes the
/// connection.
pub async fn guard(State(drain): State<Drain>, req: Request, next: Next) -> Response {
    tokio::select! {
        res = next.run(req) => res,
        _ = drain.expired() => {
            let mut res = ApiError::Unavailable("server shutting down".into()).into_response();
            res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_deadline_comes_only_after_the_signal_and_the_timeout() {
        let drain = Drain::new(Duration::from_secs(5));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = drain.on_signal(async move {
            rx.await.ok();
        });
        let waiting = tokio::spawn(shutdown);
        let deadline = {
            let d = drain.clone();
            tokio::spawn(async move { d.hard_deadline().await })
        };
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!deadline.is_finished(), "no signal, no deadline");
        tx.send(()).unwrap();
        waiting.await.unwrap();
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(!*drain.expired.borrow(), "still inside the drain timeout");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(*drain.expired.borrow());
        assert!(!deadline.is_finished(), "the 503s get their grace");
        tokio::time::sleep(FLUSH_GRACE).await;
        deadline.await.unwrap();
    }
}
