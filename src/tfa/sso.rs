//! Single sign-on through the OpenID Provider (`--oidc-issuer`): `GET /auth/oidc/start` sends the browser to the
//! provider; `GET /auth/oidc/callback` brings it back, signs the person in and lands them in the console.
//!
//! The `state` sent to the provider is also kept in a short-lived cookie of this browser (SameSite=Lax, which a
//! top-level navigation back from the provider carries), and the callback needs both to match: a callback begun
//! in another browser (login CSRF) is refused. The nonce and the PKCE verifier wait in the database under the
//! state's digest, taken once. Start is a link (GET), not a form: the console's CSP (`form-action 'self'`) would
//! stop a form's redirect to the provider; all it changes is a pending row nobody else can use.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::pages::{page, unavailable};
use crate::app::AppState;
use crate::config::Signup;
use crate::domain::ids::UserId;
use crate::domain::names::Name;
use crate::factors::oidc::{Identity, OidcError};
use crate::identity::{origin, session, steps, Stage};
use crate::people::signin::open_session;
use crate::people::Visit;
use crate::rate::public::{self, Surface};
use crate::store::models::{NewUser, User};

/// How long a sign-in may take at the provider.
const PENDING_MINUTES: i64 = 10;

fn cookie_name(state: &AppState) -> &'static str {
    if origin::https(state) {
        "__Host-orgd-oidc"
    } else {
        "orgd-oidc"
    }
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if origin::https(state) { "; Secure" } else { "" };
    let c = format!("{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}", cookie_name(state));
    HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static(""))
}

fn cookie_state(headers: &HeaderMap, state: &AppState) -> Option<String> {
    let name = cookie_name(state);
    let pairs = headers.get_all(header::COOKIE).into_iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';'));
    pairs.filter_map(|p| p.trim().split_once('=')).find(|(k, v)| *k == name && !v.is_empty()).map(|(_, v)| v.into())
}

fn not_set_up() -> Response {
    page(StatusCode::NOT_FOUND, "Single sign-on is not set up", "This orgd signs people in with e-mail and password.")
}

/// `GET /auth/oidc`: whether single sign-on is set up and its button's text, for the console's sign-in page
/// (`{"enabled": false}` without `--oidc-issuer`). Public: the sign-in page asks before anyone is signed in.
pub async fn offered(State(state): State<AppState>) -> Response {
    let body = match state.oidc.as_deref() {
        Some(oidc) => serde_json::json!({"enabled": true, "label": oidc.settings.label, "start": "/auth/oidc/start"}),
        None => serde_json::json!({"enabled": false}),
    };
    crate::people::private(&body, None)
}

/// `GET /auth/oidc/start`: to the provider, with a fresh state, nonce and PKCE challenge.
pub async fn start(State(state): State<AppState>) -> Response {
    let Some(oidc) = state.oidc.clone() else { return not_set_up() };
    let begin = match oidc.begin().await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("single sign-on could not start: {e}");
            return unavailable(&oidc.settings.label);
        }
    };
    let digest = session::digest(&begin.state);
    if let Err(e) = state.store.begin_oidc(&digest, &begin.nonce, &begin.verifier, state.now()).await {
        return crate::error::ApiError::from(e).into_response();
    }
    let headers = [
        (header::LOCATION, HeaderValue::from_str(begin.url.as_str()).unwrap_or(HeaderValue::from_static("/console"))),
        (header::SET_COOKIE, cookie(&state, &begin.state, PENDING_MINUTES * 60)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (StatusCode::SEE_OTHER, headers).into_response()
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

/// `GET /auth/oidc/callback`: checks the answer, finds (or links) the person, opens a session and goes to the
/// console; a page saying what went wrong otherwise.
pub async fn callback(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Response {
    finish(&state, &visit, &headers, q).await.unwrap_or_else(|page| page)
}

async fn finish(state: &AppState, visit: &Visit, headers: &HeaderMap, q: Callback) -> Result<Response, Response> {
    public::check(state, Surface::OidcCallback, visit.ip, None).map_err(IntoResponse::into_response)?;
    let oidc = state.oidc.clone().ok_or_else(not_set_up)?;
    let stale = || {
        let m = "This sign-in was not started in this browser, or it took too long. Start it again.";
        page(StatusCode::BAD_REQUEST, "Sign-in expired", m)
    };
    let started = cookie_state(headers, state);
    let sent = q.state.as_deref().filter(|s| started.as_deref() == Some(*s)).ok_or_else(stale)?;
    let since = state.now() - Duration::minutes(PENDING_MINUTES);
    let pending = state.store.take_oidc(&session::digest(sent), since).await.map_err(store_page)?;
    let (nonce, verifier) = pending.ok_or_else(stale)?;
    if let Some(error) = q.error.as_deref() {
        let m = format!("{} did not sign you in ({error}).", oidc.settings.label);
        return Err(page(StatusCode::BAD_REQUEST, "Sign-in cancelled", &m));
    }
    let code = q.code.as_deref().ok_or_else(stale)?;
    let identity = match oidc.finish(code, &nonce, &verifier, q.iss.as_deref()).await {
        Ok(i) => i,
        Err(OidcError::Unavailable(e)) => {
            tracing::warn!("single sign-on: the provider failed: {e}");
            return Err(unavailable(&oidc.settings.label));
        }
        Err(OidcError::Refused(e)) => {
            tracing::warn!(ip = ?visit.ip, "single sign-on refused: {e}");
            let m = "The identity provider's answer could not be verified. Start the sign-in again.";
            return Err(page(StatusCode::BAD_REQUEST, "Sign-in refused", m));
        }
    };
    let user = person(state, &identity).await?;
    let stage = if identity.multi_factor {
        Stage::Full
    } else {
        steps::after_password(state, &user).await.map_err(IntoResponse::into_response)?
    };
    let (_, session_cookie) = open_session(state, visit, &user, stage).await.map_err(IntoResponse::into_response)?;
    tracing::info!(user.id = user.id, ip = ?visit.ip, stage = stage.as_str(), "signed in through single sign-on");
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, HeaderValue::from_static("/console"))]).into_response();
    res.headers_mut().append(header::SET_COOKIE, session_cookie);
    res.headers_mut().append(header::SET_COOKIE, cookie(state, "", 0));
    Ok(res)
}

