//! PostgreSQL: users and API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::PgStore;
use crate::store::models::{NewUser, TokenAuth, User};
use crate::store::{StoreResult, UserStore};

#[derive(FromRow)]
pub(super) struct UserRow {
    id: i64,
    email: String,
    name: String,
    language: String,
    timezone_id: i64,
    country_id: i64,
    is_admin: bool,
    tfa_enabled: bool,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            name: r.name,
            language: r.language,
            timezone_id: r.timezone_id,
            country_id: r.country_id,
            is_admin: r.is_admin,
            tfa_enabled: r.tfa_enabled,
            created_at: r.created_at,
        }
    }
}

pub(super) const USER_COLS: &str =
    "id, email, name, language, timezone_id, country_id, is_admin, tfa_enabled, created_at";

/// The user columns qualified by a table alias, for joins.
pub(super) fn user_cols_of(alias: &str) -> String {
    USER_COLS.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

#[async_trait]
impl UserStore for PgStore {
    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("select count(*) from users").fetch_one(&self.read).await?)
    }

    async fn ensure_user(&self, u: NewUser) -> StoreResult<(User, bool)> {
        let created: Option<UserRow> = sqlx::query_as(&format!(
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
        if let Some(row) = created {
            return Ok((row.into(), true));
        }
        let row: UserRow = sqlx::query_as(&format!("select {USER_COLS} from users where email = $1"))
            .bind(&u.email)
            .fetch_one(&self.read)
            .await?;
        Ok((row.into(), false))
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(&format!("select {USER_COLS} from users where id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(Into::into))
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
        self.cache.forget();
        Ok(done.rows_affected() == 1)
    }

    async fn authenticate(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        let ticket = match self.cache.token(digest) {
            Ok(hit) => return Ok(Some(hit)),
            Err(ticket) => ticket,
        };
        let found = self.read_token(digest).await?;
        if let Some(auth) = &found {
            self.cache.keep_token(ticket, digest, auth);
        }
        Ok(found)
    }
}

impl PgStore {
    async fn read_token(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        #[derive(FromRow)]
        struct Row {
            token_id: i64,
            scopes: Json<Vec<String>>,
            #[sqlx(flatten)]
            user: UserRow,
        }
        let row: Option<Row> = sqlx::query_as(&format!(
            "select t.id as token_id, t.scopes, {} from tokens t join users u on u.id = t.user_id
             where t.digest = $1 and t.revoked_at is null",
            user_cols_of("u")
        ))
        .bind(digest)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| TokenAuth { token_id: r.token_id, user: r.user.into(), scopes: r.scopes.0 }))
    }
}
