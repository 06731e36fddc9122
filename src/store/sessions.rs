//! Console sessions and account passwords (rows and store trait). What the columns mean: the migration
//! `20261206000020_people.sql`; the rules around them (timeouts, stages, cookies): `crate::identity`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::models::User;
use super::StoreResult;
use crate::domain::ids::UserId;

/// A stored session. The cookie's id is never stored, only its digest.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    /// `password`, `enrol` or `full` (`crate::identity::Stage`).
    pub stage: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When the person last proved a credential in this session.
    pub authenticated_at: DateTime<Utc>,
    pub user_agent: String,
}

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: UserId,
    pub digest: String,
    pub stage: String,
    pub user_agent: String,
    pub now: DateTime<Utc>,
}

/// Which of a person's sessions a credential change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSessions {
    All,
    AllBut(i64),
}

#[async_trait]
pub trait SessionStore {
    /// The user with that e-mail (compared without case) and their password hash, if one is set.
    async fn user_with_password(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>>;
    /// A user's password hash, if one is set.
    async fn password_hash(&self, user_id: UserId) -> StoreResult<Option<String>>;
    /// Stores a new password hash and, in the same transaction, ends the sessions `end` names (with their
    /// tokens). Returns how many sessions ended.
    async fn set_password(&self, user_id: UserId, hash: &str, end: EndSessions) -> StoreResult<u64>;
    /// Replaces a hash made with old parameters (same password); nothing else changes.
    async fn rehash_password(&self, user_id: UserId, hash: &str) -> StoreResult<()>;
    async fn create_session(&self, s: NewSession) -> StoreResult<Session>;
    async fn session_by_digest(&self, digest: &str) -> StoreResult<Option<Session>>;
    async fn session_by_id(&self, id: i64) -> StoreResult<Option<Session>>;
    /// Records activity (the idle timeout counts from it).
    async fn touch_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// Gives the session a new id (digest) and stage; `authenticated` also stamps `authenticated_at`. False when
    /// the session no longer exists.
    async fn advance_session(
        &self,
        id: i64,
        digest: &str,
        stage: &str,
        authenticated: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Ends one session and revokes the tokens it minted.
    async fn end_session(&self, id: i64) -> StoreResult<()>;
    /// Ends the sessions `end` names of the user (with their tokens); how many ended.
    async fn end_sessions_of(&self, user_id: UserId, end: EndSessions) -> StoreResult<u64>;
    /// A user's sessions, newest first.
    async fn sessions_of(&self, user_id: UserId) -> StoreResult<Vec<Session>>;
    /// Gives an account created by an invitation its name and first password; false when it already has a
    /// password (someone claimed it first, or it was never the invitation's new account).
    async fn claim_account(&self, user_id: UserId, name: &str, hash: &str) -> StoreResult<bool>;
    /// The name of whoever sent an invitation (none when their account is gone).
    async fn inviter_name(&self, invitation_id: i64) -> StoreResult<Option<String>>;
    /// Stores a token minted by a session (by its digest), living no longer than the session.
    async fn issue_session_token(
        &self,
        session_id: i64,
        user_id: UserId,
        digest: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
}