fn store_page(e: crate::store::StoreError) -> Response {
    crate::error::ApiError::from(e).into_response()
}

/// The person the provider vouches for: the one linked to (issuer, sub); else, at the first sign-in, the account
/// whose e-mail is the provider's verified e-mail, which is then linked, and whose open invitations are accepted
/// (the provider proved the address the invitation was sent to, as the invitation's link would).
async fn person(state: &AppState, id: &Identity) -> Result<User, Response> {
    let linked = state.store.oidc_user(&id.issuer, &id.subject).await.map_err(store_page)?;
    if let Some(user) = linked {
        return state.store.user_by_id(user).await.map_err(store_page)?.ok_or_else(no_account);
    }
    let Some(email) = id.verified_email.as_deref() else {
        let m =
            "The identity provider did not confirm your e-mail address, so orgd cannot tell which account is yours.";
        return Err(page(StatusCode::FORBIDDEN, "E-mail address not verified", m));
    };
    let now = state.now();
    let user = match state.store.user_with_password(email).await.map_err(store_page)? {
        Some((user, _)) => user,
        None if state.config.signup == Signup::Open => new_account(state, email, id.name.as_deref()).await?,
        None => return Err(no_account()),
    };
    state.store.link_oidc(&id.issuer, &id.subject, UserId(user.id), now).await.map_err(store_page)?;
    for inv in state.store.open_invitations_of(UserId(user.id), now).await.map_err(store_page)? {
        // Another request may have accepted it meanwhile: that is the same outcome.
        if let Err(e) = state.store.accept_invitation(inv.id, now).await {
            tracing::info!(invitation.id = inv.id, "invitation not accepted at single sign-on: {e}");
        }
    }
    tracing::info!(user.id = user.id, issuer = %id.issuer, "single sign-on linked to an account by its verified e-mail");
    Ok(user)
}

/// Under `--signup open`, the account of a verified address the provider vouches for, made at its first sign-in
/// (with no password: single sign-on is how it signs in, until it sets one through a reset link).
async fn new_account(state: &AppState, email: &str, name: Option<&str>) -> Result<User, Response> {
    let name = name.and_then(|n| Name::parse("name", n.trim()).ok()).map(|n| n.as_str().to_string());
    let new = NewUser::person(email, name, state.now());
    let (user, created) = state.store.ensure_user(new).await.map_err(store_page)?;
    if created {
        tracing::info!(user.id = user.id, "account created at a first single sign-on (--signup open)");
    }
    Ok(user)
}

fn no_account() -> Response {
    let m = "There is no orgd account for this e-mail address. Ask an organization's owner to invite you.";
    page(StatusCode::FORBIDDEN, "No account", m)
}
