//! The time the store stamps on its own (audit entries, feature overrides), where no caller hands it one.
//! A process follows the system clock unless it says otherwise once, at start: `orgd sandbox` makes the store
//! follow the sandbox clock, so the audit log is dated by the same "now" as everything else.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

/// A source of the current time.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

static FOLLOWED: OnceLock<Clock> = OnceLock::new();

/// Makes the store's timestamps follow `clock` for the rest of the process; false when another clock was set
/// first (one sandbox per process).
pub fn follow(clock: Clock) -> bool {
    FOLLOWED.set(clock).is_ok()
}

/// The followed clock's time, `None` on the system clock.
pub fn followed() -> Option<DateTime<Utc>> {
    FOLLOWED.get().map(|c| c())
}

/// The store's now.
pub fn now() -> DateTime<Utc> {
    followed().unwrap_or_else(Utc::now)
}
