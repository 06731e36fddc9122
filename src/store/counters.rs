//! Per-minute counters in this process's memory: the SQLite backend's rate store (one node), and the per-address
//! counts of requests without credentials on every backend.

use std::collections::HashMap;
use std::sync::Mutex;

/// In-memory per-minute counters (the SQLite backend's rate store, and per-address limits everywhere).
#[derive(Default)]
pub struct MemoryCounters {
    inner: Mutex<HashMap<(String, i64), i64>>,
}

impl MemoryCounters {
    pub fn hit(&self, key: &str, minute: i64) -> i64 {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.retain(|(_, m), _| *m >= minute - 1);
        }
        let n = map.entry((key.to_string(), minute)).or_insert(0);
        *n += 1;
        *n
    }

    /// Forgets every count (a sandbox reset).
    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_per_key_and_minute() {
        let c = MemoryCounters::default();
        assert_eq!((c.hit("a", 1), c.hit("a", 1), c.hit("b", 1), c.hit("a", 2)), (1, 2, 1, 1));
    }
}
