//! E-mailed account links: password reset links and, under `--signup open`, e-mail verification links (store
//! trait and the messages they travel in). What the columns mean: the migrations `…0025_password_reset.sql` and
//! `…0060_account_links.sql`; the rules around them (who gets a link, how long it lives): `crate::people`.

use async_trait::async_trait;
use serde_json::json;

use super::models::User;
use super::outbox::{NewMessage, PASSWORD_RESET, SIGNUP};
use super::StoreResult;
use crate::domain::ids::UserId;

/// How long a link works.
pub const VALID_MS: i64 = 3_600_000;

/// What a link is for; a link of one purpose never works as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Sets a new password for an account that has one.
    Reset,
    /// Proves an address under `--signup open`: its account chooses a name and its first password.
    Signup,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Signup => "signup",
        }
    }
}

/// The message to `user` carrying a link of `purpose` with its `token` (scrubbed from the outbox once sent).
pub fn message(purpose: Purpose, user: &User, token: &str, expires_ms: i64) -> NewMessage {
    NewMessage {
        kind: match purpose {
            Purpose::Reset => PASSWORD_RESET,
            Purpose::Signup => SIGNUP,
        },
        org_id: None,
        user_id: user.id,
        recipient: user.email.clone(),
        params: json!({"name": user.name, "token": token, "expiresMs": expires_ms}),
    }
}

#[async_trait]
pub trait ResetStore {
    /// Stores a new link of `purpose` (by its digest) for the message's person, valid until `expires_ms`,
    /// replacing their earlier unused ones of that purpose, and queues the message, in one transaction.
    async fn start_link(
        &self,
        purpose: Purpose,
        digest: &str,
        expires_ms: i64,
        message: NewMessage,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// The person a link of `purpose` is for, while it is unused and unexpired.
    async fn link_user(&self, purpose: Purpose, digest: &str, now_ms: i64) -> StoreResult<Option<User>>;
    /// Uses a reset link: marks it used, stores the new password hash and ends every session of the person, in
    /// one transaction. `None` when the link is used, expired or unknown (also when two uses race: one wins).
    /// Otherwise the person and how many sessions ended.
    async fn finish_reset(&self, digest: &str, hash: &str, now_ms: i64) -> StoreResult<Option<(UserId, u64)>>;
    /// Uses a sign-up link: marks it used and gives its account a name and first password, in one transaction.
    /// `None` when the link is used, expired or unknown, or the account has a password by now (it was claimed
    /// through an invitation meanwhile); the link is used up either way.
    async fn finish_signup(&self, digest: &str, name: &str, hash: &str, now_ms: i64) -> StoreResult<Option<User>>;
}
