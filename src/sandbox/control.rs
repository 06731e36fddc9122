//! The control endpoints under `/_orgd/` (operator contract, "Sandbox"): only in sandbox mode (the router adds
//! them only then; `serve` answers 404) and only for an instance administrator's token, the bootstrap one.
//! Requests here are neither rate limited nor logged nor hit by fault rules: a test suite calls them around
//! every test.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::faults::{ActiveRule, FaultRule};
use super::requests::{LoggedRequest, CAPACITY};
use super::seed::{self, SeedDoc};
use super::Sandbox;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody, SubError, JSON_UTF8};

type Result<T, E = ApiError> = std::result::Result<T, E>;

/// The routes, to be nested at `/_orgd`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reset", post(reset))
        .route("/state", get(get_state).put(put_state))
        .route("/clock", get(get_clock).put(put_clock))
        .route("/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/seed.schema.json", get(seed_schema))
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], bytes).into_response()
}

/// The sandbox, for an administrator's token: 401 without a valid token, 403 for anyone else's.
async fn admin<'a>(state: &'a AppState, headers: &HeaderMap) -> Result<&'a Sandbox> {
    let token = crate::auth::token_of(headers)?;
    let auth = state.store.authenticate(&crate::auth::digest(&token)).await?;
    let auth = auth.ok_or_else(|| ApiError::Unauthorized("Invalid or revoked API token.".into()))?;
    if !auth.user.is_admin {
        return Err(ApiError::Forbidden(
            "Only the bootstrap administrator may use the sandbox's control endpoints.".into(),
        ));
    }
    state.sandbox.as_deref().ok_or_else(|| ApiError::NotFound("Route not found.".into()))
}

/// A body as `T`, or 400 naming the JSON path of the first bad value.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::field(if path == "." { "$" } else { &path }, e.into_inner().to_string())
    })
}

fn seed_refused(e: seed::SeedError) -> ApiError {
    ApiError::Validation { detail: e.to_string(), suberrors: vec![SubError::new(e.path, e.message)] }
}

/// How long a reset took.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetDone {
    pub duration_ms: f64,
}

