//! A person's own API tokens (`/users/me/api-tokens`). Revoking sets `revoked_at`, as `orgd tokens revoke` does, so
//! the same invalidation applies: on SQLite the next request reads the row, on PostgreSQL the write forgets this
//! node's cache and the `tokens` trigger notifies every other node (`postgres/cache.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::dialect::FOR_UPDATE;
use super::{BackendStore, Conn};
use crate::domain::api_tokens::{self, MAX_LIVE_TOKENS};
use crate::domain::ids::UserId;
use crate::store::backend::Backend;
use crate::store::models::{ApiToken, NewApiToken};
use crate::store::{ApiTokenStore, StoreError, StoreResult};

const COLS: &str = "id, hint, label, scopes, created_at";

#[async_trait]
impl ApiTokenStore for BackendStore {
    async fn api_tokens(&self, user_id: UserId) -> StoreResult<Vec<ApiToken>> {
        live(&mut *self.reader().await?, user_id).await
    }

    async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiToken> {
        self.write(None, move |conn| Box::pin(create(conn, token))).await
    }

    async fn revoke_api_token(
        &self,
        user_id: UserId,
        created: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiToken> {
        self.write(None, move |conn| Box::pin(revoke(conn, user_id, created, now))).await
    }
}

/// The user's live tokens, oldest first. Tokens a console session minted (`session_id`) are the session's, not
/// the person's: they are neither listed nor counted, and they end with their session.
async fn live(conn: &mut Conn, user_id: UserId) -> StoreResult<Vec<ApiToken>> {
    let rows = sqlx::query_as(&format!(
        "select {COLS} from tokens where user_id = $1 and revoked_at is null and session_id is null
             order by created_at, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

async fn create(conn: &mut Conn, t: NewApiToken) -> StoreResult<ApiToken> {
    // Locks the user's row on PostgreSQL, so that two creations at once cannot both pass the limit or pick the
    // same time (SQLite's single writer already serialises them).
    sqlx::query(&format!("select id from users where id = $1{FOR_UPDATE}")).bind(t.user_id).execute(&mut *conn).await?;
    let live = live(&mut *conn, t.user_id).await?;
    if live.len() as i64 >= MAX_LIVE_TOKENS {
        return Err(StoreError::LimitExceeded(format!("A user may hold at most {MAX_LIVE_TOKENS} API tokens.")));
    }
    let taken: Vec<DateTime<Utc>> = sqlx::query_scalar("select created_at from tokens where user_id = $1")
        .bind(t.user_id)
        .fetch_all(&mut *conn)
        .await?;
    let created_at = api_tokens::creation_time(t.now, &taken);
    let row = sqlx::query_as(&format!(
        "insert into tokens (user_id, digest, scopes, created_at, label, hint) values ($1, $2, $3, $4, $5, $6)
             returning {COLS}"
    ))
    .bind(t.user_id)
    .bind(t.digest)
    .bind(Json(t.scopes))
    .bind(created_at)
    .bind(t.label)
    .bind(t.hint)
    .fetch_one(conn)
    .await?;
    Ok(row)
}

async fn revoke(conn: &mut Conn, user_id: UserId, created: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<ApiToken> {
    let live = live(&mut *conn, user_id).await?;
    let Some(token) = live.into_iter().find(|t| api_tokens::names(created, t.created_at)) else {
        return Err(StoreError::NotFound("No API token of yours was created at that time.".into()));
    };
    sqlx::query("update tokens set revoked_at = $1 where id = $2").bind(now).bind(token.id).execute(conn).await?;
    Ok(token)
}
