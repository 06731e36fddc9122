//! JSON responses with the exact content type Make clients expect.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::JSON_UTF8;

/// Serialises `body` with `application/json; charset=utf-8` (the SDK parses only `application/json[;…]`).
pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut res = (status, bytes).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "response serialisation failed");
            let mut res = (StatusCode::INTERNAL_SERVER_ERROR, r#"{"message":"Internal server error","code":"SC500"}"#)
                .into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            res
        }
    }
}

/// A 200 answer; every success in this API is a 200 with a JSON object. Handlers answer with their wire type
/// (`Reply<dto::…>`), the same type the OpenAPI document describes.
pub struct Reply<T>(pub T);

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        json(StatusCode::OK, &self.0)
    }
}

/// A timestamp as Make writes it: UTC with milliseconds, `2026-01-31T12:00:00.000Z`.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    // chrono's RFC 3339 writer, not a `format` string: the same text, without parsing the pattern each time.
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
