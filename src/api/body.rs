//! JSON request bodies: read with a size limit, parsed to an object, then validated field by field so that
//! every offending field gets its own `suberrors` entry.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde_json::{Map, Value};

use crate::error::{ApiError, SubError};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON object body. An empty body counts as `{}` (the role changes,
/// `POST /users/{userId}/user-organization-roles/{organizationId}` and `POST /users/{userId}/user-team-roles/{teamId}`,
/// take an empty body to mean "remove").
#[derive(Debug, Default)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::field("body", format!("Could not read the request body: {e}"))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonObject::default());
        }
        if let Some(ct) = content_type {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let mime = ct.split(';').next().unwrap_or("").trim();
            if mime != "application/json" && !mime.ends_with("+json") {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "Expected a body with Content-Type: application/json, got '{mime}'."
                )));
            }
        }
        match serde_json::from_slice::<Value>(&bytes) {
            // NUL cannot be stored by PostgreSQL; refusing it everywhere keeps both backends alike.
            Ok(Value::Object(map)) if has_nul(&Value::Object(map.clone())) => {
                Err(ApiError::field("body", "Strings must not contain NUL (\\u0000) characters."))
            }
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(ApiError::field("body", "The request body must be a JSON object.")),
            Err(e) => Err(ApiError::field("body", format!("Malformed JSON: {e}"))),
        }
    }
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Collects field errors while a handler reads a body; `finish` turns them into one 400.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    errors: Vec<SubError>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a JsonObject) -> Self {
        Fields { map: &body.0, errors: Vec::new() }
    }

    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(SubError::new(path, message));
    }

    /// Whether the field is present (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// A required field, converted by `parse` (whose error message is recorded against the field).
    pub fn required<T>(&mut self, key: &str, parse: impl FnOnce(&Value) -> Result<T, String>) -> Option<T> {
        match self.map.get(key) {
            None | Some(Value::Null) => {
                self.error(key, format!("{key} is required"));
                None
            }
            Some(v) => self.convert(key, v, parse),
        }
    }

    /// An optional field; `null` counts as absent.
    pub fn optional<T>(&mut self, key: &str, parse: impl FnOnce(&Value) -> Result<T, String>) -> Option<T> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => self.convert(key, v, parse),
        }
    }

    fn convert<T>(&mut self, key: &str, v: &Value, parse: impl FnOnce(&Value) -> Result<T, String>) -> Option<T> {
        match parse(v) {
            Ok(t) => Some(t),
            Err(msg) => {
                self.error(key, msg);
                None
            }
        }
    }

    /// Fails with every recorded field error, or builds the value (all required parts are then present).
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.errors.is_empty() {
            return Err(ApiError::validation(self.errors));
        }
        build().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated body lacked a required field")))
    }
}

/// A JSON integer that fits `i64` (floats with a fraction, strings and huge numbers are refused).
pub fn int(key: &'static str) -> impl Fn(&Value) -> Result<i64, String> {
    move |v| match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
            .ok_or_else(|| format!("{key} must be an integer")),
        _ => Err(format!("{key} must be an integer")),
    }
}

/// A positive integer id.
pub fn id(key: &'static str) -> impl Fn(&Value) -> Result<i64, String> {
    move |v| match int(key)(v)? {
        n if n >= 1 => Ok(n),
        _ => Err(format!("{key} must be a positive integer")),
    }
}

pub fn string(key: &'static str) -> impl Fn(&Value) -> Result<String, String> {
    move |v| v.as_str().map(str::to_owned).ok_or_else(|| format!("{key} must be a string"))
}

pub fn boolean(key: &'static str) -> impl Fn(&Value) -> Result<bool, String> {
    move |v| v.as_bool().ok_or_else(|| format!("{key} must be a boolean"))
}

/// An array of positive integer ids.
pub fn ids(key: &'static str) -> impl Fn(&Value) -> Result<Vec<i64>, String> {
    move |v| {
        let arr = v.as_array().ok_or_else(|| format!("{key} must be an array of integers"))?;
        arr.iter().map(|x| id(key)(x).map_err(|_| format!("{key} must contain only positive integers"))).collect()
    }
}
