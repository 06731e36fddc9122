//! Request rate limits: per organization per minute from the plan's `apiLimit`, counted by the store so that
//! several nodes share one count; per user for calls that name no organization; per client address (and
//! account) on the unauthenticated endpoints, requests without valid credentials included ([`public`], counted in
//! this node's memory: they never reach the database), with the client address from [`address`].

pub mod address;
pub mod failures;
pub mod public;

use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::error::ApiError;
pub use crate::store::counters::MemoryCounters;

/// The minute a request falls in, and the whole seconds until the next one starts (at least 1).
pub fn window(now: DateTime<Utc>) -> (i64, u64) {
    let secs = now.timestamp();
    let left = 60 - secs.rem_euclid(60);
    (secs.div_euclid(60), left.max(1) as u64)
}

/// Counts a request against `key`; 429 with `Retry-After` once the minute's count passes `limit`.
pub async fn check(state: &AppState, key: &str, limit: i64) -> Result<(), ApiError> {
    if !state.config.rate_limit_on() {
        return Ok(());
    }
    let (minute, retry_after_secs) = window(state.now());
    let count = state.store.rate_hit(key, minute).await?;
    if count > limit {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_counts_whole_seconds_to_the_next_minute() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 15).unwrap();
        assert_eq!(window(t).1, 45);
        let edge = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 59).unwrap() + chrono::Duration::milliseconds(900);
        assert_eq!(window(edge).1, 1);
        assert_eq!(window(t).0 + 1, window(t + chrono::Duration::seconds(45)).0);
    }
}
