//! Fault rules: answers Make's clients meet (429, 5xx, slowness), injected by method and path glob before a
//! request reaches orgd. A rule ends after `times` matches; `probability` makes it flaky.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The statuses a rule may answer: what Make's clients must cope with.
pub const STATUSES: [u16; 5] = [429, 500, 502, 503, 504];
/// The longest delay a rule may add.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// A rule as posted: every field but `path` is optional.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob: `*` stands for any run of characters (slashes included), `?` for one.
    pub path: String,
    /// 429, 500, 502, 503 or 504, answered with Make's error body; absent: the request is only delayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Seconds for a `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Delay before the answer, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Matches after which the rule ends (unbounded when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Chance, 0 to 1, that a matching request is hit (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

/// A rule in force, as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActiveRule {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Requests the rule has hit so far.
    pub matched: u64,
}

/// What a hit rule does to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    pub latency_ms: u64,
}

#[derive(Default)]
pub struct Faults {
    inner: Mutex<(u64, Vec<ActiveRule>)>,
}

impl FaultRule {
    /// Why the rule cannot be used, as `(field, reason)`.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !self.path.starts_with('/') {
            return Some(("path", "path must start with /".into()));
        }
        if self.method.as_deref().is_some_and(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Some(("method", "method must be an HTTP method such as GET".into()));
        }
        if self.status.is_some_and(|s| !STATUSES.contains(&s)) {
            return Some(("status", format!("status must be one of {STATUSES:?}")));
        }
        if self.latency_ms.is_some_and(|l| l > MAX_LATENCY_MS) {
            return Some(("latencyMs", format!("latencyMs must be at most {MAX_LATENCY_MS}")));
        }
        if self.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Some(("probability", "probability must be between 0 and 1".into()));
        }
        if self.times == Some(0) {
            return Some(("times", "times must be at least 1".into()));
        }
        None
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method)) && glob(&self.path, path)
    }
}

impl Faults {
    pub fn add(&self, rule: FaultRule) -> ActiveRule {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.0 += 1;
        let active = ActiveRule { id: inner.0, rule, matched: 0 };
        inner.1.push(active.clone());
        active
    }

    pub fn list(&self) -> Vec<ActiveRule> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1.clone()
    }

    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1.clear();
    }

    /// The fault of the first rule that hits the request (counting the match, and ending a rule whose `times`
    /// are used up); `None` when no rule hits it.
    pub fn hit(&self, method: &str, path: &str) -> Option<Fault> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let rules = &mut inner.1;
        let i = rules.iter().position(|r| {
            r.rule.matches(method, path) && r.rule.probability.is_none_or(|p| rand::random::<f64>() < p)
        })?;
        rules[i].matched += 1;
        let r = &rules[i].rule;
        let fault = Fault { status: r.status, retry_after: r.retry_after, latency_ms: r.latency_ms.unwrap_or(0) };
        if r.times.is_some_and(|t| rules[i].matched >= t) {
            rules.remove(i);
        }
        Some(fault)
    }
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` any one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was and what it had taken when we fall back to it.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            (pi, ti) = (pi + 1, ti + 1);
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            (pi, ti) = (sp + 1, st + 1);
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str) -> FaultRule {
        FaultRule {
            method: Some("GET".into()),
            path: path.into(),
            status: Some(503),
            retry_after: None,
            latency_ms: None,
            times: Some(2),
            probability: None,
        }
    }

    #[test]
    fn globs_match_runs_and_single_characters() {
        assert!(glob("/api/v2/organizations/*", "/api/v2/organizations/1/teams"));
        assert!(!glob("/api/v2/organizations/*", "/api/v2/organizations"));
        assert!(glob("/api/v2/organizations*", "/api/v2/organizations"));
        assert!(glob("/api/v2/teams/?", "/api/v2/teams/7"));
        assert!(!glob("/api/v2/teams/?", "/api/v2/teams/17"));
        assert!(glob("*", "/anything"));
    }

    #[test]
    fn a_rule_ends_after_its_times() {
        let f = Faults::default();
        f.add(rule("/api/v2/organizations*"));
        assert!(f.hit("POST", "/api/v2/organizations").is_none(), "another method");
        assert_eq!(f.hit("get", "/api/v2/organizations").unwrap().status, Some(503));
        assert!(f.hit("GET", "/api/v2/organizations/1").is_some());
        assert!(f.hit("GET", "/api/v2/organizations").is_none(), "used up");
        assert!(f.list().is_empty());
        f.add(FaultRule { probability: Some(0.0), times: None, ..rule("/x") });
        assert!((0..100).all(|_| f.hit("GET", "/x").is_none()), "probability 0 never hits");
        assert_eq!(f.list()[0].matched, 0);
    }

    #[test]
    fn bad_rules_are_named() {
        assert_eq!(FaultRule { status: Some(418), ..rule("/x") }.problem().unwrap().0, "status");
        assert_eq!(rule("x").problem().unwrap().0, "path");
        assert_eq!(FaultRule { probability: Some(2.0), ..rule("/x") }.problem().unwrap().0, "probability");
        assert!(rule("/x").problem().is_none());
    }
}
