//! The sandbox clock: the real time until set, then standing at the instant set (moved on only by `PUT
//! /_orgd/clock`), so a test sees the same "now" on every request and can cross expiry and month boundaries at will.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Default)]
pub struct SandboxClock {
    fixed: Mutex<Option<DateTime<Utc>>>,
}

impl SandboxClock {
    pub fn new(start: Option<DateTime<Utc>>) -> Self {
        SandboxClock { fixed: Mutex::new(start) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(Utc::now)
    }

    /// Stands the clock at `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.fixed.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    /// Back to the real time.
    pub fn clear(&self) {
        *self.fixed.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Moves the clock on (or back, for a negative amount) from where it is now; returns the new time.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut fixed = self.fixed.lock().unwrap_or_else(|e| e.into_inner());
        let at = fixed.unwrap_or_else(Utc::now) + by;
        *fixed = Some(at);
        at
    }

    /// The clock as the application state takes it.
    pub fn source(self: &Arc<Self>) -> crate::app::Clock {
        let me = self.clone();
        Arc::new(move || me.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_stands_where_it_is_set_and_moves_when_told() {
        let c = Arc::new(SandboxClock::default());
        assert!((c.now() - Utc::now()).num_seconds().abs() < 5, "real time until set");
        let t = DateTime::parse_from_rfc3339("2026-01-31T23:59:00Z").unwrap().to_utc();
        c.set(t);
        assert_eq!((c.source())(), t);
        assert_eq!(c.advance(Duration::seconds(120)), t + Duration::seconds(120));
        assert_eq!(c.now(), t + Duration::seconds(120));
    }
}
