//! The e-mail outbox's storage, shared by both backends: what a message is, and the SQL that queues, claims and
//! settles it (the same text on SQLite and PostgreSQL but for the claim's row lock; each backend binds and runs it).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::FromRow;

use crate::store::models::NewInvitation;
use crate::store::StoreError;

/// A message to an invitee: the invitation, its link and hash.
pub const INVITATION: &str = "invitation";
/// A message to the new Owner after an ownership transfer.
pub const NEW_OWNER: &str = "new_owner";
/// A password reset link (`store::resets`); its token is scrubbed from the stored parameters once sent.
pub const PASSWORD_RESET: &str = "password_reset";
/// An e-mail verification link of open sign-up (`store::resets`); its token is scrubbed like a reset's.
pub const SIGNUP: &str = "signup";
/// To an address that asked for open sign-up but has an account already: sign in, or reset the password.
pub const ACCOUNT_EXISTS: &str = "account_exists";
/// A notice that a credential of the account changed (password, two-factor), with no secret in it (ASVS 6.3.7).
pub const CREDENTIAL_CHANGED: &str = "credential_changed";

/// The statuses a message goes through (see the migration).
pub const STATUSES: &[&str] = &["pending", "sent", "failed", "cancelled"];

/// One hour, the window the per-organization invitation bound counts in.
pub const HOUR_MS: i64 = 3_600_000;

/// A message to queue inside the transaction of the change that causes it.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: &'static str,
    /// `None` for account mail (a password reset, a sign-up link, a notice), which belongs to no organization.
    pub org_id: Option<i64>,
    pub user_id: i64,
    pub recipient: String,
    /// What the template shows; never a secret such as an API token.
    pub params: Value,
}

/// Binds: kind, organization, user, recipient, params, now (ms).
pub const INSERT: &str = "insert into outbox (kind, organization_id, user_id, recipient, params, status, attempts,
        next_attempt_ms, created_ms)
    values ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)";

/// Binds: organization, since (ms). Invitation messages the organization queued since then, and the oldest one's time.
pub const RECENT_INVITATIONS: &str = "select count(*), min(created_ms) from outbox
    where organization_id = $1 and kind = 'invitation' and created_ms > $2";

/// Refuses one more invitation message when the organization queued `per_hour` of them in the hour before
/// `now_ms` (`count` of them, the oldest at `oldest_ms`); says when the oldest leaves the window.
pub fn check_budget(count: i64, oldest_ms: Option<i64>, now_ms: i64, per_hour: i64) -> Result<(), StoreError> {
    if per_hour <= 0 || count < per_hour {
        return Ok(());
    }
    let free_at = oldest_ms.unwrap_or(now_ms) + HOUR_MS;
    Err(StoreError::RateLimited {
        retry_after_secs: ((free_at - now_ms).max(1000) as u64).div_ceil(1000),
        detail: format!("The organization may send {per_hour} invitations per hour."),
    })
}

/// Binds: organization, user, reason. An invitation message not yet sent is dropped when its invitation is
/// replaced, withdrawn or accepted; one being sent right now is left to finish.
pub const CANCEL_PENDING: &str = "update outbox set status = 'cancelled', last_error = $3
    where organization_id = $1 and user_id = $2 and kind = 'invitation' and status = 'pending'
      and claimed_by is null";

/// What an invitation message shows, read inside the invite's transaction. Binds: organization, inviter, invitee.
pub const INVITE_CONTEXT: &str = "select o.name as organization_name, o.timezone_id as organization_timezone_id,
        i.name as inviter_name, i.email as inviter_email, u.timezone_id as invitee_timezone_id
    from organizations o, users i, users u where o.id = $1 and i.id = $2 and u.id = $3";

#[derive(Debug, Clone, FromRow)]
pub struct InviteContext {
    pub organization_name: String,
    pub organization_timezone_id: i64,
    pub inviter_name: String,
    pub inviter_email: String,
    pub invitee_timezone_id: i64,
}

