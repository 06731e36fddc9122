//! The console's two-factor and single-sign-on endpoints (docs/two-factor.md, docs/sso.md): the second step of a
//! password sign-in, enrolment with its QR code, recovery codes, turning two-factor off, and the OpenID Connect
//! sign-in's start and callback. Like `people`, they answer JSON with Make's error body (the SSO pages answer
//! HTML: the browser lands on them from the provider) and are not part of Make's API.

mod codes;
mod pages;
mod sso;

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;
use crate::error::ApiError;
use crate::factors::totp::FactorError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/second-factor", post(codes::second_factor))
        .route("/auth/tfa", get(codes::status))
        .route("/auth/tfa/enrol", post(codes::enrol))
        .route("/auth/tfa/qr.svg", get(codes::qr))
        .route("/auth/tfa/confirm", post(codes::confirm))
        .route("/auth/tfa/recovery-codes", post(codes::renew))
        .route("/auth/tfa/disable", post(codes::disable))
        .route("/auth/oidc", get(sso::offered))
        .route("/auth/oidc/start", get(sso::start))
        .route(crate::factors::oidc::CALLBACK_PATH, get(sso::callback))
}

/// The API error of a two-factor step. A wrong code and a reused one get the same answer (the log tells them
/// apart): 400, like any other wrong input, so that the console does not take it for an ended session.
fn api_error(e: FactorError) -> ApiError {
    match e {
        FactorError::WrongCode | FactorError::Reused => {
            ApiError::InvalidInput("The code is not right, or it was used already; wait for the next one.".into())
        }
        FactorError::NotEnrolled => ApiError::InvalidInput("Two-factor authentication is not set up.".into()),
        FactorError::AlreadyOn => ApiError::InvalidInput("Two-factor authentication is set up already.".into()),
        FactorError::Enforced => ApiError::InvalidInput(
            "An organization you belong to requires two-factor authentication; it cannot be turned off.".into(),
        ),
        FactorError::Store(e) => e.into(),
    }
}
