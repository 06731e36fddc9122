//! The sandbox's layer in front of the router: each request is logged with the status it got, and a request a
//! fault rule hits gets the rule's delay and answer instead of orgd's. Control requests (`/_orgd/…`) pass by both,
//! so a test can always reach them.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::faults::Fault;
use super::requests::LoggedRequest;
use crate::app::AppState;
use crate::error::{ApiError, ErrorBody, JSON_UTF8};

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(sandbox) = state.sandbox.clone() else { return next.run(req).await };
    let path = req.uri().path().to_string();
    if path.starts_with("/_orgd/") {
        return next.run(req).await;
    }
    let (started, at) = (Instant::now(), sandbox.clock.now());
    let method = req.method().to_string();
    let query = req.uri().query().map(str::to_string);
    let user_id = user_of(&state, req.headers()).await;
    let res = match sandbox.faults.hit(&method, &path) {
        Some(fault) => {
            tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
            match fault_response(&fault) {
                Some(res) => res,
                None => next.run(req).await,
            }
        }
        None => next.run(req).await,
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = res.status().as_u16();
    sandbox.requests.push(LoggedRequest { method, path, query, status, duration_ms, user_id, at });
    res
}

/// The user of the request's token, if it has a valid one.
async fn user_of(state: &AppState, headers: &HeaderMap) -> Option<i64> {
    let token = crate::auth::token_of(headers).ok()?;
    let auth = state.store.authenticate(&crate::auth::digest(&token)).await.ok()??;
    Some(auth.user.id)
}

/// Make's answer for the fault's status, with `Retry-After` when the rule gives one; `None` for a rule that only
/// delays.
fn fault_response(fault: &Fault) -> Option<Response> {
    let status = StatusCode::from_u16(fault.status?).ok()?;
    let body = match status.as_u16() {
        429 => ApiError::RateLimited { retry_after_secs: fault.retry_after.unwrap_or(0) }.body(),
        500 => ApiError::Internal(anyhow::anyhow!("injected")).body(),
        503 => ApiError::Unavailable("injected".into()).body(),
        504 => ApiError::Timeout.body(),
        _ => ErrorBody {
            message: "Bad gateway".into(),
            detail: "The server received an invalid response from an upstream server.".into(),
            code: format!("SC{}", status.as_u16()),
            suberrors: Vec::new(),
        },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut res = (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], bytes).into_response();
    if let Some(secs) = fault.retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Some(res)
}
