//! Open sign-up (`--signup open`): `POST /auth/signup` mails an e-mail verification link
//! (`/console/#/signup/<token>`: the token stays in the fragment, so it never reaches a server log), `POST
//! /auth/signup/link` tells the page which address a link is for, and `POST /auth/signup/finish` gives the
//! account its name and first password and signs it in.
//!
//! Asking tells nothing about the address: the answer is the same `{}` for every one, after the same work (one
//! lookup); what happens next happens after the answer. An address without an account gets one (no password, no
//! organization: as an invitation makes) and a link; an account without a password (invited, or made by the
//! operator for the API) gets a link; an account with a password gets a message saying so, with the sign-in and
//! reset pages — never a second account, and never a hint in the answer.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::reset::live_link;
use super::signin::open_session;
use super::{private, Visit};
use crate::api::body::{AppJson, Required};
use crate::app::AppState;
use crate::config::Signup;
use crate::domain::{email::Email, names::Name};
use crate::error::ApiError;
use crate::identity::{password, session, steps};
use crate::mail::account;
use crate::rate::public::{self, Surface};
use crate::store::models::{NewUser, User};
use crate::store::resets::{self, Purpose, VALID_MS};

/// Refuses when the server does not offer open sign-up.
fn open_only(state: &AppState) -> Result<(), ApiError> {
    if state.config.signup == Signup::Open {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "This server does not offer sign-up: ask an organization for an invitation, or the operator for an account."
            .into(),
    ))
}

/// `GET /auth/signup`: whether the sign-in page offers "Create account".
pub async fn offered(State(state): State<AppState>) -> Response {
    private(&serde_json::json!({"open": state.config.signup == Signup::Open}), None)
}

#[derive(Deserialize)]
pub struct AskBody {
    email: Required<String>,
}

/// `POST /auth/signup` `{email}`: the same `{}` for any well-formed address; the mail follows.
pub async fn ask(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<AskBody>,
) -> Result<Response, ApiError> {
    open_only(&state)?;
    let email = Email::parse(&body.email.into_inner()).map_err(|e| ApiError::field("email", e))?;
    public::check(&state, Surface::SignUp, visit.ip, Some(email.as_str()))?;
    let found = state.store.user_with_password(email.as_str()).await?;
    tokio::spawn(answer_by_mail(state.clone(), email, found));
    tracing::info!(ip = ?visit.ip, "open sign-up asked");
    Ok(private(&serde_json::json!({}), None))
}

/// After the answer: a link for a new or password-less account, the "account exists" message for another.
async fn answer_by_mail(state: AppState, email: Email, found: Option<(User, Option<String>)>) {
    let now = state.now();
    let sent = match found {
        Some((user, Some(_))) => account::send_account_exists(&*state.store, &user, now.timestamp_millis()).await,
        Some((user, None)) => send_link(&state, &user).await,
        None => match state.store.ensure_user(NewUser::person(email.as_str(), None, now)).await {
            Ok((user, _)) => send_link(&state, &user).await,
            Err(e) => Err(e),
        },
    };
    match sent {
        Ok(()) => state.mail_wake.notify_one(),
        Err(e) => tracing::warn!(error = %e, "could not queue the answer to a sign-up"),
    }
}

async fn send_link(state: &AppState, user: &User) -> Result<(), crate::store::StoreError> {
    let token = session::new_id();
    let now_ms = state.now().timestamp_millis();
    let expires_ms = now_ms + VALID_MS;
    let message = resets::message(Purpose::Signup, user, &token, expires_ms);
    state.store.start_link(Purpose::Signup, &session::digest(&token), expires_ms, message, now_ms).await
}

fn gone() -> ApiError {
    ApiError::NotFound(
        "This sign-up link is no longer valid: it was used, it expired (links work for an hour), or a newer one \
         replaced it. Ask for a new one."
            .into(),
    )
}

#[derive(Deserialize)]
pub struct LinkBody {
    token: Required<String>,
}

/// `POST /auth/signup/link` `{token}`: the address a link is for (`{email}`), or 404 when it no longer works.
pub async fn link(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<LinkBody>,
) -> Result<Response, ApiError> {
    open_only(&state)?;
    public::check(&state, Surface::SignUp, visit.ip, None)?;
    let (_, user, _) = live_link(&state, Purpose::Signup, &body.token.into_inner(), gone).await?;
    Ok(private(&serde_json::json!({"email": user.email}), None))
}

#[derive(Deserialize)]
pub struct FinishBody {
    token: Required<String>,
    name: Required<String>,
    password: Required<String>,
}

/// `POST /auth/signup/finish` `{token, name, password}`: the account gets its name and password (the policy of
/// `identity::password`), the link is used up and a session opens as after a sign-in with that password.
pub async fn finish(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<FinishBody>,
) -> Result<Response, ApiError> {
    open_only(&state)?;
    public::check(&state, Surface::SignUp, visit.ip, None)?;
    let (digest, user, now_ms) = live_link(&state, Purpose::Signup, &body.token.into_inner(), gone).await?;
    let name = Name::parse("name", body.name.into_inner().trim()).map_err(|e| ApiError::field("name", e))?;
    let new = body.password.into_inner();
    if let Some(problem) = password::policy_problem(&new, &user.email) {
        return Err(ApiError::field("password", problem));
    }
    let hash = password::hash(new).await?;
    let user = state.store.finish_signup(&digest, name.as_str(), &hash, now_ms).await?.ok_or_else(gone)?;
    tracing::info!(user.id = user.id, "account created through open sign-up");
    let stage = steps::after_password(&state, &user).await?;
    let (view, cookie) = open_session(&state, &visit, &user, stage).await?;
    Ok(private(&view, Some(cookie)))
}
