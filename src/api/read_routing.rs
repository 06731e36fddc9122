//! Read replicas, seen from HTTP: each request runs as a [`Caller`] known by its credential and its client
//! address, so that the store can send the reads of a request that changes nothing (GET, HEAD) to a standby and
//! the reads following a caller's own write to the primary (`store/postgres/replicas/`). Requests that change
//! something read the primary throughout, as without replicas.
//!
//! A standby may stop in the middle of a read (a restart, a failover): such a GET is answered 503 by the handler,
//! and is then answered again, once, with every read on the primary, so that a standby going away fails no read.
//! Running a GET twice is safe: it changes nothing a client sees.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::store::caller::Caller;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.database_replicas.0.is_empty() {
        return next.run(req).await;
    }
    let reads_only = matches!(*req.method(), Method::GET | Method::HEAD);
    let (parts, body) = req.into_parts();
    let (credential, address) = caller_keys(&parts, &state);
    let caller = Caller::new(credential, address, reads_only);
    if !reads_only {
        return caller.scope(next.run(Request::from_parts(parts, body))).await;
    }
    let again = parts.clone();
    let res = caller.scope(next.clone().run(Request::from_parts(parts, body))).await;
    if res.status() != StatusCode::SERVICE_UNAVAILABLE || !caller.used_replica() {
        return res;
    }
    caller.replica_failed();
    tracing::warn!(path = %again.uri.path(), "a read replica failed a request: answering it again from the primary");
    // A GET's body means nothing to this API, so the second run needs none.
    caller.on_primary().scope(next.run(Request::from_parts(again, Body::empty()))).await
}

/// The caller's keys: its credential (the `Authorization` header as sent) and its client address, each hashed
/// with a key of this process so that neither is kept in the clear.
fn caller_keys(parts: &axum::http::request::Parts, state: &AppState) -> (Option<u64>, Option<u64>) {
    static HASHER: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    let hasher = HASHER.get_or_init(Default::default);
    let credential = parts.headers.get(header::AUTHORIZATION).map(|c| hasher.hash_one(("credential", c.as_bytes())));
    let address = crate::rate::address::client_ip(parts, state).map(|ip| hasher.hash_one(("address", ip)));
    (credential, address)
}
