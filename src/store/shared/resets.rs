//! E-mailed account links: password resets and sign-up verification.

use async_trait::async_trait;

use super::outbox::enqueue;
use super::sessions::end_of_user;
use super::users::USER_COLS;
use super::{BackendStore, Conn};
use crate::domain::ids::UserId;
use crate::store::backend::Backend;
use crate::store::models::User;
use crate::store::outbox::NewMessage;
use crate::store::resets::{Purpose, ResetStore};
use crate::store::sessions::EndSessions;
use crate::store::{StoreError, StoreResult};

#[async_trait]
impl ResetStore for BackendStore {
    async fn start_link(
        &self,
        purpose: Purpose,
        digest: &str,
        expires_ms: i64,
        message: NewMessage,
        now_ms: i64,
    ) -> StoreResult<()> {
        let digest = digest.to_owned();
        // A link and its message: rows that neither the read model nor the token cache reads.
        self.write_aside(move |conn| {
            Box::pin(async move {
                let user_id = message.user_id;
                sqlx::query("delete from password_resets where user_id = $1 and purpose = $2 and used_ms is null")
                    .bind(user_id)
                    .bind(purpose.as_str())
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "insert into password_resets (digest, user_id, created_ms, expires_ms, purpose)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(digest)
                .bind(user_id)
                .bind(now_ms)
                .bind(expires_ms)
                .bind(purpose.as_str())
                .execute(&mut *conn)
                .await?;
                enqueue(conn, message, now_ms).await
            })
        })
        .await
    }

    async fn link_user(&self, purpose: Purpose, digest: &str, now_ms: i64) -> StoreResult<Option<User>> {
        let sql = format!(
            "select {USER_COLS} from users where id = (select user_id from password_resets
                 where digest = $1 and purpose = $2 and used_ms is null and expires_ms > $3)"
        );
        Ok(sqlx::query_as(&sql)
            .bind(digest)
            .bind(purpose.as_str())
            .bind(now_ms)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    async fn finish_reset(&self, digest: &str, hash: &str, now_ms: i64) -> StoreResult<Option<(UserId, u64)>> {
        let (digest, hash) = (digest.to_owned(), hash.to_owned());
        self.write(None, move |conn| {
            Box::pin(async move {
                let Some(user) = use_link(conn, Purpose::Reset, &digest, now_ms).await? else {
                    return Ok::<_, StoreError>(None);
                };
                sqlx::query("update users set password_hash = $1 where id = $2")
                    .bind(hash)
                    .bind(user)
                    .execute(&mut *conn)
                    .await?;
                let ended = end_of_user(conn, user, EndSessions::All).await?;
                Ok(Some((user, ended)))
            })
        })
        .await
    }

    async fn finish_signup(&self, digest: &str, name: &str, hash: &str, now_ms: i64) -> StoreResult<Option<User>> {
        let (digest, name, hash) = (digest.to_owned(), name.to_owned(), hash.to_owned());
        self.write(None, move |conn| {
            Box::pin(async move {
                let Some(user) = use_link(conn, Purpose::Signup, &digest, now_ms).await? else {
                    return Ok::<_, StoreError>(None);
                };
                let claimed: Option<User> = sqlx::query_as(&format!(
                    "update users set name = $1, password_hash = $2 where id = $3 and password_hash is null
                     returning {USER_COLS}"
                ))
                .bind(name)
                .bind(hash)
                .bind(user)
                .fetch_optional(&mut *conn)
                .await?;
                Ok(claimed)
            })
        })
        .await
    }
}

/// Marks an unused, unexpired link of `purpose` used; its person. The one statement that decides the race
/// between two uses of the same link.
async fn use_link(conn: &mut Conn, purpose: Purpose, digest: &str, now_ms: i64) -> StoreResult<Option<UserId>> {
    let user: Option<i64> = sqlx::query_scalar(
        "update password_resets set used_ms = $1
         where digest = $2 and purpose = $3 and used_ms is null and expires_ms > $1 returning user_id",
    )
    .bind(now_ms)
    .bind(digest)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(user.map(UserId))
}