/// Back to the state right after start: the seed's data and ids, no fault rules, an empty request log, the clock
/// where it started, rate counters at zero.
#[utoipa::path(post, path = "/_orgd/reset", tag = "sandbox",
    description = "`curl -X POST -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/reset`",
    responses((status = 200, description = "Reset.", body = ResetDone), (status = 403, description = "Not the bootstrap administrator.", body = ErrorBody)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn reset(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    let started = std::time::Instant::now();
    sandbox.reset(&state).await.map_err(ApiError::Internal)?;
    Ok(json(StatusCode::OK, &ResetDone { duration_ms: started.elapsed().as_secs_f64() * 1000.0 }))
}

/// The whole state as a seed document (tokens as digests).
#[utoipa::path(get, path = "/_orgd/state", tag = "sandbox",
    description = "`curl -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/state > state.json`",
    responses((status = 200, description = "The state.", body = SeedDoc), (status = 403, description = "Not the bootstrap administrator.", body = ErrorBody)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn get_state(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    Ok(json(StatusCode::OK, &sandbox.export(&state).map_err(ApiError::Internal)?))
}

/// Replaces the state with a seed document; a bad one is refused whole with the JSON path of its first bad value.
#[utoipa::path(put, path = "/_orgd/state", tag = "sandbox", request_body = SeedDoc,
    description = "`curl -X PUT -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" -H 'Content-Type: application/json' --data @state.json http://127.0.0.1:8080/_orgd/state`",
    responses((status = 200, description = "The new state.", body = SeedDoc), (status = 400, description = "A bad document.", body = ErrorBody)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn put_state(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::field("$", "expected UTF-8 JSON"))?;
    let doc = seed::parse(text).map_err(seed_refused)?;
    sandbox.replace(&state, &doc).await.map_err(|e| match e {
        super::ReplaceError::Refused(e) => seed_refused(e),
        super::ReplaceError::Failed(e) => ApiError::Internal(e),
    })?;
    Ok(json(StatusCode::OK, &sandbox.export(&state).map_err(ApiError::Internal)?))
}

/// The sandbox clock.
#[derive(Serialize, ToSchema)]
pub struct ClockNow {
    #[schema(value_type = String, format = DateTime)]
    pub now: DateTime<Utc>,
}

/// `{"now": RFC3339}` stands the clock there; `{"advanceSeconds": N}` moves it on.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClockSet {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub now: Option<DateTime<Utc>>,
    #[serde(default)]
    pub advance_seconds: Option<i64>,
}

#[utoipa::path(get, path = "/_orgd/clock", tag = "sandbox",
    description = "`curl -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/clock`",
    responses((status = 200, description = "What orgd takes as now.", body = ClockNow)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn get_clock(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    Ok(json(StatusCode::OK, &ClockNow { now: sandbox.clock.now() }))
}

/// Sets or moves the clock every time orgd uses follows (timestamps, expiry, usage days, billing, audit).
#[utoipa::path(put, path = "/_orgd/clock", tag = "sandbox", request_body = ClockSet,
    description = "`curl -X PUT -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" -H 'Content-Type: application/json' -d '{\"advanceSeconds\": 691200}' http://127.0.0.1:8080/_orgd/clock`",
    responses((status = 200, description = "The new time.", body = ClockNow), (status = 400, description = "Neither or both fields.", body = ErrorBody)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn put_clock(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    let set: ClockSet = body(&bytes)?;
    let now = match (set.now, set.advance_seconds) {
        (Some(at), None) => {
            sandbox.clock.set(at);
            at
        }
        (None, Some(secs)) => {
            let by = Duration::try_seconds(secs).ok_or_else(|| ApiError::field("advanceSeconds", "out of range"))?;
            sandbox.clock.advance(by)
        }
        _ => return Err(ApiError::field("$", "give exactly one of now and advanceSeconds")),
    };
    Ok(json(StatusCode::OK, &ClockNow { now }))
}

/// The fault rules in force.
#[derive(Serialize, ToSchema)]
pub struct FaultList {
    pub rules: Vec<ActiveRule>,
}

#[utoipa::path(post, path = "/_orgd/faults", tag = "sandbox", request_body = FaultRule,
    description = "`curl -X POST -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" -H 'Content-Type: application/json' -d '{\"method\": \"GET\", \"path\": \"/api/v2/organizations*\", \"status\": 503, \"retryAfter\": 1, \"times\": 2}' http://127.0.0.1:8080/_orgd/faults`",
    responses((status = 201, description = "The rule, in force.", body = ActiveRule), (status = 400, description = "A bad rule.", body = ErrorBody)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn add_fault(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    let rule: FaultRule = body(&bytes)?;
    if let Some((field, why)) = rule.problem() {
        return Err(ApiError::field(field, why));
    }
    Ok(json(StatusCode::CREATED, &sandbox.faults.add(rule)))
}

#[utoipa::path(get, path = "/_orgd/faults", tag = "sandbox",
    description = "`curl -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/faults`",
    responses((status = 200, description = "The rules in force, oldest first.", body = FaultList)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn list_faults(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    Ok(json(StatusCode::OK, &FaultList { rules: sandbox.faults.list() }))
}

#[utoipa::path(delete, path = "/_orgd/faults", tag = "sandbox",
    description = "`curl -X DELETE -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/faults`",
    responses((status = 204, description = "Every rule ended.")),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn clear_faults(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode> {
    admin(&state, &headers).await?.faults.clear();
    Ok(StatusCode::NO_CONTENT)
}

/// `limit` (default 100, at most 10 000) and a `path` glob.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    pub limit: Option<usize>,
    pub path: Option<String>,
}

/// The recent requests, newest first.
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub requests: Vec<LoggedRequest>,
}

#[utoipa::path(get, path = "/_orgd/requests", tag = "sandbox", params(RequestQuery),
    description = "`curl -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" 'http://127.0.0.1:8080/_orgd/requests?limit=5&path=/api/v2/organizations*'`",
    responses((status = 200, description = "Newest first.", body = RequestList)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn list_requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RequestQuery>,
) -> Result<Response> {
    let sandbox = admin(&state, &headers).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, CAPACITY);
    Ok(json(StatusCode::OK, &RequestList { requests: sandbox.requests.recent(limit, q.path.as_deref()) }))
}

#[utoipa::path(delete, path = "/_orgd/requests", tag = "sandbox",
    description = "`curl -X DELETE -H \"Authorization: Token $ORGD_BOOTSTRAP_TOKEN\" http://127.0.0.1:8080/_orgd/requests`",
    responses((status = 204, description = "The log is empty.")),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn clear_requests(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode> {
    admin(&state, &headers).await?.requests.clear();
    Ok(StatusCode::NO_CONTENT)
}

/// The seed format as a JSON Schema, for editors (no token needed).
#[utoipa::path(get, path = "/_orgd/seed.schema.json", tag = "sandbox",
    description = "`curl http://127.0.0.1:8080/_orgd/seed.schema.json`",
    responses((status = 200, description = "JSON Schema draft 2020-12.", body = serde_json::Value)),
    extensions(("x-orgd-extension" = json!(true))))]
pub async fn seed_schema() -> Response {
    json(StatusCode::OK, &seed::schema::document())
}
