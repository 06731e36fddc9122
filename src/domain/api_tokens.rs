//! A person's own API tokens (`/users/me/api-tokens`): labels, the masked form a list shows, the rule that a
//! token grants nothing its creator's token lacks, and the `created` timestamp that names a token in Make's API.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::domain::scopes;

/// Longest accepted label, in characters (Make documents none; docs/compatibility.md).
pub const MAX_LABEL_CHARS: usize = 100;

/// Live tokens one person may hold: a bound on what one account can make the database keep, far above use.
pub const MAX_LIVE_TOKENS: i64 = 100;

/// A console session must have proved a credential this recently to create a token (ASVS 3.7.1 / 7.5.1): a
/// stolen or forgotten session cannot mint long-lived credentials without the password.
pub const REAUTH_MINUTES: i64 = 15;

/// The detail of the 403 that asks the console to confirm the password; the console recognises it by this start.
pub const REAUTH_DETAIL: &str = "Re-authentication required: confirm your password (POST /auth/reauthenticate) \
     to create an API token; the last one was more than 15 minutes ago.";

/// Whether a session whose credential was last proved at `authenticated_at` must prove it again before creating
/// a token at `now`.
pub fn needs_reauth(authenticated_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - authenticated_at > TimeDelta::minutes(REAUTH_MINUTES)
}

/// A token's label: 1–100 characters, no control characters, not starting or ending with white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    pub fn parse(field: &str, s: &str) -> Result<Label, String> {
        if s.trim().is_empty() {
            return Err(format!("{field} must not be empty"));
        }
        if s.chars().count() > MAX_LABEL_CHARS {
            return Err(format!("{field} must be at most {MAX_LABEL_CHARS} characters long"));
        }
        if s.trim() != s {
            return Err(format!("{field} must not start or end with white space"));
        }
        if s.chars().any(char::is_control) {
            return Err(format!("{field} must not contain control characters"));
        }
        Ok(Label(s.to_string()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The part of a token kept in clear: its first segment, as Make's list shows it (the 8 hex digits before the
/// first `-` of a UUID).
pub fn hint(token: &str) -> String {
    token.split('-').next().unwrap_or_default().to_string()
}

/// The token as a list shows it: the hint, then the shape of a UUID with every other digit hidden. A token issued
/// before hints were kept is hidden entirely.
pub fn masked(hint: Option<&str>) -> String {
    format!("{}-****-****-****-************", hint.unwrap_or("********"))
}

/// Scopes of `requested` that `held` does not grant: a token may not hold what its creator's token lacks. A
/// spelling variant counts as the scope it names (`organization:read` is granted by `organizations:read`).
pub fn beyond(requested: &[String], held: &[String]) -> Vec<String> {
    let held: Vec<&str> = held.iter().map(|s| scopes::canonical(s)).collect();
    requested.iter().filter(|r| !held.contains(&scopes::canonical(r))).cloned().collect()
}

/// A timestamp as Make's `created` reads: milliseconds, `Z`.
pub fn created_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Parses a `created` path segment (`2020-03-27T05:53:27.368Z`); `None` when it is no timestamp.
pub fn parse_created(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Whether a stored creation time is the one a `created` value names (they agree to the millisecond).
pub fn names(created: DateTime<Utc>, stored: DateTime<Utc>) -> bool {
    to_millis(created) == to_millis(stored)
}

/// The creation time of a new token: now to the millisecond, moved past the person's other tokens' times so
/// that `created` names exactly one token of theirs (DELETE takes it as the token's name).
pub fn creation_time(now: DateTime<Utc>, taken: &[DateTime<Utc>]) -> DateTime<Utc> {
    let mut at = to_millis(now);
    while taken.iter().any(|t| names(at, *t)) {
        at += TimeDelta::milliseconds(1);
    }
    at
}

fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for ok in ["CI", "deploy: prod (read)", "東京 token", &"x".repeat(100)] {
            assert!(Label::parse("label", ok).is_ok(), "{ok}");
        }
        for bad in ["", "   ", " lead", "trail ", "tab\tx", "nul\0", &"x".repeat(101)] {
            assert!(Label::parse("label", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn masks_show_only_the_first_segment() {
        let token = "3f0c1c8e-5d0e-4c8e-9a57-5b8e0c4f2a11";
        assert_eq!(masked(Some(&hint(token))), "3f0c1c8e-****-****-****-************");
        assert_eq!(masked(None), "********-****-****-****-************");
    }

    #[test]
    fn a_token_grants_nothing_its_creator_lacks() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(beyond(&v(&["teams:read"]), &v(&["teams:read", "user:read"])).is_empty());
        assert!(beyond(&v(&["organization:read"]), &v(&["organizations:read"])).is_empty());
        assert!(beyond(&v(&["organizations-variables:read"]), &v(&["organization-variables:read"])).is_empty());
        assert_eq!(beyond(&v(&["admin:read", "teams:read"]), &v(&["teams:read"])), ["admin:read"]);
    }

    #[test]
    fn sessions_confirm_the_password_every_fifteen_minutes() {
        let at = parse_created("2026-12-06T09:00:00Z").unwrap();
        assert!(!needs_reauth(at, at + TimeDelta::minutes(15)));
        assert!(needs_reauth(at, at + TimeDelta::minutes(15) + TimeDelta::seconds(1)));
    }

    #[test]
    fn creation_times_are_milliseconds_and_distinct() {
        let now = parse_created("2026-12-06T09:00:00.123456Z").unwrap();
        let first = creation_time(now, &[]);
        assert_eq!(created_text(first), "2026-12-06T09:00:00.123Z");
        let second = creation_time(now, &[now]);
        assert_eq!(created_text(second), "2026-12-06T09:00:00.124Z");
        assert!(names(parse_created("2026-12-06T09:00:00.123Z").unwrap(), now));
        assert!(parse_created("yesterday").is_none());
    }
}
