//! Users and API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::{BackendStore, Conn};
use crate::domain::ids::UserId;
use crate::store::backend::Backend;
use crate::store::models::{NewUser, User};
use crate::store::{StoreError, StoreResult, UserStore};

pub(super) const USER_COLS: &str =
    "id, email, name, language, timezone_id, country_id, is_admin, tfa_enabled, created_at";

/// The user columns qualified by a table alias, for joins.
pub(crate) fn user_cols_of(alias: &str) -> String {
    USER_COLS.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

#[async_trait]
impl UserStore for BackendStore {
    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("select count(*) from users").fetch_one(&mut *self.reader().await?).await?)
    }

    async fn ensure_user(&self, u: NewUser) -> StoreResult<(User, bool)> {
        self.write(None, move |conn| Box::pin(ensure(conn, u))).await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>> {
        let row: Option<User> = sqlx::query_as(&format!("select {USER_COLS} from users where id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row)
    }

    async fn issue_token(
        &self,
        user_id: UserId,
        digest: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let (digest, scopes) = (digest.to_owned(), scopes.to_vec());
        self.write(None, move |conn| {
            Box::pin(async move {
                let id = sqlx::query_scalar(
                    "insert into tokens (user_id, digest, scopes, created_at) values ($1, $2, $3, $4) returning id",
                )
                .bind(user_id)
                .bind(digest)
                .bind(Json(scopes))
                .bind(now)
                .fetch_one(conn)
                .await?;
                Ok::<_, StoreError>(id)
            })
        })
        .await
    }

    async fn revoke_token(&self, digest: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let digest = digest.to_owned();
        self.write(None, move |conn| {
            Box::pin(async move {
                let done = sqlx::query("update tokens set revoked_at = $1 where digest = $2 and revoked_at is null")
                    .bind(now)
                    .bind(digest)
                    .execute(conn)
                    .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }
}

/// The user with that e-mail, created unless it exists; whether it was created.
async fn ensure(conn: &mut Conn, u: NewUser) -> StoreResult<(User, bool)> {
    let created: Option<User> = sqlx::query_as(&format!(
        "insert into users (email, name, timezone_id, country_id, is_admin, tfa_enabled, created_at)
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (email) do nothing returning {USER_COLS}"
    ))
    .bind(&u.email)
    .bind(&u.name)
    .bind(u.timezone_id)
    .bind(u.country_id)
    .bind(u.is_admin)
    .bind(u.tfa_enabled)
    .bind(u.now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(user) = created {
        return Ok((user, true));
    }
    let user: User = sqlx::query_as(&format!("select {USER_COLS} from users where email = $1"))
        .bind(&u.email)
        .fetch_one(&mut *conn)
        .await?;
    Ok((user, false))
}