/// The invitation message. The expiry is shown in the invitee's timezone when they already had an account,
/// otherwise in the organization's (a new account has no timezone of its own yet).
pub fn invitation(org_id: i64, user_id: i64, inv: &NewInvitation, had_account: bool, c: InviteContext) -> NewMessage {
    let tz = if had_account { c.invitee_timezone_id } else { c.organization_timezone_id };
    NewMessage {
        kind: INVITATION,
        org_id: Some(org_id),
        user_id,
        recipient: inv.email.clone(),
        params: json!({
            "organizationId": org_id,
            "organizationName": c.organization_name,
            "inviterName": c.inviter_name,
            "inviterEmail": c.inviter_email,
            "inviteeName": inv.name,
            "usersRoleId": inv.users_role_id,
            "hash": inv.hash,
            "expiresAt": inv.expires_at.to_rfc3339(),
            "timezoneId": tz,
            "note": inv.note,
        }),
    }
}

/// What the new Owner's message shows. Binds: organization, previous Owner, new Owner.
pub const OWNER_CONTEXT: &str = "select o.name as organization_name, p.name as previous_name,
        p.email as previous_email, n.name as new_name, n.email as new_email
    from organizations o, users p, users n where o.id = $1 and p.id = $2 and n.id = $3";

#[derive(Debug, Clone, FromRow)]
pub struct OwnerContext {
    pub organization_name: String,
    pub previous_name: String,
    pub previous_email: String,
    pub new_name: String,
    pub new_email: String,
}

pub fn new_owner(org_id: i64, user_id: i64, c: OwnerContext) -> NewMessage {
    NewMessage {
        kind: NEW_OWNER,
        org_id: Some(org_id),
        user_id,
        recipient: c.new_email,
        params: json!({
            "organizationId": org_id,
            "organizationName": c.organization_name,
            "previousOwnerName": c.previous_name,
            "previousOwnerEmail": c.previous_email,
            "newOwnerName": c.new_name,
        }),
    }
}

/// The oldest due message, as the claim returns it.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub params: String,
    pub created_ms: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

const CLAIM: &str = "update outbox set claimed_by = $1, claimed_until_ms = $2, attempts = attempts + 1
    where id = (select id from outbox
                where status = 'pending' and next_attempt_ms <= $3
                  and (claimed_until_ms is null or claimed_until_ms < $3)
                order by next_attempt_ms, id limit 1 __LOCK__)
    returning id, kind, recipient, params, created_ms, attempts";

/// Binds: node, claimed until (ms), now (ms). Takes the oldest due message for one node; counts the attempt at
/// once, so a message that crashes its sender still runs out of attempts.
pub fn claim_sql(row_lock: &str) -> String {
    CLAIM.replace("__LOCK__", row_lock)
}

/// How sending a claimed message ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
        at_ms: i64,
    },
    /// Try again at `at_ms`, unless the message has used all its attempts (then it is failed).
    Retry {
        at_ms: i64,
        error: String,
    },
    /// Refused for good (e.g. the recipient does not exist): failed at once.
    Failed {
        error: String,
    },
}

/// Binds: sent at (ms), id, node. A reset or sign-up link is a credential for its hour: once sent, the stored copy
/// of it goes (the parameters become `{}`), so a later read of the database or a backup holds no working link.
pub const SENT: &str = "update outbox set status = 'sent', sent_ms = $1, last_error = null, claimed_by = null,
        claimed_until_ms = null, params = case when kind in ('password_reset', 'signup') then '{}' else params end
    where id = $2 and claimed_by = $3";

/// Binds: next attempt (ms), error, max attempts, id, node.
pub const RETRY: &str = "update outbox set next_attempt_ms = $1, last_error = $2, claimed_by = null,
        claimed_until_ms = null, status = case when attempts >= $3 then 'failed' else 'pending' end
    where id = $4 and claimed_by = $5";

