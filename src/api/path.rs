//! Integer path segments (`{userId}`, `{teamId}`, `{roleId}`) parsed with a 400 that names the segment.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The raw path parameters of the matched route.
pub struct PathIds(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("Route not found.".into()))?;
        Ok(PathIds(raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
    }
}

impl PathIds {
    /// The named segment as given (already percent-decoded).
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The named segment as a positive integer.
    pub fn id(&self, name: &str) -> Result<i64, ApiError> {
        crate::error::parse_id(name, self.raw(name))
    }
}
