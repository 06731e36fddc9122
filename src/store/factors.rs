//! Two-factor secrets, recovery codes and single-sign-on identities (rows and store trait). The rules (what a code
//! proves, how codes are made and hashed) are in `domain::totp`; this stores their outcome, each change a
//! compare-and-set so that two requests racing with the same code cannot both succeed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::ids::UserId;

/// A person's TOTP secret: pending until a first code confirms it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TotpSecret {
    pub secret: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The last step whose code was accepted.
    pub last_step: Option<i64>,
}

/// Two-factor and single-sign-on records.
#[async_trait]
pub trait FactorStore {
    async fn totp_secret(&self, user: UserId) -> StoreResult<Option<TotpSecret>>;
    /// Stores a pending secret, replacing a pending one; false (nothing changed) when a confirmed one exists.
    async fn start_totp(&self, user: UserId, secret: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Confirms the pending secret with the first code's step, turns two-factor on and stores the recovery codes'
    /// digests; false when there is no pending secret (or another request confirmed it first).
    async fn confirm_totp(&self, user: UserId, step: i64, digests: &[String], now: DateTime<Utc>) -> StoreResult<bool>;
    /// Records `step` as used; false when it (or a later one) already was, or the secret is not confirmed.
    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    /// Marks an unused recovery code as used; false when none of the person's matches.
    async fn use_recovery_code(&self, user: UserId, digest: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Recovery codes not yet used.
    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<i64>;
    /// Replaces the recovery codes with a new set.
    async fn replace_recovery_codes(&self, user: UserId, digests: &[String]) -> StoreResult<()>;
    /// Removes the secret and the recovery codes and turns two-factor off.
    async fn remove_totp(&self, user: UserId) -> StoreResult<()>;
    /// Whether the person belongs to an organization that enforces two-factor.
    async fn tfa_required(&self, user: UserId) -> StoreResult<bool>;
    /// The organization's members who have no two-factor.
    async fn members_without_tfa(&self, org_id: i64) -> StoreResult<Vec<UserId>>;
    /// The person signed in through `issuer` as `subject`.
    async fn oidc_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<UserId>>;
    /// Keeps a single sign-on's `nonce` and PKCE verifier under the digest of its `state`.
    async fn begin_oidc(&self, state_digest: &str, nonce: &str, verifier: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Takes (and deletes) the sign-on of `state_digest` begun after `since`: (nonce, verifier). Older ones are
    /// deleted on the way.
    async fn take_oidc(&self, state_digest: &str, since: DateTime<Utc>) -> StoreResult<Option<(String, String)>>;
    /// Links (`issuer`, `subject`) to a person; false when the pair is linked already (to anyone).
    async fn link_oidc(&self, issuer: &str, subject: &str, user: UserId, now: DateTime<Utc>) -> StoreResult<bool>;
}