/// Binds: error, id, node.
pub const FAILED: &str = "update outbox set status = 'failed', last_error = $1, claimed_by = null,
        claimed_until_ms = null
    where id = $2 and claimed_by = $3";

/// Binds: node. Claims of earlier processes; only SQLite, whose one node is this one, may drop them at start.
pub const RELEASE_OTHERS: &str = "update outbox set claimed_by = null, claimed_until_ms = null
    where claimed_by is not null and claimed_by <> $1";

/// Binds: id, now (ms). `orgd outbox retry`: a failed (or waiting) message is due again with fresh attempts.
pub const RETRY_NOW: &str = "update outbox set status = 'pending', attempts = 0, next_attempt_ms = $2
    where id = $1 and status in ('failed', 'pending') returning id";

pub const STATUS_OF: &str = "select status from outbox where id = $1";

pub const COUNTS: &str = "select status, count(*) from outbox group by status";

/// Binds: before (ms), batch. Sent and cancelled messages are kept for a while, then deleted.
pub const PRUNE: &str = "delete from outbox where id in (select id from outbox
    where status in ('sent', 'cancelled') and created_ms < $1 order by id limit $2)";

/// A message as `orgd outbox list` shows it (without its parameters: they hold the invitation hash).
#[derive(Debug, Clone, FromRow)]
pub struct Message {
    pub id: i64,
    pub kind: String,
    pub organization_id: Option<i64>,
    pub user_id: i64,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
    pub created_ms: i64,
    pub sent_ms: Option<i64>,
}

const LIST: &str = "select id, kind, organization_id, user_id, recipient, status, attempts, next_attempt_ms,
        last_error, created_ms, sent_ms from outbox";

/// Newest first. Binds: limit, or status and limit.
pub fn list_sql(by_status: bool) -> String {
    if by_status {
        format!("{LIST} where status = $1 order by id desc limit $2")
    } else {
        format!("{LIST} order by id desc limit $1")
    }
}

fn iso(ms: i64) -> Value {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
        .unwrap_or(Value::Null)
}

impl Message {
    /// The JSON line `orgd outbox list --format jsonl` prints.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": self.kind,
            "organizationId": self.organization_id,
            "userId": self.user_id,
            "recipient": self.recipient,
            "status": self.status,
            "attempts": self.attempts,
            "nextAttemptAt": if self.status == "pending" { iso(self.next_attempt_ms) } else { Value::Null },
            "lastError": self.last_error,
            "createdAt": iso(self.created_ms),
            "sentAt": self.sent_ms.map(iso),
        })
    }
}

/// The epoch milliseconds of an instant.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_differs_only_by_its_row_lock() {
        let pg = claim_sql("for update skip locked");
        assert!(pg.contains("limit 1 for update skip locked)"), "{pg}");
        assert!(claim_sql("").contains("limit 1 )"));
    }

    #[test]
    fn the_invitation_budget_says_when_it_frees_up() {
        let now = 10 * HOUR_MS;
        assert!(check_budget(2, Some(now - 100), now, 3).is_ok());
        assert!(check_budget(99, Some(now), now, 0).is_ok(), "0 means no bound");
        match check_budget(3, Some(now - HOUR_MS + 1500), now, 3) {
            Err(StoreError::RateLimited { retry_after_secs, .. }) => assert_eq!(retry_after_secs, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn listed_messages_never_show_their_parameters() {
        let m = Message {
            id: 3,
            kind: INVITATION.into(),
            organization_id: Some(1),
            user_id: 2,
            recipient: "ann@example.com".into(),
            status: "sent".into(),
            attempts: 1,
            next_attempt_ms: 0,
            last_error: None,
            created_ms: 1_700_000_000_123,
            sent_ms: Some(1_700_000_001_000),
        };
        let v = m.to_json();
        assert_eq!(v["createdAt"], "2023-11-14T22:13:20.123Z");
        assert_eq!(v["nextAttemptAt"], Value::Null);
        assert!(v.get("params").is_none() && v.get("hash").is_none());
    }
}
