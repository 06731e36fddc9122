//! The console's own endpoints under `/auth` (docs/people.md): sign-in with e-mail and password, sign-out, the
//! session's state, and the API token a session mints for the console's calls to `/api/v2`. They answer JSON
//! with Make's error body like the API, but they are not part of Make's API and not in its OpenAPI document.

mod join;
mod profile;
mod reauth;
mod reset;
pub(crate) mod signin;
mod signup;

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use crate::api::reply::{json, timestamp};
use crate::app::AppState;
use crate::error::ApiError;
use crate::identity::{origin, session, steps, Stage};
use crate::store::models::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/sign-in", post(signin::sign_in))
        .route("/auth/sign-out", post(signin::sign_out))
        .route("/auth/session", get(signin::current))
        .route("/auth/token", post(signin::mint_token))
        .route("/auth/reauthenticate", post(reauth::reauthenticate))
        .route("/auth/invitation", get(join::show))
        .route("/auth/join", post(join::join))
        .route("/auth/sessions", get(profile::list))
        .route("/auth/sign-out-everywhere", post(profile::everywhere))
        .route("/auth/password", post(profile::change))
        .route("/auth/reset", post(reset::ask))
        .route("/auth/reset/password", post(reset::use_link))
        .route("/auth/signup", get(signup::offered).post(signup::ask))
        .route("/auth/signup/link", post(signup::link))
        .route("/auth/signup/finish", post(signup::finish))
}

/// Who is asking, for the endpoints that come before a session exists: the client address (rate limits, logs),
/// the browser, and the session cookie it may still hold. Writes must come from orgd's own origin (a forged
/// cross-site sign-in would sign the victim into the attacker's account).
pub struct Visit {
    pub ip: Option<IpAddr>,
    pub user_agent: String,
    pub session_id: Option<String>,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !parts.method.is_safe() {
            origin::check(parts, state)?;
        }
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        Ok(Visit {
            ip: crate::rate::address::client_ip(parts, state),
            user_agent: user_agent.chars().take(200).collect(),
            session_id: session::id_of(&parts.headers, state),
        })
    }
}

/// The signed-in person as the console shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
}

impl From<&User> for Person {
    fn from(u: &User) -> Self {
        Person { id: u.id, email: u.email.clone(), name: u.name.clone() }
    }
}

/// A session's state: who, how far sign-in got and what comes next.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub signed_in: bool,
    pub user: Person,
    pub stage: Stage,
    /// `secondFactor`, `enrol` or `console` (`identity::steps::next_step`).
    pub next: &'static str,
    pub created: String,
}

impl SessionView {
    pub fn of(user: &User, stage: Stage, created: chrono::DateTime<chrono::Utc>) -> Self {
        SessionView {
            signed_in: true,
            user: user.into(),
            stage,
            next: steps::next_step(stage),
            created: timestamp(created),
        }
    }
}

/// A 200 JSON answer that no cache keeps, with `Set-Cookie` when given.
pub fn private<T: Serialize>(body: &T, set_cookie: Option<HeaderValue>) -> Response {
    let mut res = json(axum::http::StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = set_cookie {
        headers.insert(header::SET_COOKIE, c);
    }
    headers.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
    res
}
