//! Password reset by e-mail: `POST /auth/reset` mails a link (`/console/#/reset/<token>`: the token stays in the
//! fragment, so it never reaches a server log) and `POST /auth/reset/password` sets a new password with it.
//!
//! Asking tells nothing about the e-mail address: the answer is the same `{}` for every address, and its time
//! is the same too, because the only work done before answering — looking the address up — is done for every
//! one; creating the link and queueing the message happen after the answer, for a known address only. Only an
//! account that has a password gets a link (a reset restores a password; it does not give the first one: an
//! invited account chooses it on the join page, an API-only one gets it from `orgd users password`).
//!
//! Using a link opens no session: the person signs in afterwards like anyone else, through
//! `identity::steps::after_password`, so a reset never skips two-factor authentication.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{private, Visit};
use crate::api::body::{AppJson, Required};
use crate::app::AppState;
use crate::error::ApiError;
use crate::identity::{password, session};
use crate::mail::account::{self, CredentialChange};
use crate::rate::public::{self, Surface};
use crate::store::models::User;
use crate::store::resets::{self, Purpose, VALID_MS};

#[derive(Deserialize)]
pub struct AskBody {
    email: Required<String>,
}

/// `POST /auth/reset`: the same `{}` for any address; a link by mail for an account with a password.
pub async fn ask(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<AskBody>,
) -> Result<Response, ApiError> {
    let email = body.email.into_inner();
    public::check(&state, Surface::PasswordReset, visit.ip, Some(&email))?;
    if let Some((user, Some(_))) = state.store.user_with_password(&email).await? {
        tokio::spawn(send_link(state.clone(), user));
    } else {
        tracing::info!(ip = ?visit.ip, "password reset asked for an address without an account or password");
    }
    Ok(private(&serde_json::json!({}), None))
}

/// Stores a new link for `user` and queues its message; failures are logged (the answer has gone already).
async fn send_link(state: AppState, user: User) {
    let token = session::new_id();
    let now_ms = state.now().timestamp_millis();
    let expires_ms = now_ms + VALID_MS;
    let message = resets::message(Purpose::Reset, &user, &token, expires_ms);
    match state.store.start_link(Purpose::Reset, &session::digest(&token), expires_ms, message, now_ms).await {
        Ok(()) => {
            tracing::info!(user.id = user.id, "password reset link queued");
            state.mail_wake.notify_one();
        }
        Err(e) => tracing::warn!(user.id = user.id, error = %e, "could not queue a password reset link"),
    }
}

#[derive(Deserialize)]
pub struct UseBody {
    token: Required<String>,
    password: Required<String>,
}

fn gone() -> ApiError {
    ApiError::NotFound(
        "This password reset link is no longer valid: it was used, it expired (links work for an hour), or a \
         newer one replaced it. Ask for a new one."
            .into(),
    )
}

/// `POST /auth/reset/password`: the link's token and a new password (the policy of `identity::password`). The
/// link is then used up and every session of the person ends; the browser signs in afresh.
pub async fn use_link(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<UseBody>,
) -> Result<Response, ApiError> {
    public::check(&state, Surface::PasswordReset, visit.ip, None)?;
    let (token, new) = (body.token.into_inner(), body.password.into_inner());
    let (digest, user, now_ms) = live_link(&state, Purpose::Reset, &token, gone).await?;
    if let Some(problem) = password::policy_problem(&new, &user.email) {
        return Err(ApiError::field("password", problem));
    }
    let hash = password::hash(new).await?;
    let (user_id, ended) = state.store.finish_reset(&digest, &hash, now_ms).await?.ok_or_else(gone)?;
    tracing::info!(user.id = user_id.0, sessions.ended = ended, "password reset through an e-mailed link");
    account::notify(&*state.store, &user, CredentialChange::PasswordReset, state.now()).await;
    state.mail_wake.notify_one();
    Ok(private(&serde_json::json!({ "endedSessions": ended }), Some(session::clear_cookie(&state))))
}

/// An e-mailed link of `purpose` that still works, from its token as typed: its digest, its person and the time
/// it was looked at (ms); `gone()` for one used, expired, replaced, unknown or not a token at all.
pub(super) async fn live_link(
    state: &AppState,
    purpose: Purpose,
    token: &str,
    gone: fn() -> ApiError,
) -> Result<(String, User, i64), ApiError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(gone());
    }
    let digest = session::digest(token);
    let now_ms = state.now().timestamp_millis();
    let user = state.store.link_user(purpose, &digest, now_ms).await?.ok_or_else(gone)?;
    Ok((digest, user, now_ms))
}
