//! `POST /auth/reauthenticate`: the signed-in person proves their password again (ASVS 3.7.1 / 7.5.1), for the
//! actions that ask for a recent one, today the creation of an API token by a console session
//! (`domain::api_tokens::REAUTH_MINUTES`). The session gets a new id (ASVS 3.2.1 / 7.2.4: a new id on every
//! re-authentication) and `authenticated_at` is stamped; the tokens it minted stay valid (they name the session
//! by its row, not by its id).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{private, SessionView, Visit};
use crate::api::body::{AppJson, Required};
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::error::ApiError;
use crate::identity::password::{self, Verdict};
use crate::identity::{session, steps, Action, SignedIn};
use crate::rate::public::{self, Surface};

#[derive(Deserialize)]
pub struct ReauthBody {
    password: Required<String>,
}

/// Proves the password again. A wrong one is 403 (the session itself is still good, so not 401, which the
/// console reads as signed out) and counts against the sign-in limits of the account and the address.
pub async fn reauthenticate(
    State(state): State<AppState>,
    visit: Visit,
    me: SignedIn,
    AppJson(body): AppJson<ReauthBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    public::check(&state, Surface::SignIn, visit.ip, Some(&me.user.email))?;
    let stored = state.store.password_hash(UserId(me.user.id)).await?;
    match password::verify(body.password.into_inner(), stored).await? {
        Verdict::Right { rehashed } => {
            if let Some(h) = rehashed {
                state.store.rehash_password(UserId(me.user.id), &h).await?;
            }
        }
        Verdict::Wrong => {
            tracing::warn!(user.id = me.user.id, ip = ?visit.ip, "re-authentication failed");
            return Err(ApiError::Forbidden("The password is wrong.".into()));
        }
    }
    let id = session::new_id();
    let now = state.now();
    if !state.store.advance_session(me.session.id, &session::digest(&id), me.stage.as_str(), true, now).await? {
        return Err(ApiError::Unauthorized("Your session ended; sign in again.".into()));
    }
    tracing::info!(user.id = me.user.id, "re-authenticated");
    let view = SessionView::of(&me.user, me.stage, me.session.created_at);
    Ok(private(&view, Some(session::set_cookie(&state, &id))))
}
