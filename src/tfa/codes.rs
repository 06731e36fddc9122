//! Two-factor in the console: the code after the password, enrolment (secret, QR code, first code, recovery
//! codes), new recovery codes and turning it off. Every write is cookie-authorized, so `SignedIn` has checked
//! `Origin`; what each session stage may do is `identity::steps`' rule.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::api_error;
use crate::api::body::{AppJson, Required};
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::error::ApiError;
use crate::factors::{qr, totp};
use crate::identity::{session, steps, Action, SignedIn, Stage};
use crate::people::{private, SessionView, Visit};
use crate::rate::public::{self, Surface};

#[derive(Deserialize)]
pub struct CodeBody {
    code: Required<String>,
}

/// `POST /auth/second-factor` `{code}`: a TOTP code or a recovery code after the password. Right: the session
/// gets a new id and the stage `full`. Attempts are limited like passwords (per address and account, then
/// slowed, then 429), counted apart from them.
pub async fn second_factor(
    State(state): State<AppState>,
    visit: Visit,
    me: SignedIn,
    AppJson(body): AppJson<CodeBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::ProveSecondFactor)?;
    let account = format!("code:{}", me.user.email);
    public::check(&state, Surface::SignIn, visit.ip, Some(&account))?;
    let throttled = state.config.rate_limit_on();
    if let Some(retry_after_secs) = state.sign_in_failures.blocked_for(&account, state.now()).filter(|_| throttled) {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    let proof = match totp::prove(&*state.store, &me.user, &body.code.into_inner(), state.now()).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(user.id = me.user.id, ip = ?visit.ip, "second factor refused: {e}");
            let wait = state.sign_in_failures.fail(&account, state.now());
            if throttled {
                tokio::time::sleep(wait).await;
            }
            return Err(api_error(e));
        }
    };
    state.sign_in_failures.succeed(&account);
    tracing::info!(user.id = me.user.id, ip = ?visit.ip, ?proof, "second factor proved");
    let (view, cookie) = advance(&state, &me, Stage::Full).await?;
    Ok(private(&view, Some(cookie)))
}

/// Gives the session a new id at `stage` (a credential was just proved): its state and the cookie.
async fn advance(state: &AppState, me: &SignedIn, stage: Stage) -> Result<(SessionView, HeaderValue), ApiError> {
    let id = session::new_id();
    let now = state.now();
    if !state.store.advance_session(me.session.id, &session::digest(&id), stage.as_str(), true, now).await? {
        return Err(ApiError::Unauthorized("Your session ended; sign in again.".into()));
    }
    Ok((SessionView::of(&me.user, stage, me.session.created_at), session::set_cookie(state, &id)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    /// Make's `tfaStatus`: 0 not set up, 1 set up, 2 enrolment started.
    tfa_status: u8,
    recovery_codes_left: i64,
    /// An organization of the person enforces two-factor (it cannot be turned off).
    required: bool,
}

/// `GET /auth/tfa`: the person's two-factor state.
pub async fn status(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::EnrolSecondFactor)?;
    let id = UserId(me.user.id);
    let tfa_status = totp::status(&*state.store, &me.user).await? as u8;
    let recovery_codes_left = state.store.recovery_codes_left(id).await?;
    let required = state.store.tfa_required(id).await?;
    Ok(private(&Status { tfa_status, recovery_codes_left, required }, None))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Enrolment {
    secret: String,
    otpauth_url: String,
    /// The QR code's address on orgd's own origin.
    qr: &'static str,
}

/// `POST /auth/tfa/enrol`: a new pending secret, shown as text and as a QR code (`GET /auth/tfa/qr.svg`).
pub async fn enrol(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::EnrolSecondFactor)?;
    let e = totp::enrol(&*state.store, &me.user, state.now()).await.map_err(api_error)?;
    Ok(private(&Enrolment { secret: e.secret, otpauth_url: e.otpauth_url, qr: "/auth/tfa/qr.svg" }, None))
}

/// `GET /auth/tfa/qr.svg`: the pending secret's QR code; 404 when no enrolment is pending. Never cached.
pub async fn qr(State(state): State<AppState>, me: SignedIn) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::EnrolSecondFactor)?;
    let url = totp::pending_url(&*state.store, &me.user).await?;
    let svg = url.as_deref().and_then(qr::svg).ok_or_else(|| ApiError::NotFound("No enrolment is pending.".into()))?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    Ok((headers, svg).into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecoveryCodes {
    recovery_codes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<SessionView>,
}

/// `POST /auth/tfa/confirm` `{code}`: the first code confirms enrolment; answers the recovery codes, shown this
/// once. A session held at `enrol` (its organization enforces two-factor) becomes `full` with a new id.
pub async fn confirm(
    State(state): State<AppState>,
    me: SignedIn,
    AppJson(body): AppJson<CodeBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::EnrolSecondFactor)?;
    let codes =
        totp::confirm(&*state.store, &me.user, &body.code.into_inner(), state.now()).await.map_err(api_error)?;
    if me.stage != Stage::Enrol {
        return Ok(private(&RecoveryCodes { recovery_codes: codes, session: None }, None));
    }
    let (view, cookie) = advance(&state, &me, Stage::Full).await?;
    Ok(private(&RecoveryCodes { recovery_codes: codes, session: Some(view) }, Some(cookie)))
}

/// `POST /auth/tfa/recovery-codes` `{code}`: a new set of recovery codes (the old ones stop working).
pub async fn renew(
    State(state): State<AppState>,
    me: SignedIn,
    AppJson(body): AppJson<CodeBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    let codes = totp::renew_recovery_codes(&*state.store, &me.user, &body.code.into_inner(), state.now())
        .await
        .map_err(api_error)?;
    Ok(private(&RecoveryCodes { recovery_codes: codes, session: None }, None))
}

/// `POST /auth/tfa/disable` `{code}`: turns two-factor off with a current code, unless an organization of the
/// person enforces it.
pub async fn disable(
    State(state): State<AppState>,
    me: SignedIn,
    AppJson(body): AppJson<CodeBody>,
) -> Result<Response, ApiError> {
    steps::require(me.stage, Action::UseConsole)?;
    totp::turn_off(&*state.store, &me.user, &body.code.into_inner(), state.now()).await.map_err(api_error)?;
    Ok(private(&serde_json::json!({}), None))
}
