//! Password reset links (store trait and the message they travel in). What the columns mean: the migration
//! `20261206000025_password_reset.sql`; the rules around them (who gets a link, how long it lives): `crate::people`.

use async_trait::async_trait;
use serde_json::json;

use super::models::User;
use super::outbox::{NewMessage, PASSWORD_RESET};
use super::StoreResult;
use crate::domain::ids::UserId;

/// How long a reset link works.
pub const VALID_MS: i64 = 3_600_000;

/// The reset message to `user`, carrying the link's `token` (scrubbed from the outbox once sent).
pub fn message(user: &User, token: &str, expires_ms: i64) -> NewMessage {
    NewMessage {
        kind: PASSWORD_RESET,
        org_id: None,
        user_id: user.id,
        recipient: user.email.clone(),
        params: json!({"name": user.name, "token": token, "expiresMs": expires_ms}),
    }
}

#[async_trait]
pub trait ResetStore {
    /// Stores a new reset link (by its digest) for the message's person, valid until `expires_ms`, replacing
    /// their earlier unused ones, and queues the message, in one transaction.
    async fn start_reset(&self, digest: &str, expires_ms: i64, message: NewMessage, now_ms: i64) -> StoreResult<()>;
    /// The person a reset link is for, while it is unused and unexpired.
    async fn reset_user(&self, digest: &str, now_ms: i64) -> StoreResult<Option<User>>;
    /// Uses a reset link: marks it used, stores the new password hash and ends every session of the person, in
    /// one transaction. `None` when the link is used, expired or unknown (also when two uses race: one wins).
    /// Otherwise the person and how many sessions ended.
    async fn finish_reset(&self, digest: &str, hash: &str, now_ms: i64) -> StoreResult<Option<(UserId, u64)>>;
}
