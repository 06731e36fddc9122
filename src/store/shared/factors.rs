//! Two-factor secrets, recovery codes and single-sign-on identities.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use serde_json::{json, Value};

use super::audit::record;
use super::{BackendStore, Conn};
use crate::domain::audit::{self as ev, Event};
use crate::domain::ids::UserId;
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::factors::{FactorStore, TotpSecret};
use crate::store::{StoreError, StoreResult};

#[async_trait]
impl FactorStore for BackendStore {
    async fn totp_secret(&self, user: UserId) -> StoreResult<Option<TotpSecret>> {
        let row = sqlx::query_as("select secret, confirmed_at, last_step from totp_secrets where user_id = $1")
            .bind(user)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row)
    }

    async fn start_totp(&self, user: UserId, secret: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let secret = secret.to_owned();
        self.write(None, move |tx| {
            Box::pin(async move {
                // The `where` keeps a confirmed secret: replacing it would be turning two-factor off without a code.
                let done = sqlx::query(
                    "insert into totp_secrets (user_id, secret, created_at) values ($1, $2, $3)
                     on conflict (user_id) do update set secret = excluded.secret, created_at = excluded.created_at
                     where totp_secrets.confirmed_at is null",
                )
                .bind(user)
                .bind(secret)
                .bind(now)
                .execute(tx)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn confirm_totp(&self, user: UserId, step: i64, digests: &[String], now: DateTime<Utc>) -> StoreResult<bool> {
        let digests = digests.to_vec();
        self.write(None, move |tx| Box::pin(confirm(tx, user, step, digests, now))).await
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        self.write(None, move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "update totp_secrets set last_step = $2 where user_id = $1 and confirmed_at is not null
                     and (last_step is null or last_step < $2)",
                )
                .bind(user)
                .bind(step)
                .execute(tx)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn use_recovery_code(&self, user: UserId, digest: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let digest = digest.to_owned();
        self.write(None, move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "update recovery_codes set used_at = $3 where user_id = $1 and digest = $2 and used_at is null",
                )
                .bind(user)
                .bind(digest)
                .bind(now)
                .execute(tx)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<i64> {
        let n = sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null")
            .bind(user)
            .fetch_one(&mut *self.reader().await?)
            .await?;
        Ok(n)
    }

    async fn replace_recovery_codes(&self, user: UserId, digests: &[String]) -> StoreResult<()> {
        let digests = digests.to_vec();
        self.write(None, move |tx| Box::pin(store_codes(tx, user, digests))).await
    }

    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        self.write(None, move |tx| Box::pin(remove(tx, user, false))).await
    }

    async fn tfa_required(&self, user: UserId) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from organization_members m join organizations o on o.id = m.organization_id
             where m.user_id = $1 and o.tfa_enforced",
        )
        .bind(user)
        .fetch_one(&mut *self.reader().await?)
        .await?;
        Ok(n > 0)
    }

    async fn members_without_tfa(&self, org_id: i64) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "select u.id from organization_members m join users u on u.id = m.user_id
             where m.organization_id = $1 and not u.tfa_enabled",
        )
        .bind(org_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn oidc_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<UserId>> {
        let id: Option<i64> =
            sqlx::query_scalar("select user_id from oidc_identities where issuer = $1 and subject = $2")
                .bind(issuer)
                .bind(subject)
                .fetch_optional(&mut *self.reader().await?)
                .await?;
        Ok(id.map(UserId))
    }

    async fn begin_oidc(&self, state_digest: &str, nonce: &str, verifier: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let row = (state_digest.to_owned(), nonce.to_owned(), verifier.to_owned());
        self.write(None, move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "insert into oidc_logins (state_digest, nonce, verifier, created_at) values ($1, $2, $3, $4)",
                )
                .bind(row.0)
                .bind(row.1)
                .bind(row.2)
                .bind(now)
                .execute(tx)
                .await?;
                Ok::<_, StoreError>(())
            })
        })
        .await
    }

    async fn take_oidc(&self, state_digest: &str, since: DateTime<Utc>) -> StoreResult<Option<(String, String)>> {
        let digest = state_digest.to_owned();
        self.write(None, move |tx| {
            Box::pin(async move {
                sqlx::query("delete from oidc_logins where created_at < $1").bind(since).execute(&mut *tx).await?;
                let row: Option<(String, String)> =
                    sqlx::query_as("delete from oidc_logins where state_digest = $1 returning nonce, verifier")
                        .bind(digest)
                        .fetch_optional(&mut *tx)
                        .await?;
                Ok::<_, StoreError>(row)
            })
        })
        .await
    }

    async fn link_oidc(&self, issuer: &str, subject: &str, user: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
        let (issuer, subject) = (issuer.to_owned(), subject.to_owned());
        self.write(None, move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "insert into oidc_identities (issuer, subject, user_id, created_at) values ($1, $2, $3, $4)
                     on conflict (issuer, subject) do nothing",
                )
                .bind(issuer)
                .bind(subject)
                .bind(user)
                .bind(now)
                .execute(tx)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }
}

/// Confirms a pending secret at `step`, turns two-factor on and stores the recovery codes.
async fn confirm(
    tx: &mut Conn,
    user: UserId,
    step: i64,
    digests: Vec<String>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "update totp_secrets set confirmed_at = $2, last_step = $3 where user_id = $1 and confirmed_at is null",
    )
    .bind(user)
    .bind(now)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("update users set tfa_enabled = $2 where id = $1").bind(user).bind(true).execute(&mut *tx).await?;
    store_codes(tx, user, digests).await?;
    audit_in_orgs(tx, user, Some(user.0), ev::USER_TFA_ENABLED, json!({})).await?;
    Ok(true)
}

/// Replaces the person's recovery codes.
async fn store_codes(tx: &mut Conn, user: UserId, digests: Vec<String>) -> StoreResult<()> {
    sqlx::query("delete from recovery_codes where user_id = $1").bind(user).execute(&mut *tx).await?;
    for digest in digests {
        sqlx::query("insert into recovery_codes (user_id, digest) values ($1, $2)")
            .bind(user)
            .bind(digest)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Removes the secret and the codes and turns two-factor off (the one place that does, for the console and for
/// `orgd users tfa off`), recorded in each of the person's organizations; `reset`: by the operator, who has no
/// user id in the log.
pub(super) async fn remove(tx: &mut Conn, user: UserId, reset: bool) -> StoreResult<()> {
    sqlx::query("delete from recovery_codes where user_id = $1").bind(user).execute(&mut *tx).await?;
    sqlx::query("delete from totp_secrets where user_id = $1").bind(user).execute(&mut *tx).await?;
    sqlx::query("update users set tfa_enabled = $2 where id = $1").bind(user).bind(false).execute(&mut *tx).await?;
    let actor = (!reset).then_some(user.0);
    audit_in_orgs(tx, user, actor, ev::USER_TFA_DISABLED, json!({"operatorReset": reset})).await
}

/// Records a change of the person's own sign-in in the audit log of every organization they belong to (the log is
/// kept per organization, and each one's administrators need to see it).
async fn audit_in_orgs(
    tx: &mut Conn,
    user: UserId,
    actor: Option<i64>,
    event: Event,
    detail: Value,
) -> StoreResult<()> {
    let orgs: Vec<i64> = sqlx::query_scalar("select organization_id from organization_members where user_id = $1")
        .bind(user)
        .fetch_all(&mut *tx)
        .await?;
    for org in orgs {
        record(tx, NewEntry::new(org, actor, event, user.0).detail(detail.clone())).await?;
    }
    Ok(())
}
