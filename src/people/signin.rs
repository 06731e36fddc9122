//! Sign-in, sign-out, the session's state and the console's token.

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{private, SessionView, Visit};
use crate::api::body::{AppJson, Required};
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::domain::scopes;
use crate::error::ApiError;
use crate::identity::password::{self, Verdict};
use crate::identity::{session, steps, Action, SignedIn};
use crate::rate::public::{self, Surface};
use crate::store::models::User;
use crate::store::sessions::NewSession;

#[derive(Deserialize)]
pub struct SignInBody {
    email: Required<String>,
    password: Required<String>,
}

/// The one answer for a wrong password, an unknown e-mail and an account without a password.
fn refused() -> ApiError {
    ApiError::Unauthorized("The e-mail address or the password is wrong.".into())
}

/// `POST /auth/sign-in`: checks the password (an unknown e-mail costs the same hash and gets the same answer)
/// and opens a session with a new id at the stage `steps::after_password` decides.
pub async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<SignInBody>,
) -> Result<Response, ApiError> {
    let (email, pw) = (body.email.into_inner(), body.password.into_inner());
    public::check(&state, Surface::SignIn, visit.ip, Some(&email))?;
    let throttled = state.config.rate_limit_on();
    if let Some(retry_after_secs) = state.sign_in_failures.blocked_for(&email, state.now()).filter(|_| throttled) {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let found = state.store.user_with_password(&email).await?;
    let (user, stored) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let verdict = password::verify(pw, stored).await?;
    let (user, rehashed) = match (user, verdict) {
        (Some(u), Verdict::Right { rehashed }) => (u, rehashed),
        _ => {
            tracing::warn!(email = %email, ip = ?visit.ip, "sign-in failed");
            let wait = state.sign_in_failures.fail(&email, state.now());
            if throttled {
                tokio::time::sleep(wait).await;
            }
            return Err(refused());
        }
    };
    state.sign_in_failures.succeed(&email);
    if let Some(h) = rehashed {
        state.store.rehash_password(UserId(user.id), &h).await?;
    }
    let stage = steps::after_password(&state, &user).await?;
    let (view, cookie) = open_session(&state, &visit, &user, stage).await?;
    tracing::info!(user.id = user.id, ip = ?visit.ip, stage = stage.as_str(), "signed in");
    Ok(private(&view, Some(cookie)))
}

/// Ends the session the browser still held (a new id at every sign-in) and opens one for `user` at `stage`.
pub(crate) async fn open_session(
    state: &AppState,
    visit: &Visit,
    user: &User,
    stage: steps::Stage,
) -> Result<(SessionView, axum::http::HeaderValue), ApiError> {
    if let Some(old) = visit.session_id.as_deref() {
        if let Some(s) = state.store.session_by_digest(&session::digest(old)).await? {
            state.store.end_session(s.id).await?;
        }
    }
    let id = session::new_id();
    let now = state.now();
    let new = NewSession {
        user_id: UserId(user.id),
        digest: session::digest(&id),
        stage: stage.as_str().into(),
        user_agent: visit.user_agent.clone(),
        now,
    };
    let s = state.store.create_session(new).await?;
    Ok((SessionView::of(user, stage, s.created_at), session::set_cookie(state, &id)))
}

/// `POST /auth/sign-out`: ends the session on the server (its tokens with it) and clears the cookie. Without a
/// live session it still clears the cookie.
pub async fn sign_out(State(state): State<AppState>, visit: Visit) -> Result<Response, ApiError> {
    if let Some(id) = visit.session_id.as_deref() {
        if let Some(s) = state.store.session_by_digest(&session::digest(id)).await? {
            state.store.end_session(s.id).await?;
            tracing::info!(user.id = s.user_id, "signed out");
        }
    }
    Ok(private(&serde_json::json!({}), Some(session::clear_cookie(&state))))
}

/// `GET /auth/session`: who is signed in and what comes next, or `{"signedIn": false}` (a 200: the console asks
/// on every load, and being signed out is not an error).
pub async fn current(State(state): State<AppState>, visit: Visit) -> Result<Response, ApiError> {
    let me = match visit.session_id.as_deref() {
        Some(id) => match SignedIn::by_id(&state, id).await {
            Ok(me) => Some(me),
            Err(ApiError::Unauthorized(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let Some(me) = me else {
        return Ok(private(&serde_json::json!({"signedIn": false}), None));
    };
    steps::require(me.stage, Action::SeeSelfAndSignOut)?;
    Ok(private(&SessionView::of(&me.user, me.stage, me.session.created_at), None))
}

#[derive(Serialize)]
struct Minted {
    token: String,
    scope: Vec<String>,
}

/// `POST /auth/token`: an API token for the console's calls to `/api/v2`, living no longer than the session
/// (ended with it, refused once it times out). It holds the scopes `orgd users add` gives (and the
/// administrator's for an instance administrator); what it may do in an organization is the person's role's.
pub async fn mint_token(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    let granted = if me.user.is_admin { scopes::ADMIN } else { scopes::DEFAULT_USER };
    let scope: Vec<String> = granted.iter().map(|s| s.to_string()).collect();
    let token = crate::auth::new_token();
    let digest = crate::auth::digest(&token);
    state.store.issue_session_token(me.session.id, UserId(me.user.id), &digest, &scope, state.now()).await?;
    Ok(private(&Minted { token: token.to_string(), scope }, None))
}
