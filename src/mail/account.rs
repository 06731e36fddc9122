//! Account mail that belongs to no organization: the open sign-up's link and its "account exists" answer, and the
//! notice of a changed credential (ASVS 6.3.7: a person hears of every change to how they sign in, so that a
//! change they did not make does not go unnoticed). The notice carries what changed and when, never a secret.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::store::models::User;
use crate::store::outbox::{NewMessage, ACCOUNT_EXISTS, CREDENTIAL_CHANGED};
use crate::store::{Store, StoreResult};

/// A change to how a person signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialChange {
    /// In the profile, with the current password.
    Password,
    /// Through an e-mailed reset link.
    PasswordReset,
    /// By the operator (`orgd users password`).
    PasswordByOperator,
    TwoFactorOn,
    TwoFactorOff,
    /// By the operator (`orgd users tfa --email E off`), for a lost authenticator.
    TwoFactorOffByOperator,
    RecoveryCodes,
}

impl CredentialChange {
    const ALL: [CredentialChange; 7] = [
        Self::Password,
        Self::PasswordReset,
        Self::PasswordByOperator,
        Self::TwoFactorOn,
        Self::TwoFactorOff,
        Self::TwoFactorOffByOperator,
        Self::RecoveryCodes,
    ];

    /// The stored key, the subject's words and the sentence that tells what happened.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Password => ("password", "password changed", "Your password was changed in your profile"),
            Self::PasswordReset => {
                ("password_reset", "password changed", "Your password was changed through a password reset link")
            }
            Self::PasswordByOperator => {
                ("password_operator", "password set", "The operator of this orgd server set a new password for you")
            }
            Self::TwoFactorOn => ("tfa_on", "two-factor on", "Two-factor authentication was turned on"),
            Self::TwoFactorOff => ("tfa_off", "two-factor off", "Two-factor authentication was turned off"),
            Self::TwoFactorOffByOperator => (
                "tfa_off_operator",
                "two-factor off",
                "The operator of this orgd server turned your two-factor authentication off",
            ),
            Self::RecoveryCodes => (
                "recovery_codes",
                "new recovery codes",
                "New two-factor recovery codes were made; the old ones stopped working",
            ),
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.words().0 == key)
    }
}

/// The notice of `change` to `user`, as of `at`.
pub fn credential_notice(user: &User, change: CredentialChange, at: DateTime<Utc>) -> NewMessage {
    NewMessage {
        kind: CREDENTIAL_CHANGED,
        org_id: None,
        user_id: user.id,
        recipient: user.email.clone(),
        params: json!({"name": user.name, "change": change.words().0, "atMs": at.timestamp_millis()}),
    }
}

/// Queues the notice of `change`; a failure is logged, not returned: the change itself is done and answered.
pub async fn notify(store: &dyn Store, user: &User, change: CredentialChange, at: DateTime<Utc>) {
    match store.queue_mail(credential_notice(user, change, at), at.timestamp_millis()).await {
        Ok(()) => tracing::info!(user.id = user.id, change = change.words().0, "credential change notice queued"),
        Err(e) => tracing::warn!(user.id = user.id, error = %e, "could not queue a credential change notice"),
    }
}

/// The answer to open sign-up for an address that has an account with a password.
pub fn account_exists(user: &User) -> NewMessage {
    NewMessage {
        kind: ACCOUNT_EXISTS,
        org_id: None,
        user_id: user.id,
        recipient: user.email.clone(),
        params: json!({"name": user.name}),
    }
}

/// Queues [`account_exists`] for `user`.
pub async fn send_account_exists(store: &dyn Store, user: &User, now_ms: i64) -> StoreResult<()> {
    store.queue_mail(account_exists(user), now_ms).await
}

type Values = Vec<(&'static str, String)>;

fn text(p: &Value, key: &str) -> String {
    p[key].as_str().unwrap_or_default().to_string()
}

fn expires(p: &Value, key: &str) -> Result<String, String> {
    let at = p[key].as_i64().and_then(DateTime::from_timestamp_millis).ok_or(format!("{key} missing"))?;
    Ok(at.format("%H:%M UTC on %-d %B %Y").to_string())
}

/// The values of a password reset (`link` = "reset") or sign-up (`link` = "signup") message. The token travels
/// in the fragment, which browsers never send to a server (nor to a proxy's log).
pub fn link_values(p: &Value, public_url: &str, link: &str) -> Result<Values, String> {
    let token = text(p, "token");
    // Sent once, then scrubbed (`store::outbox::SENT`): a message retried after that has nothing to send.
    if token.is_empty() {
        return Err("the link is gone (already sent)".into());
    }
    Ok(vec![
        ("name", text(p, "name")),
        (if link == "reset" { "reset_url" } else { "signup_url" }, format!("{public_url}/console/#/{link}/{token}")),
        ("expires", expires(p, "expiresMs")?),
        ("public_url", public_url.to_string()),
    ])
}

pub fn account_exists_values(p: &Value, public_url: &str) -> Result<Values, String> {
    Ok(vec![
        ("name", text(p, "name")),
        ("signin_url", format!("{public_url}/console/")),
        ("reset_url", format!("{public_url}/console/#/reset")),
        ("public_url", public_url.to_string()),
    ])
}

pub fn credential_values(p: &Value, public_url: &str) -> Result<Values, String> {
    let change = CredentialChange::from_key(&text(p, "change")).ok_or("an unknown credential change")?;
    let (_, subject, sentence) = change.words();
    Ok(vec![
        ("name", text(p, "name")),
        ("change", subject.to_string()),
        ("what", sentence.to_string()),
        ("at", expires(p, "atMs")?),
        ("reset_url", format!("{public_url}/console/#/reset")),
        ("public_url", public_url.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_has_its_own_key_and_reads_back() {
        for c in CredentialChange::ALL {
            assert_eq!(CredentialChange::from_key(c.words().0), Some(c));
        }
        assert_eq!(CredentialChange::from_key("nope"), None);
    }
}
