//! Who the store is reading and writing for, during one HTTP request: what read replicas need to route a read
//! (`store/postgres/replicas/`). The HTTP layer wraps each request in [`Caller::scope`]; store code outside a
//! request (commands, background work) has no caller, and reads the primary.
//!
//! A caller is known by keys, hashed: its credential (the `Authorization` header) and its client address. A read
//! is fenced by a write recorded under either; a write is recorded under the credential, or under the address when
//! it came without one (a sign-in, a sign-up, a cookie session), so that the read after it, made with the
//! credential it returned, still finds it. Writes that carry a credential do not fence the address: callers behind
//! one proxy address would otherwise all read the primary whenever any of them wrote.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

tokio::task_local! {
    static CALLER: Arc<Caller>;
}

/// Called when a read served by a standby may have failed: the standby is set aside until it answers again.
pub type Suspect = Arc<dyn Fn() + Send + Sync>;

/// One request's identity and what its reads did.
pub struct Caller {
    /// What fences this caller's reads: the credential's key and the address's.
    keys: Vec<u64>,
    /// What this caller's writes fence: the credential's key, else the address's.
    write_key: Option<u64>,
    /// Whether this request's reads may go to a standby: only for requests that change nothing (GET, HEAD), so a
    /// change request decides on what the primary holds, as it does without replicas.
    may_use_replicas: bool,
    served_by_replica: AtomicBool,
    suspects: Mutex<Vec<Suspect>>,
}

impl Caller {
    /// A caller known by the hashes of its credential and its client address (either may be missing).
    pub fn new(credential: Option<u64>, address: Option<u64>, may_use_replicas: bool) -> Arc<Caller> {
        Arc::new(Caller {
            keys: credential.into_iter().chain(address).collect(),
            write_key: credential.or(address),
            may_use_replicas,
            served_by_replica: AtomicBool::new(false),
            suspects: Mutex::default(),
        })
    }

    /// The same caller, with every read on the primary.
    pub fn on_primary(&self) -> Arc<Caller> {
        Arc::new(Caller {
            keys: self.keys.clone(),
            write_key: self.write_key,
            may_use_replicas: false,
            served_by_replica: AtomicBool::new(false),
            suspects: Mutex::default(),
        })
    }

    /// Runs `fut` (the request) as this caller.
    pub async fn scope<F: std::future::Future>(self: &Arc<Self>, fut: F) -> F::Output {
        CALLER.scope(self.clone(), fut).await
    }

    /// The caller of the running request, if any.
    pub(crate) fn current() -> Option<Arc<Caller>> {
        CALLER.try_with(Arc::clone).ok()
    }

    pub(crate) fn keys(&self) -> &[u64] {
        &self.keys
    }

    pub(crate) fn write_key(&self) -> Option<u64> {
        self.write_key
    }

    pub(crate) fn may_use_replicas(&self) -> bool {
        self.may_use_replicas
    }

    /// Notes that a standby served one of this request's reads, and how to set it aside should the request fail.
    pub(crate) fn served_by(&self, suspect: Suspect) {
        self.served_by_replica.store(true, Ordering::Relaxed);
        self.suspects.lock().unwrap_or_else(|e| e.into_inner()).push(suspect);
    }

    /// Whether a standby served any read of this request.
    pub fn used_replica(&self) -> bool {
        self.served_by_replica.load(Ordering::Relaxed)
    }

    /// The request failed after a standby served it: every standby it read from is set aside (the probe takes
    /// them back), since which read failed is not known here.
    pub fn replica_failed(&self) {
        for suspect in self.suspects.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            suspect();
        }
    }
}
