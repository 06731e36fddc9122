//! Console sessions: the cookie, the random id it carries, the timeouts, and [`SignedIn`], the extractor of a
//! cookie-authorized request. The id (256 random bits from the operating system) is stored only as its SHA-256
//! digest, so a copy of the database signs no one in.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::origin;
use super::steps::Stage;
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::error::ApiError;
use crate::store::models::User;
use crate::store::sessions::Session;

/// Activity is written down at most this often (the idle timeout is minutes; a write per request is waste).
const TOUCH_EVERY_SECS: i64 = 60;

/// A fresh session id: 32 bytes from the operating system's generator, hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The digest a session id is stored and looked up by.
pub fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The cookie's name: `__Host-` under HTTPS, where browsers then insist on `Secure`, `Path=/` and no `Domain`
/// (no subdomain can set or shadow it); a plain name over HTTP, where the prefix would make browsers drop it.
pub fn cookie_name(state: &AppState) -> &'static str {
    if origin::https(state) {
        "__Host-orgd-session"
    } else {
        "orgd-session"
    }
}

fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if origin::https(state) { "; Secure" } else { "" };
    let c = format!("{}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}", cookie_name(state));
    HeaderValue::from_str(&c).expect("session cookies are ASCII")
}

/// The `Set-Cookie` value that hands the browser session `id` (kept no longer than the absolute timeout).
pub fn set_cookie(state: &AppState, id: &str) -> HeaderValue {
    cookie(state, id, state.config.session_absolute_hours * 3600)
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    cookie(state, "", 0)
}

/// The session id the request's cookie carries.
pub fn id_of(headers: &HeaderMap, state: &AppState) -> Option<String> {
    let name = cookie_name(state);
    let pairs = headers.get_all(header::COOKIE).into_iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';'));
    pairs.filter_map(|p| p.trim().split_once('=')).find(|(k, v)| *k == name && !v.is_empty()).map(|(_, v)| v.to_owned())
}

/// Whether the session is past its idle or absolute timeout at `now`.
pub fn expired(state: &AppState, s: &Session, now: DateTime<Utc>) -> bool {
    let idle = Duration::minutes(state.config.session_idle_minutes);
    let absolute = Duration::hours(state.config.session_absolute_hours);
    now - s.last_seen_at >= idle || now - s.created_at >= absolute
}

fn ended() -> ApiError {
    ApiError::Unauthorized("You are not signed in, or your session ended; sign in again.".into())
}

/// Ends an expired session (401), else records the activity.
async fn keep_alive(state: &AppState, s: &Session) -> Result<(), ApiError> {
    let now = state.now();
    if expired(state, s, now) {
        state.store.end_session(s.id).await?;
        return Err(ended());
    }
    if (now - s.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        state.store.touch_session(s.id, now).await?;
    }
    Ok(())
}

/// For a request authorized by a token a session minted: 401 once the session has ended or timed out (its
/// activity counts, so the console's API calls keep it alive).
pub async fn check_minted(state: &AppState, session_id: i64) -> Result<(), ApiError> {
    let s = state.store.session_by_id(session_id).await?.ok_or_else(ended)?;
    keep_alive(state, &s).await
}

/// A request authorized by the session cookie. State-changing methods must also come from orgd's own origin
/// (`origin::check`), checked before the session is even looked up.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: Session,
    pub stage: Stage,
    pub user: User,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !parts.method.is_safe() {
            origin::check(parts, state)?;
        }
        let id = id_of(&parts.headers, state).ok_or_else(ended)?;
        SignedIn::by_id(state, &id).await
    }
}

impl SignedIn {
    /// The live session with cookie value `id` (for handlers that read the cookie themselves; the `Origin`
    /// check is theirs to make).
    pub async fn by_id(state: &AppState, id: &str) -> Result<SignedIn, ApiError> {
        let session = state.store.session_by_digest(&digest(id)).await?.ok_or_else(ended)?;
        keep_alive(state, &session).await?;
        let user = state.store.user_by_id(UserId(session.user_id)).await?.ok_or_else(ended)?;
        Ok(SignedIn { stage: Stage::parse(&session.stage), session, user })
    }
}
