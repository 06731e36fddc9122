//! The signed-in person's own account: their sessions, "sign out everywhere", and a password change that needs
//! the current password and ends every other session.

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::private;
use crate::api::body::{AppJson, Required};
use crate::api::reply::timestamp;
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::error::ApiError;
use crate::identity::password::{self, Verdict};
use crate::identity::{session, steps, Action, SignedIn};
use crate::mail::account::{self, CredentialChange};
use crate::store::sessions::EndSessions;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionRow {
    id: i64,
    created: String,
    last_seen: String,
    user_agent: String,
    current: bool,
}

/// `GET /auth/sessions`: the person's sessions, newest first, the one asking marked `current`.
pub async fn list(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    let rows: Vec<SessionRow> = state
        .store
        .sessions_of(UserId(me.user.id))
        .await?
        .into_iter()
        .filter(|s| !session::expired(&state, s, state.now()))
        .map(|s| SessionRow {
            id: s.id,
            created: timestamp(s.created_at),
            last_seen: timestamp(s.last_seen_at),
            user_agent: s.user_agent,
            current: s.id == me.session.id,
        })
        .collect();
    Ok(private(&serde_json::json!({ "sessions": rows }), None))
}

/// `POST /auth/sign-out-everywhere`: ends every session of the person, this one included.
pub async fn everywhere(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    let ended = state.store.end_sessions_of(UserId(me.user.id), EndSessions::All).await?;
    tracing::info!(user.id = me.user.id, sessions.ended = ended, "signed out everywhere");
    Ok(private(&serde_json::json!({ "ended": ended }), Some(session::clear_cookie(&state))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordBody {
    current_password: Required<String>,
    new_password: Required<String>,
}

/// `POST /auth/password`: a new password, given the current one (counted as a failed sign-in when wrong). Every
/// other session ends; this one continues under a new id.
pub async fn change(
    State(state): State<AppState>,
    me: SignedIn,
    AppJson(body): AppJson<PasswordBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    let (current, new) = (body.current_password.into_inner(), body.new_password.into_inner());
    let email = me.user.email.clone();
    if let Some(retry_after_secs) = state.sign_in_failures.blocked_for(&email, state.now()) {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let stored = state.store.password_hash(UserId(me.user.id)).await?;
    if let Verdict::Wrong = password::verify(current, stored).await? {
        tokio::time::sleep(state.sign_in_failures.fail(&email, state.now())).await;
        return Err(ApiError::field("currentPassword", "The current password is wrong."));
    }
    if let Some(problem) = password::policy_problem(&new, &email) {
        return Err(ApiError::field("newPassword", problem));
    }
    let hash = password::hash(new).await?;
    let ended = state.store.set_password(UserId(me.user.id), &hash, EndSessions::AllBut(me.session.id)).await?;
    let id = session::new_id();
    state.store.advance_session(me.session.id, &session::digest(&id), me.stage.as_str(), true, state.now()).await?;
    tracing::info!(user.id = me.user.id, sessions.ended = ended, "password changed");
    account::notify(&*state.store, &me.user, CredentialChange::Password, state.now()).await;
    state.mail_wake.notify_one();
    Ok(private(&serde_json::json!({ "endedSessions": ended }), Some(session::set_cookie(&state, &id))))
}
