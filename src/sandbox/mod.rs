//! `orgd sandbox`: orgd as a stand-in for Make in test suites (operator contract, "Sandbox"). The sandbox runs
//! the same router as `serve` on an in-memory database; this module adds what only it has: the clock a test sets
//! ([`clock`]), fault rules ([`faults`]), the request log ([`requests`]), seed documents ([`seed`]) and the
//! control endpoints under `/_orgd/` ([`control`]). The router adds [`layer`] and the control routes only when
//! the application state carries a [`Sandbox`].

pub mod clock;
pub mod control;
pub mod faults;
mod layer;
pub mod requests;
pub mod seed;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use layer::layer;

use crate::app::AppState;
use crate::store::dump::Snapshots;

/// The snapshot right after the bootstrap administrator was made, before any seed: what `PUT /_orgd/state`
/// starts from.
const EMPTY: &str = "empty";
/// The snapshot right after the seed was loaded: what `POST /_orgd/reset` goes back to.
const START: &str = "start";
/// The state a `PUT /_orgd/state` found, back in place when the new document fails to load.
const BEFORE_REPLACE: &str = "before-replace";

/// Why a state replacement did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// The document is wrong (400, with its path).
    #[error(transparent)]
    Refused(seed::SeedError),
    /// The database failed (500).
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for ReplaceError {
    fn from(e: crate::store::StoreError) -> Self {
        ReplaceError::Failed(e.into())
    }
}

/// A sandbox's own state, beside the application's.
pub struct Sandbox {
    pub clock: Arc<clock::SandboxClock>,
    /// Where the clock stood at start (`--clock`), for a reset; `None`: the real time.
    start_clock: Option<DateTime<Utc>>,
    pub faults: faults::Faults,
    pub requests: requests::RequestLog,
    /// Reset and state replacement one at a time.
    changing: tokio::sync::Mutex<()>,
}

impl Sandbox {
    pub fn new(start_clock: Option<DateTime<Utc>>) -> Self {
        Sandbox {
            clock: Arc::new(clock::SandboxClock::new(start_clock)),
            start_clock,
            faults: Default::default(),
            requests: Default::default(),
            changing: Default::default(),
        }
    }

    /// Loads the seed (checked first) into the freshly bootstrapped database and takes the snapshots reset and
    /// state replacement go back to.
    pub async fn prepare(&self, state: &AppState, seed: Option<&seed::SeedDoc>) -> anyhow::Result<()> {
        let snapshots = snapshots(state)?;
        snapshots.save(EMPTY)?;
        if let Some(doc) = seed {
            seed::check(doc, &state.plans)?;
            seed::apply(doc, &target(state)).await?;
        }
        snapshots.save(START)?;
        Ok(())
    }

    /// Back to the state right after start: the seeded data with its ids, no fault rules, an empty request log,
    /// the clock where it started and the rate counters at zero.
    pub async fn reset(&self, state: &AppState) -> anyhow::Result<()> {
        let _one = self.changing.lock().await;
        snapshots(state)?.restore(START)?;
        state.anonymous.clear();
        self.faults.clear();
        self.requests.clear();
        match self.start_clock {
            Some(at) => self.clock.set(at),
            None => self.clock.clear(),
        }
        Ok(())
    }

    /// Replaces the data with a document (the fault rules, log and clock stay). A document that fails to load
    /// leaves the state as it was.
    pub async fn replace(&self, state: &AppState, doc: &seed::SeedDoc) -> Result<(), ReplaceError> {
        seed::check(doc, &state.plans).map_err(ReplaceError::Refused)?;
        let _one = self.changing.lock().await;
        let snapshots = snapshots(state)?;
        snapshots.save(BEFORE_REPLACE)?;
        snapshots.restore(EMPTY)?;
        state.anonymous.clear();
        if let Err(e) = seed::apply(doc, &target(state)).await {
            snapshots.restore(BEFORE_REPLACE)?;
            return Err(ReplaceError::Refused(e));
        }
        Ok(())
    }

    /// The data as a seed document.
    pub fn export(&self, state: &AppState) -> anyhow::Result<seed::SeedDoc> {
        Ok(seed::export(&snapshots(state)?.dump()?))
    }
}

fn snapshots(state: &AppState) -> anyhow::Result<&dyn Snapshots> {
    state.store.snapshots().ok_or_else(|| anyhow::anyhow!("the sandbox needs an in-memory database"))
}

fn target(state: &AppState) -> seed::Target<'_> {
    seed::Target {
        store: &*state.store,
        plans: &state.plans,
        default_plan: &state.config.default_plan,
        zone: &state.zone,
        now: state.now(),
    }
}
