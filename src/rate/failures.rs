//! Failed sign-ins per account (the e-mail typed in, whether or not an account has it, so that the answers to
//! an unknown e-mail and to a wrong password cannot be told apart): each failure past the third waits longer
//! before it is answered, and past [`MAX_PER_HOUR`] in a streak the account's sign-ins get 429 with
//! `Retry-After` until the hour since the streak began is over. A success ends the streak. There is no lockout
//! beyond that hour, so an attacker cannot shut a person out for good (ASVS 6.3.1: at most 100 failures an hour).
//! Kept in this node's memory, like the per-minute limits of [`super::public`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Failures one account may collect in an hour.
pub const MAX_PER_HOUR: u32 = 50;
/// Failures answered at once; each further one waits [`STEP`] more, up to [`MAX_DELAY`].
const FREE: u32 = 3;
const STEP: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(5);
/// Accounts tracked before expired streaks are swept.
const SWEEP_ABOVE: usize = 100_000;

#[derive(Default)]
pub struct Failures {
    inner: Mutex<HashMap<String, Streak>>,
}

#[derive(Debug, Clone, Copy)]
struct Streak {
    count: u32,
    since: DateTime<Utc>,
}

fn key(account: &str) -> String {
    account.trim().to_lowercase()
}

fn live(s: &Streak, now: DateTime<Utc>) -> bool {
    now - s.since < chrono::Duration::hours(1)
}

impl Failures {
    /// Seconds until the account may try again, when its streak is at the hour's maximum.
    pub fn blocked_for(&self, account: &str, now: DateTime<Utc>) -> Option<u64> {
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let s = map.get(&key(account)).filter(|s| live(s, now) && s.count >= MAX_PER_HOUR)?;
        Some(((s.since + chrono::Duration::hours(1)) - now).num_seconds().max(1) as u64)
    }

    /// Records a failure; how long to wait before answering it.
    pub fn fail(&self, account: &str, now: DateTime<Utc>) -> Duration {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, s| live(s, now));
        }
        let s = map.entry(key(account)).or_insert(Streak { count: 0, since: now });
        if !live(s, now) {
            *s = Streak { count: 0, since: now };
        }
        s.count += 1;
        delay(s.count)
    }

    /// Ends the account's streak.
    pub fn succeed(&self, account: &str) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).remove(&key(account));
    }
}

/// The wait before answering the `n`th failure of a streak.
fn delay(n: u32) -> Duration {
    STEP.saturating_mul(n.saturating_sub(FREE)).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_the_hour_blocks_then_it_ends() {
        let f = Failures::default();
        let t0 = Utc::now();
        let waits: Vec<Duration> = (0..5).map(|_| f.fail("Ann@example.com ", t0)).collect();
        assert_eq!(waits[..3], [Duration::ZERO; 3]);
        assert_eq!((waits[3], waits[4]), (STEP, STEP * 2));
        for _ in 5..MAX_PER_HOUR {
            assert!(f.fail("ann@example.com", t0) <= MAX_DELAY);
        }
        assert_eq!(f.blocked_for("ANN@example.com", t0), Some(3600));
        assert_eq!(f.blocked_for("bob@example.com", t0), None);
        assert_eq!(
            f.blocked_for("ann@example.com", t0 + chrono::Duration::minutes(61)),
            None,
            "no lockout past the hour"
        );
        f.succeed("ann@example.com");
        assert_eq!(f.blocked_for("ann@example.com", t0), None);
    }
}
