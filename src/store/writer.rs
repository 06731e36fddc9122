//! The thread a store's write transactions run on, both backends. A batch of writes (`store/group/`) is a chain of
//! steps that the next batch waits for; on the runtime that serves requests, each step that waited (a reply from
//! PostgreSQL, SQLite's connection handed over by sqlx's thread) then waited again for the reactor to be polled and
//! for the batch's task to get its turn among the requests' tasks. Measured with 32 writers on one variable on this
//! project's two cores (bench/RESULTS.md): PostgreSQL 300 µs per round trip, half of the CPU idle; SQLite about
//! 600 µs to get its connection's handle for each batch, of a batch's 2.2 ms. Here the batches run on a runtime of
//! their own, on one thread: whatever they wait for wakes that thread at once, and their task is the only one
//! waiting. SQLite's batches block that thread while they run, as they may: nothing else runs there.

use std::future::Future;

use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

use crate::store::{StoreError, StoreResult};

/// The runtime; it stops (and drops whatever still runs on it) when this is dropped with its store.
pub(crate) struct Writer {
    handle: Handle,
    _stop: oneshot::Sender<()>,
}

impl Writer {
    pub(crate) fn start() -> std::io::Result<Self> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new().name("orgd-writer".into()).spawn(move || {
            let _ = runtime.block_on(stopped);
        })?;
        Ok(Writer { handle, _stop: stop })
    }

    /// Runs `task` on this thread and waits for its end. A caller that stops waiting does not stop it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        task: impl Future<Output = StoreResult<T>> + Send + 'static,
    ) -> StoreResult<T> {
        self.handle.spawn(task).await.map_err(|e| StoreError::Unavailable(format!("the writer thread: {e}")))?
    }

    /// Where the batches are spawned (each backend's `commit.rs`).
    pub(crate) fn handle(&self) -> Handle {
        self.handle.clone()
    }
}
