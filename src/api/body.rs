//! JSON request bodies. A body is one type, `#[derive(Deserialize, ToSchema)]`, whose fields are [`Required`] or
//! [`Optional`] wrappers: the same type is read from the request and described in the OpenAPI document.
//! [`AppJson`] reads it with a size limit and answers Make's 400 with one suberror per offending field;
//! [`Draft`] does the same but lets the handler add the checks that need the instance, the database or several
//! fields before the 400 goes out.

mod de;
mod fields;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use fields::{id, int, FromField, Id, Ids, NonNegative, Optional, Required};

use crate::error::{ApiError, SubError};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A body whose every field was accepted.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Draft { body, problems } = Draft::from_request(req, state).await?;
        problems.finish()?;
        Ok(AppJson(body))
    }
}

/// A body read with its problems still open: the handler adds its own with [`Problems::add`] and calls
/// [`Problems::finish`] before using the body.
pub struct Draft<T> {
    pub body: T,
    pub problems: Problems,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Draft<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let map = object(req, state).await?;
        let read = de::read::<T>(&map).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
        Ok(Draft { body: read.value, problems: Problems { list: read.problems, order: read.order } })
    }
}

/// The field problems of one body, reported in the order the body type declares its fields.
pub struct Problems {
    list: Vec<SubError>,
    order: &'static [&'static str],
}

impl Problems {
    pub fn add(&mut self, key: &str, message: impl Into<String>) {
        self.list.push(SubError::new(key, message));
    }

    /// Records the problem of `check`, if any, against `key`.
    pub fn check<T>(&mut self, key: &str, check: Result<T, String>) {
        if let Err(message) = check {
            self.add(key, message);
        }
    }

    /// 400 with every problem (one per field, in the declared order), or `Ok` when there is none.
    pub fn finish(mut self) -> Result<(), ApiError> {
        if self.list.is_empty() {
            return Ok(());
        }
        let rank = |p: &SubError| self.order.iter().position(|k| *k == p.path).unwrap_or(usize::MAX);
        self.list.sort_by_key(rank);
        Err(ApiError::validation(self.list))
    }
}

/// The body as a JSON object. An empty body counts as `{}` (the role changes,
/// `POST /users/{userId}/user-organization-roles/{organizationId}` and `POST /users/{userId}/user-team-roles/{teamId}`,
/// take an empty body to mean "remove").
async fn object<S: Send + Sync>(req: Request, state: &S) -> Result<Map<String, Value>, ApiError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::field("body", format!("Could not read the request body: {e}"))
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
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
        Ok(Value::Object(map)) if map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)) => {
            Err(ApiError::field("body", "Strings must not contain NUL (\\u0000) characters."))
        }
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::field("body", "The request body must be a JSON object.")),
        Err(e) => Err(ApiError::field("body", format!("Malformed JSON: {e}"))),
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

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        name: Required<String>,
        team_id: Optional<Id>,
        flag: Optional<bool>,
    }

    fn read(body: Value) -> de::Read<Sample> {
        de::read::<Sample>(body.as_object().unwrap()).unwrap()
    }

    fn problems(read: &de::Read<Sample>) -> Vec<(&str, &str)> {
        read.problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect()
    }

    #[test]
    fn every_bad_field_is_reported_once_in_the_declared_order() {
        let read = read(json!({"flag": "yes", "teamId": 0, "name": null}));
        assert_eq!(
            problems(&read),
            [
                ("name", "name is required"),
                ("teamId", "teamId must be a positive integer"),
                ("flag", "flag must be a boolean")
            ]
        );
        assert_eq!(read.order, ["name", "teamId", "flag"]);
    }

    #[test]
    fn a_good_body_gives_its_values_and_ignores_unknown_keys() {
        let read = read(json!({"name": "A", "teamId": 3, "other": [1]}));
        assert!(read.problems.is_empty());
        assert_eq!(read.value.team_id.get().map(|t| t.0), Some(3));
        assert!(!read.value.flag.sent());
        assert_eq!(read.value.name.into_inner(), "A");
    }

    #[test]
    fn null_counts_as_absent_for_an_optional_field_but_is_sent() {
        let read = read(json!({"name": "A", "flag": null}));
        assert!(read.problems.is_empty());
        assert!(read.value.flag.sent() && read.value.flag.get().is_none());
    }

    #[test]
    fn problems_added_later_take_their_field_place() {
        let read = read(json!({"flag": 1}));
        let mut p = Problems { list: read.problems, order: read.order };
        p.add("teamId", "Team 9 is not a team of this organization");
        let Err(ApiError::Validation { suberrors, .. }) = p.finish() else { panic!("expected a 400") };
        let paths: Vec<_> = suberrors.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["name", "teamId", "flag"]);
    }
}
