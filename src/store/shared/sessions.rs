//! Console sessions and account passwords.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::users::USER_COLS;
use super::{BackendStore, Conn};
use crate::domain::ids::UserId;
use crate::store::backend::Backend;
use crate::store::models::User;
use crate::store::sessions::{EndSessions, NewSession, Session, SessionStore};
use crate::store::{StoreError, StoreResult};

const COLS: &str = "id, user_id, stage, created_at, last_seen_at, authenticated_at, user_agent";

#[async_trait]
impl SessionStore for BackendStore {
    async fn user_with_password(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            password_hash: Option<String>,
        }
        let row: Option<Row> =
            sqlx::query_as(&format!("select {USER_COLS}, password_hash from users where lower(email) = lower($1)"))
                .bind(email.trim())
                .fetch_optional(&mut *self.reader().await?)
                .await?;
        Ok(row.map(|r| (r.user, r.password_hash)))
    }

    async fn password_hash(&self, user_id: UserId) -> StoreResult<Option<String>> {
        let hash: Option<Option<String>> = sqlx::query_scalar("select password_hash from users where id = $1")
            .bind(user_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(hash.flatten())
    }

    async fn set_password(&self, user_id: UserId, hash: &str, end: EndSessions) -> StoreResult<u64> {
        let hash = hash.to_owned();
        self.write(None, move |conn| {
            Box::pin(async move {
                let done = sqlx::query("update users set password_hash = $1 where id = $2")
                    .bind(hash)
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("User not found.".into()));
                }
                end_of_user(conn, user_id, end).await
            })
        })
        .await
    }

    async fn rehash_password(&self, user_id: UserId, hash: &str) -> StoreResult<()> {
        let hash = hash.to_owned();
        self.write(None, move |conn| {
            Box::pin(async move {
                sqlx::query("update users set password_hash = $1 where id = $2")
                    .bind(hash)
                    .bind(user_id)
                    .execute(conn)
                    .await?;
                Ok::<_, StoreError>(())
            })
        })
        .await
    }

    async fn create_session(&self, s: NewSession) -> StoreResult<Session> {
        self.write(None, move |conn| {
            Box::pin(async move {
                let row: Session = sqlx::query_as(&format!(
                    "insert into sessions (digest, user_id, stage, created_at, last_seen_at, authenticated_at,
                         user_agent)
                     values ($1, $2, $3, $4, $4, $4, $5) returning {COLS}"
                ))
                .bind(s.digest)
                .bind(s.user_id)
                .bind(s.stage)
                .bind(s.now)
                .bind(s.user_agent)
                .fetch_one(conn)
                .await?;
                Ok::<_, StoreError>(row)
            })
        })
        .await
    }

    async fn session_by_digest(&self, digest: &str) -> StoreResult<Option<Session>> {
        Ok(sqlx::query_as(&format!("select {COLS} from sessions where digest = $1"))
            .bind(digest)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    async fn session_by_id(&self, id: i64) -> StoreResult<Option<Session>> {
        Ok(sqlx::query_as(&format!("select {COLS} from sessions where id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    async fn touch_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        self.write(None, move |conn| {
            Box::pin(async move {
                sqlx::query("update sessions set last_seen_at = $1 where id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(conn)
                    .await?;
                Ok::<_, StoreError>(())
            })
        })
        .await
    }

    async fn advance_session(
        &self,
        id: i64,
        digest: &str,
        stage: &str,
        authenticated: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (digest, stage) = (digest.to_owned(), stage.to_owned());
        self.write(None, move |conn| {
            Box::pin(async move {
                let done = sqlx::query(
                    "update sessions set digest = $1, stage = $2, last_seen_at = $3,
                         authenticated_at = case when $4 then $3 else authenticated_at end
                     where id = $5",
                )
                .bind(digest)
                .bind(stage)
                .bind(now)
                .bind(authenticated)
                .bind(id)
                .execute(conn)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn end_session(&self, id: i64) -> StoreResult<()> {
        self.write(None, move |conn| Box::pin(end_one(conn, id))).await
    }

    async fn end_sessions_of(&self, user_id: UserId, end: EndSessions) -> StoreResult<u64> {
        self.write(None, move |conn| Box::pin(end_of_user(conn, user_id, end))).await
    }

    async fn sessions_of(&self, user_id: UserId) -> StoreResult<Vec<Session>> {
        Ok(sqlx::query_as(&format!("select {COLS} from sessions where user_id = $1 order by created_at desc, id desc"))
            .bind(user_id)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    async fn claim_account(&self, user_id: UserId, name: &str, hash: &str) -> StoreResult<bool> {
        let (name, hash) = (name.to_owned(), hash.to_owned());
        self.write(None, move |conn| {
            Box::pin(async move {
                let done = sqlx::query(
                    "update users set name = $1, password_hash = $2 where id = $3 and password_hash is null",
                )
                .bind(name)
                .bind(hash)
                .bind(user_id)
                .execute(conn)
                .await?;
                Ok::<_, StoreError>(done.rows_affected() == 1)
            })
        })
        .await
    }

    async fn inviter_name(&self, invitation_id: i64) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("select u.name from invitations i join users u on u.id = i.invited_by where i.id = $1")
            .bind(invitation_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    async fn issue_session_token(
        &self,
        session_id: i64,
        user_id: UserId,
        digest: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let (digest, scopes) = (digest.to_owned(), scopes.to_vec());
        self.write(None, move |conn| {
            Box::pin(async move {
                // Inserted only while the session exists, so a token never outlives the session that minted it.
                let id: Option<i64> = sqlx::query_scalar(
                    "insert into tokens (user_id, digest, scopes, created_at, session_id)
                     select $1, $2, $3, $4, id from sessions where id = $5 and user_id = $1 returning id",
                )
                .bind(user_id)
                .bind(digest)
                .bind(Json(scopes))
                .bind(now)
                .bind(session_id)
                .fetch_optional(conn)
                .await?;
                id.ok_or_else(|| StoreError::NotFound("Session not found.".into()))
            })
        })
        .await
    }
}

/// Deletes one session and the tokens it minted (explicitly, not only by the cascade, so that the statement on
/// `tokens` is what tells other PostgreSQL nodes to drop their cached copies).
async fn end_one(conn: &mut Conn, id: i64) -> StoreResult<()> {
    sqlx::query("delete from tokens where session_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("delete from sessions where id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Ends the sessions `end` names of a user; how many ended.
pub(super) async fn end_of_user(conn: &mut Conn, user_id: UserId, end: EndSessions) -> StoreResult<u64> {
    let keep = match end {
        EndSessions::All => -1,
        EndSessions::AllBut(id) => id,
    };
    sqlx::query("delete from tokens where session_id in (select id from sessions where user_id = $1 and id <> $2)")
        .bind(user_id)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("delete from sessions where user_id = $1 and id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
