//! The request log: the last [`CAPACITY`] requests, newest first, for a test to assert what its client sent and
//! what it was answered. Never the Authorization header or a body.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::faults::glob;

/// Requests kept; older ones are dropped, so memory stays bounded.
pub const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The status answered (an injected one included).
    pub status: u16,
    pub duration_ms: f64,
    /// The user of the request's token, when it had a valid one.
    pub user_id: Option<i64>,
    /// When it arrived, on the sandbox clock.
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    pub fn push(&self, entry: LoggedRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == CAPACITY {
            entries.pop_back();
        }
        entries.push_front(entry);
    }

    /// Up to `limit` entries, newest first, optionally only those whose path matches the glob `path`.
    pub fn recent(&self, limit: usize, path: Option<&str>) -> Vec<LoggedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().filter(|e| path.is_none_or(|p| glob(p, &e.path))).take(limit).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> LoggedRequest {
        LoggedRequest {
            method: "GET".into(),
            path: path.into(),
            query: None,
            status: 200,
            duration_ms: 0.1,
            user_id: None,
            at: Utc::now(),
        }
    }

    #[test]
    fn the_log_is_bounded_and_newest_first() {
        let log = RequestLog::default();
        for i in 0..CAPACITY + 5 {
            log.push(entry(&format!("/p/{i}")));
        }
        let all = log.recent(usize::MAX, None);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].path, format!("/p/{}", CAPACITY + 4));
        assert_eq!(log.recent(2, Some("/p/1*")).len(), 2);
        log.clear();
        assert!(log.recent(10, None).is_empty());
    }
}
