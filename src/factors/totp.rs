//! Two-factor for a person: enrolment (a pending secret, confirmed by a first code, which also hands out the
//! recovery codes), the second step of a sign-in, new recovery codes and turning it off. The code rules are in
//! `domain::totp`; the store records each accepted step and used recovery code with a compare-and-set.

use chrono::{DateTime, Utc};

use crate::domain::ids::UserId;
use crate::domain::totp::{self as rules, Check};
use crate::mail::account::{self, CredentialChange};
use crate::store::models::User;
use crate::store::sessions::EndSessions;
use crate::store::{Store, StoreError};

/// Make's `tfaStatus` on user objects. Make documents the field (0, 1 or 2) but not the meanings; orgd's are:
/// 0 not set up, 1 set up (codes are asked at sign-in), 2 enrolment started (a secret was shown, no code has
/// confirmed it yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum TfaStatus {
    Off = 0,
    On = 1,
    Pending = 2,
}

/// Why a two-factor step did not go through.
#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    #[error("the code is not right")]
    WrongCode,
    /// A right code of a step already used: refused like a wrong one, but logged.
    #[error("the code was used already")]
    Reused,
    #[error("two-factor is not set up")]
    NotEnrolled,
    #[error("two-factor is set up already")]
    AlreadyOn,
    /// An organization of the person enforces two-factor: it cannot be turned off (Make's rule).
    #[error("an organization you belong to requires two-factor authentication")]
    Enforced,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an enrolment shows: the secret as text and as the URL the QR code holds.
pub struct Enrolment {
    pub secret: String,
    pub otpauth_url: String,
}

/// What proved the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    /// A recovery code, now used; `left` remain.
    RecoveryCode {
        left: i64,
    },
}

/// What a person still owes after their first factor (a password, or a single sign-on that did not assert a
/// second factor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owed {
    Nothing,
    /// Two-factor is set up: a code (or a recovery code).
    Code,
    /// Two-factor is not set up and an organization of theirs enforces it: enrolment, before anything else.
    Enrolment,
}

pub async fn owed(store: &dyn Store, user: &User) -> Result<Owed, StoreError> {
    if user.tfa_enabled {
        return Ok(Owed::Code);
    }
    Ok(if store.tfa_required(UserId(user.id)).await? { Owed::Enrolment } else { Owed::Nothing })
}

/// Ends the console sessions of the organization's members without two-factor, as Make signs them out when
/// enforcement is switched on; their next sign-in holds them at enrolment.
pub async fn enforce(store: &dyn Store, org_id: i64) -> Result<u64, StoreError> {
    let mut ended = 0;
    for user in store.members_without_tfa(org_id).await? {
        ended += store.end_sessions_of(user, EndSessions::All).await?;
    }
    Ok(ended)
}

pub async fn status(store: &dyn Store, user: &User) -> Result<TfaStatus, StoreError> {
    if user.tfa_enabled {
        return Ok(TfaStatus::On);
    }
    let pending = store.totp_secret(UserId(user.id)).await?.is_some_and(|s| s.confirmed_at.is_none());
    Ok(if pending { TfaStatus::Pending } else { TfaStatus::Off })
}

/// Starts (or restarts) enrolment with a new secret.
pub async fn enrol(store: &dyn Store, user: &User, now: DateTime<Utc>) -> Result<Enrolment, FactorError> {
    if user.tfa_enabled {
        return Err(FactorError::AlreadyOn);
    }
    let secret = rules::new_secret();
    if !store.start_totp(UserId(user.id), &secret, now).await? {
        return Err(FactorError::AlreadyOn);
    }
    let otpauth_url = rules::otpauth_url(&secret, &user.email).ok_or(FactorError::NotEnrolled)?;
    Ok(Enrolment { secret, otpauth_url })
}

/// The pending enrolment's `otpauth://` URL (for the QR code), if one is pending.
pub async fn pending_url(store: &dyn Store, user: &User) -> Result<Option<String>, StoreError> {
    let secret = store.totp_secret(UserId(user.id)).await?.filter(|s| s.confirmed_at.is_none());
    Ok(secret.and_then(|s| rules::otpauth_url(&s.secret, &user.email)))
}

/// Confirms enrolment with a first code; answers the recovery codes, shown this once.
pub async fn confirm(
    store: &dyn Store,
    user: &User,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, FactorError> {
    let id = UserId(user.id);
    let secret = store.totp_secret(id).await?.filter(|s| s.confirmed_at.is_none()).ok_or(FactorError::NotEnrolled)?;
    let Check::Accepted { step } = rules::check(&secret.secret, code, now.timestamp(), None) else {
        return Err(FactorError::WrongCode);
    };
    let codes = rules::new_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| rules::recovery_digest(c)).collect();
    if !store.confirm_totp(id, step, &digests, now).await? {
        return Err(FactorError::NotEnrolled);
    }
    tracing::info!(user.id = user.id, "two-factor set up");
    account::notify(store, user, CredentialChange::TwoFactorOn, now).await;
    Ok(codes)
}

/// Checks the second factor: a TOTP code (each step once) or an unused recovery code (then used up).
pub async fn prove(store: &dyn Store, user: &User, typed: &str, now: DateTime<Utc>) -> Result<Proof, FactorError> {
    let id = UserId(user.id);
    let secret = store.totp_secret(id).await?.filter(|s| s.confirmed_at.is_some()).ok_or(FactorError::NotEnrolled)?;
    if rules::is_recovery_code(typed) {
        if !store.use_recovery_code(id, &rules::recovery_digest(typed), now).await? {
            return Err(FactorError::WrongCode);
        }
        let left = store.recovery_codes_left(id).await?;
        tracing::warn!(user.id = user.id, left, "a recovery code was used");
        return Ok(Proof::RecoveryCode { left });
    }
    match rules::check(&secret.secret, typed, now.timestamp(), secret.last_step) {
        // Another request may have taken the same step between the read and here: the store decides.
        Check::Accepted { step } if store.use_totp_step(id, step).await? => Ok(Proof::Code),
        Check::Accepted { step } | Check::Reused { step } => {
            tracing::warn!(user.id = user.id, step, "a two-factor code was used a second time; refused");
            Err(FactorError::Reused)
        }
        Check::Wrong => Err(FactorError::WrongCode),
    }
}

/// New recovery codes (the old ones stop working), after a current code.
pub async fn renew_recovery_codes(
    store: &dyn Store,
    user: &User,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, FactorError> {
    prove(store, user, code, now).await?;
    let codes = rules::new_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| rules::recovery_digest(c)).collect();
    store.replace_recovery_codes(UserId(user.id), &digests).await?;
    account::notify(store, user, CredentialChange::RecoveryCodes, now).await;
    Ok(codes)
}

/// Turns two-factor off after a current code, unless an organization of the person enforces it.
pub async fn turn_off(store: &dyn Store, user: &User, code: &str, now: DateTime<Utc>) -> Result<(), FactorError> {
    if store.tfa_required(UserId(user.id)).await? {
        return Err(FactorError::Enforced);
    }
    prove(store, user, code, now).await?;
    store.remove_totp(UserId(user.id)).await?;
    tracing::info!(user.id = user.id, "two-factor turned off");
    account::notify(store, user, CredentialChange::TwoFactorOff, now).await;
    Ok(())
}
