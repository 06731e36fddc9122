//! Authentication: `Authorization: Token <uuid>` (or `Bearer <uuid>`), tokens looked up by digest, scopes
//! checked per endpoint through the `Scoped<S>` extractor. A handler gets a caller only through it.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::{header, request::Parts};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::scopes::Requirement;
use crate::error::ApiError;
use crate::rate;
use crate::store::models::User;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub token_id: i64,
    pub scopes: std::sync::Arc<[String]>,
    /// How the caller authenticated, as `/users/me/current-authorization` reports it.
    pub auth_used: &'static str,
    /// The console session that minted the token, if one did (`POST /auth/token`).
    pub session_id: Option<i64>,
}

impl Caller {
    pub fn has_any_scope(&self, any_of: &[&str]) -> bool {
        self.scopes.iter().any(|s| any_of.contains(&s.as_str()))
    }
}

/// The digest under which a token is stored. Tokens are random UUIDv4s (122 bits), so a fast hash is enough:
/// there is nothing to brute-force that a slow hash would protect.
pub fn digest(token: &Uuid) -> String {
    hex::encode(Sha256::digest(token.hyphenated().to_string().as_bytes()))
}

/// A fresh random API token (UUIDv4, so the official SDK sends it as `Token`).
pub fn new_token() -> Uuid {
    Uuid::new_v4()
}

/// The token of an `Authorization: Token <uuid>` (or `Bearer <uuid>`) header.
pub fn token_of(headers: &axum::http::HeaderMap) -> Result<Uuid, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized("Missing Authorization header.".into()));
    };
    let value = value.to_str().map_err(|_| malformed())?.trim();
    let (scheme, cred) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("token") && !scheme.eq_ignore_ascii_case("bearer") {
        return Err(malformed());
    }
    Uuid::try_parse(cred.trim()).map_err(|_| malformed())
}

/// The 401 of an `Authorization` header that is not `Token <uuid>` or `Bearer <uuid>`.
pub fn malformed() -> ApiError {
    ApiError::Unauthorized("Malformed Authorization header; expected 'Token <api-token>'.".into())
}

/// Resolves the caller once per request (cached in the request extensions). Requests without valid credentials
/// count against their client address; requests that name no organization count against the caller's own
/// bucket (organization requests are counted where the organization is resolved, see `access::member_of`).
pub async fn caller(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
    if let Some(c) = parts.extensions.get::<Caller>() {
        return Ok(c.clone());
    }
    let caller = identify(parts, state).await?;
    if !names_an_organization(parts, state).await {
        // Calls that name no organization get the default plan's limit (a per-user bucket).
        let limit = state.plan(&state.config.default_plan).1.api_limit();
        rate::check(state, &format!("user:{}", caller.user.id), limit).await?;
    }
    parts.extensions.insert(caller.clone());
    Ok(caller)
}

/// The token's caller, counting only a failure (against the client address): for the MCP endpoint, whose tool
/// calls are counted as the REST requests they make.
pub async fn identify(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let ip = rate::address::client_ip(parts, state);
    let found = match token_of(&parts.headers) {
        Ok(token) => state
            .store
            .authenticate(&digest(&token))
            .await?
            .ok_or_else(|| ApiError::Unauthorized("Invalid or revoked API token.".into())),
        Err(e) => Err(e),
    };
    let auth = match found {
        Ok(a) => a,
        Err(e) => {
            rate::public::check(state, rate::public::Surface::InvalidToken, ip, None)?;
            return Err(e);
        }
    };
    if let Some(session_id) = auth.session_id {
        // A token the console's session minted lives no longer than the session (timeouts included).
        crate::identity::session::check_minted(state, session_id).await?;
    }
    Ok(Caller {
        user: auth.user,
        token_id: auth.token_id,
        scopes: auth.scopes,
        auth_used: "token",
        session_id: auth.session_id,
    })
}

/// Whether the route addresses an organization (directly or through a team), whose bucket will count it.
async fn names_an_organization(parts: &mut Parts, state: &AppState) -> bool {
    let in_path = match RawPathParams::from_request_parts(parts, state).await {
        Ok(p) => p.iter().any(|(k, _)| k == "organizationId" || k == "teamId"),
        Err(_) => false,
    };
    let query = parts.uri.query().unwrap_or("");
    in_path || form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "organizationId")
}

/// Any valid token (endpoints the SDK marks scope-free: enums, `/users/me`).
pub struct Authed(pub Caller);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Authed(caller(parts, state).await?))
    }
}

/// A caller whose token holds one of the scopes `S` accepts.
pub struct Scoped<S: Requirement> {
    pub caller: Caller,
    _s: PhantomData<S>,
}

impl<S: Requirement> Scoped<S> {
    pub fn check(caller: Caller) -> Result<Self, ApiError> {
        if caller.has_any_scope(S::ANY_OF) {
            Ok(Scoped { caller, _s: PhantomData })
        } else {
            Err(ApiError::Forbidden(format!(
                "Access denied. The API token lacks the scope this endpoint needs ({}).",
                S::ANY_OF.join(" or ")
            )))
        }
    }
}

impl<S: Requirement> FromRequestParts<AppState> for Scoped<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Scoped::check(caller(parts, state).await?)
    }
}
