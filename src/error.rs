//! The one error type of the HTTP layer and the one error body Make clients parse.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// What a 503 tells clients to wait: a database restart or failover is usually over within seconds, and a
/// connection that broke is replaced on the next attempt.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;
/// What a 507 tells clients to wait: space comes back only when an operator frees it.
pub const STORAGE_FULL_RETRY_AFTER_SECS: u64 = 30;

/// An id given in a path, query or body (`raw`), as [`crate::domain::ids::parse`] reads ids; else 400 naming
/// `name`.
pub fn parse_id(name: &str, raw: &str) -> Result<i64> {
    crate::domain::ids::parse(raw).ok_or_else(|| ApiError::field(name, format!("{name} must be a positive integer")))
}

/// The content type of every JSON answer.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Handlers return this; every error leaves the server as an [`ErrorBody`].
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// One failed field of a validation error. `path` names the field (an extra key Make clients ignore).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SubError {
    pub message: String,
    pub path: String,
}

impl SubError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { message: message.into(), path: path.into() }
    }
}

/// Make's error body: `message` is the category, `detail` the cause, `code` `SC<status>` or `IM<nnn>`.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub message: String,
    pub detail: String,
    pub code: String,
    pub suberrors: Vec<SubError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `SC400` "Validation failed", one sub-error per offending field.
    #[error("validation failed: {detail}")]
    Validation { detail: String, suberrors: Vec<SubError> },
    /// 400 `IM005` "Invalid input parameters": well-formed input that makes no sense (duplicates, members).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// 400 `IM011` "Entity limit exceeded": the plan allows no more of something.
    #[error("entity limit exceeded: {0}")]
    EntityLimit(String),
    /// 400 `SC400` for a feature that this instance switched off.
    #[error("feature unavailable: {0}")]
    FeatureUnavailable(String),
    /// 401 `IM015` "User is not logged in." with `WWW-Authenticate: Token`.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 402 `SC402`: the organization's plan lacks the feature.
    #[error("payment required: {0}")]
    PaymentRequired(String),
    /// 403 `IM903`: the organization's license lacks the feature (Make's answer for private spaces).
    #[error("feature not licensed: {0}")]
    NotLicensed(String),
    /// 403 `SC403` "Permission denied": missing scope, missing role permission, or not a member.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404 `SC404`.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405 `SC405`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 406 `IM004` "Confirmation required".
    #[error("confirmation required: {0}")]
    ConfirmationRequired(String),
    /// 409 `SC409`: a concurrent change won.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413 `SC413`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 414 `SC414` or 431 `SC431`: the request target or the header section is too long.
    #[error("{what} too long")]
    TooLong { status: StatusCode, what: &'static str },
    /// 415 `SC415`.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 429 `SC429` with `Retry-After`.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// 429 `SC429` with `Retry-After`: the organization sent as many invitations as it may for now.
    #[error("invitations limited: {detail}")]
    InvitationsLimited { retry_after_secs: u64, detail: String },
    /// 503 `SC503`: the database could not be reached in time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 507 `SC507` with `Retry-After`: the disk under the database is full; nothing was changed.
    #[error("insufficient storage")]
    InsufficientStorage,
    /// 504 `SC504`: the request took longer than the configured timeout.
    #[error("timeout")]
    Timeout,
    /// 500 `SC500`; the cause is logged, never sent.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A validation error about one field.
    pub fn field(path: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![SubError::new(path, message)])
    }

    /// A validation error with one sub-error per offending field. The detail only counts them: the official SDK
    /// prints `detail` followed by every sub-error, so repeating them there would print each twice.
    pub fn validation(suberrors: Vec<SubError>) -> Self {
        let detail = format!("Validation failed for {} parameter(s).", suberrors.len());
        ApiError::Validation { detail, suberrors }
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden("Access denied.".into())
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Validation { .. } | InvalidInput(_) | EntityLimit(_) | FeatureUnavailable(_) => StatusCode::BAD_REQUEST,
            Unauthorized(_) => StatusCode::UNAUTHORIZED,
            PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Forbidden(_) | NotLicensed(_) => StatusCode::FORBIDDEN,
            NotFound(_) => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ConfirmationRequired(_) => StatusCode::NOT_ACCEPTABLE,
            Conflict(_) => StatusCode::CONFLICT,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            TooLong { status, .. } => *status,
            UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RateLimited { .. } | InvitationsLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Timeout => StatusCode::GATEWAY_TIMEOUT,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        use ApiError::*;
        let status = self.status().as_u16();
        let sc = format!("SC{status}");
        let (message, detail, code, suberrors): (&str, String, String, Vec<SubError>) = match self {
            Validation { detail, suberrors } => ("Validation failed", detail.clone(), sc, suberrors.clone()),
            InvalidInput(d) => ("Invalid input parameters", d.clone(), "IM005".into(), vec![]),
            EntityLimit(d) => ("Entity limit exceeded", d.clone(), "IM011".into(), vec![]),
            FeatureUnavailable(d) => (d.as_str(), d.clone(), sc, vec![]),
            Unauthorized(d) => ("User is not logged in.", d.clone(), "IM015".into(), vec![]),
            PaymentRequired(d) => (d.as_str(), d.clone(), sc, vec![]),
            Forbidden(d) => ("Permission denied", d.clone(), sc, vec![]),
            NotLicensed(d) => ("Feature not available", d.clone(), "IM903".into(), vec![]),
            NotFound(d) => ("Not found", d.clone(), sc, vec![]),
            MethodNotAllowed => ("Method not allowed", "This method is not allowed on this path.".into(), sc, vec![]),
            ConfirmationRequired(d) => ("Confirmation required", d.clone(), "IM004".into(), vec![]),
            Conflict(d) => ("Conflict", d.clone(), sc, vec![]),
            PayloadTooLarge => ("Payload too large", "request entity too large".into(), sc, vec![]),
            UnsupportedMediaType(d) => ("Unsupported media type", d.clone(), sc, vec![]),
            TooLong { what, .. } => ("Request too large", format!("The {what} is too long."), sc, vec![]),
            RateLimited { .. } => (
                "Requests limit for organization exceeded, please try again later.",
                "Requests limit for organization exceeded, please try again later.".into(),
                sc,
                vec![],
            ),
            InvitationsLimited { detail, .. } => {
                ("Invitation limit for organization exceeded, please try again later.", detail.clone(), sc, vec![])
            }
            Unavailable(_) => ("Service unavailable", "The service is temporarily unavailable.".into(), sc, vec![]),
            InsufficientStorage => (
                "Insufficient storage",
                "The server's storage is full; nothing was changed. Try again later.".into(),
                sc,
                vec![],
            ),
            Timeout => ("Request timeout", "The request took too long to process.".into(), sc, vec![]),
            Internal(_) => ("Internal server error", "An unexpected error occurred.".into(), sc, vec![]),
        };
        ErrorBody { message: message.to_string(), detail, code, suberrors }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Conflict(what) => ApiError::InvalidInput(what),
            StoreError::LimitExceeded(what) => ApiError::EntityLimit(what),
            StoreError::RateLimited { retry_after_secs, detail } => {
                ApiError::InvitationsLimited { retry_after_secs, detail }
            }
            StoreError::PoolTimeout => ApiError::Unavailable("database pool exhausted".into()),
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::StorageFull => ApiError::InsufficientStorage,
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(cause = %cause, "database unavailable: answered 503"),
            ApiError::InsufficientStorage => tracing::warn!("storage full: answered 507"),
            _ => {}
        }
        // An error body always serialises; the fallback only keeps the type checker honest.
        let bytes = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut res =
            (self.status(), [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], bytes).into_response();
        let headers = res.headers_mut();
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
            }
            ApiError::RateLimited { retry_after_secs } | ApiError::InvitationsLimited { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS));
            }
            ApiError::InsufficientStorage => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(STORAGE_FULL_RETRY_AFTER_SECS));
            }
            _ => {}
        }
        res
    }
}
