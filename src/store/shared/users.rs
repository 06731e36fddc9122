// Users and API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::Backend;
use crate::store::models::{NewUser, User};
use crate::store::{StoreResult, UserStore};

pub(super) const USER_COLS: &str =
    "id, email, name, language, timezone_id, country_id, is_admin, tfa_enabled, created_at";

/// The user columns qualified by a table alias, for joins.
pub(super) fn user_cols_of(alias: &str) -> String {
    USER_COLS.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

#[async_trait]
impl UserStore for Backend {
    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("select count(*) from users").fetch_one(&mut *self.reader().await?).await?)
    }

    async fn ensure_user(&self, u: NewUser) -> StoreResult<(User, bool)> {
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
        .fetch_optional(&self.write)
        .await?;
        if let Some(user) = created {
            return Ok((user, true));
        }
        let user: User = sqlx::query_as(&format!("select {USER_COLS} from users where email = $1"))
            .bind(&u.email)
            .fetch_one(&self.write)
            .await?;
        Ok((user, false))
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let row: Option<User> = sqlx::query_as(&format!("select {USER_COLS} from users where id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row)
    }

    async fn issue_token(&self, user_id: i64, digest: &str, scopes: &[String], now: DateTime<Utc>) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "insert into tokens (user_id, digest, scopes, created_at) values ($1, $2, $3, $4) returning id",
        )
        .bind(user_id)
        .bind(digest)
        .bind(Json(scopes))
        .bind(now)
        .fetch_one(&self.write)
        .await?)
    }

    async fn revoke_token(&self, digest: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query("update tokens set revoked_at = $1 where digest = $2 and revoked_at is null")
            .bind(now)
            .bind(digest)
            .execute(&self.write)
            .await?;
        self.changed();
        Ok(done.rows_affected() == 1)
    }
}
