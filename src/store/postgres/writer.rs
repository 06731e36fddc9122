//! The thread PostgreSQL's writes run on. A write to an organization is a chain of round trips that the next
//! batch of that organization waits for (`commit.rs`: its begin and row lock, one trip per write, its commit), so
//! what a batch costs is the latency of each trip, not the work. On the runtime that serves requests, each reply
//! from the database waited for the reactor to be polled and for the batch's task to get its turn among the
//! requests' tasks: 32 writers on one variable measured 300 µs per trip on this project's two cores, half of the
//! CPU idle (bench/RESULTS.md). Here the write pool's connections are opened on a runtime of their own, on one
//! thread, where the batches run: a reply wakes that thread at once and its task is the only one waiting.

use std::future::Future;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

use crate::store::{StoreError, StoreResult};

/// The runtime; it stops (and drops whatever still runs on it) when this is dropped with its store.
pub(super) struct Writer {
    handle: Handle,
    _stop: oneshot::Sender<()>,
}

impl Writer {
    pub(super) fn start() -> std::io::Result<Self> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new().name("orgd-writer".into()).spawn(move || {
            let _ = runtime.block_on(stopped);
        })?;
        Ok(Writer { handle, _stop: stop })
    }

    /// The write pool, opened on this thread. Every use of it runs here too ([`Writer::run`], and the batches
    /// spawned on [`Writer::handle`]), so every connection it opens is driven here.
    pub(super) async fn pool(&self, options: PgPoolOptions, connect: PgConnectOptions) -> StoreResult<PgPool> {
        self.run(async move { Ok(options.connect_with(connect).await?) }).await
    }

    /// Runs `task` on this thread and waits for its end. A caller that stops waiting does not stop it.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        task: impl Future<Output = StoreResult<T>> + Send + 'static,
    ) -> StoreResult<T> {
        self.handle.spawn(task).await.map_err(|e| StoreError::Unavailable(format!("the writer thread: {e}")))?
    }

    /// Where the batches are spawned (`commit.rs`).
    pub(super) fn handle(&self) -> Handle {
        self.handle.clone()
    }
}
