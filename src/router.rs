//! The whole HTTP surface: the API, the docs, the console and the probes behind one stack of layers, and `serve`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::api;
use crate::api::body::MAX_BODY_BYTES;
use crate::app::AppState;
use crate::error::ApiError;

/// Longest accepted request target (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest accepted total size of the request headers, in bytes.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The whole HTTP surface. Outermost first: tracing with the request id, panics to 500, Make error bodies for
/// anything a layer answers, the drain deadline on shutdown, the request timeout, the body limit, then routing (with metrics per matched route).
pub fn build_router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs.max(1));
    // `orgd sandbox` only: the control endpoints, and the request log and fault rules in front of the rest.
    let sandbox = state.sandbox.is_some();
    let router = match sandbox {
        true => Router::new().nest("/_orgd", crate::sandbox::control::router()),
        false => Router::new(),
    };
    let router = router
        .nest("/api/v2", api::router())
        .merge(crate::mcp::router(state.clone(), api_for_tools(state.clone())))
        .merge(api::docs::router())
        .merge(crate::console::router())
        .merge(crate::people::router())
        .merge(crate::tfa::router())
        .route("/livez", get(livez))
        .route("/health", get(health))
        .route("/metrics", get(metrics_page))
        .route_layer(middleware::from_fn_with_state(state.clone(), api::read_routing::layer))
        .route_layer(middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(one_request))
        .layer(middleware::from_fn(bounds))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(middleware::from_fn_with_state(state.drain.clone(), crate::drain::guard))
        .layer(middleware::from_fn(make_errors));
    let router = match sandbox {
        true => router.layer(middleware::from_fn_with_state(state.clone(), crate::sandbox::layer)),
        false => router,
    };
    router
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `/api/v2` alone, with the body limit and Make's error bodies, for the MCP tools' calls: they enter here, past
/// the outer layers their MCP request already went through. In `orgd sandbox` a tool's call also passes the fault
/// rules and the request log, as the same REST call would.
fn api_for_tools(state: AppState) -> Router {
    let router = Router::new()
        .nest("/api/v2", api::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(make_errors));
    let router = match state.sandbox.is_some() {
        true => router.layer(middleware::from_fn_with_state(state.clone(), crate::sandbox::layer)),
        false => router,
    };
    router.with_state(state)
}

/// One request's reads: the store asks whether the database moved (another process's commit) once, not per
/// lookup (`store::one_request`).
async fn one_request(req: Request, next: Next) -> Response {
    crate::store::one_request(next.run(req)).await
}

/// Refuses over-long request targets (414) and header sections (431) before any work is done.
async fn bounds(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map(|p| p.as_str().len()).unwrap_or(0);
    if uri_len > MAX_URI_BYTES {
        return ApiError::TooLong { status: StatusCode::URI_TOO_LONG, what: "request target" }.into_response();
    }
    let header_len: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if header_len > MAX_HEADER_BYTES {
        return ApiError::TooLong { status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, what: "request headers" }
            .into_response();
    }
    next.run(req).await
}

/// Runs the server on an already bound listener (plain HTTP) until `shutdown` resolves; in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, None, state, shutdown).await
}

/// [`serve`], speaking TLS with `tls` when given. Connections are held to the deadlines and caps of the
/// settings (see [`crate::listener`]).
pub async fn serve_with(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let nofile = crate::listener::fds::current_limit();
    let limits = crate::listener::Limits::from_config(&state.config, nofile).map_err(std::io::Error::other)?;
    crate::listener::serve(listener, tls, build_router(state), limits, shutdown).await
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is called, not when it is first polled,
/// so a signal that arrives right after the "listening" line is not lost.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::spawn(tokio::signal::ctrl_c());
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
        tracing::info!("shutting down");
    }
}

async fn livez() -> &'static str {
    "ok"
}

/// How long `/health` waits for the database: a health check must answer quickly even while connections to an
/// unreachable database wait out their acquire timeout.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 `{"status": "ok"}` (with `"replicas"`, each read replica's state and lag, when there are any), or 503 in
/// Make's error format with `"status"` saying why: `"draining"` after SIGTERM,
/// `"database unavailable"` when the database does not answer within two seconds.
async fn health(State(state): State<AppState>) -> Response {
    let status = if state.drain.draining() {
        "draining"
    } else {
        match tokio::time::timeout(HEALTH_TIMEOUT, state.store.ping()).await {
            Ok(Ok(())) => return api::reply::Reply(healthy(&state)).into_response(),
            _ => "database unavailable",
        }
    };
    let err = ApiError::Unavailable(status.into());
    let mut body = serde_json::to_value(err.body()).expect("error bodies serialise");
    body["status"] = status.into();
    let mut res = api::reply::json(StatusCode::SERVICE_UNAVAILABLE, &body);
    let retry = err.into_response().headers().get(header::RETRY_AFTER).cloned();
    res.headers_mut().extend(retry.map(|v| (header::RETRY_AFTER, v)));
    res
}

/// `{"status": "ok"}`, with each read replica's state and lag when there are any: a replica down is no reason
/// for 503, since the primary then serves its reads.
fn healthy(state: &AppState) -> serde_json::Value {
    let replicas = state.store.replicas();
    match replicas.is_empty() {
        true => serde_json::json!({"status": "ok"}),
        false => serde_json::json!({"status": "ok", "replicas": replicas}),
    }
}

/// `GET /metrics`.
async fn metrics_page(State(state): State<AppState>) -> Response {
    let outbox = state.store.outbox_counts().await.ok();
    state.metrics.replicas(&state.store.replicas());
    let body = state.metrics.render(state.store.pool_stats(), outbox);
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    res
}

async fn not_found() -> ApiError {
    ApiError::NotFound("Route not found.".into())
}

/// Gives every error that did not come from a handler (405, timeouts, body limits) Make's error body. A handler's
/// own answer is JSON, or an HTML page for a person (the single-sign-on pages a browser lands on).
async fn make_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let err = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::NOT_FOUND => ApiError::NotFound("Route not found.".into()),
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
        s if s.is_client_error() => ApiError::field("request", s.canonical_reason().unwrap_or("Bad request")),
        _ => ApiError::Internal(anyhow::anyhow!("unhandled status {status}")),
    };
    let mut out = err.into_response();
    if status == StatusCode::METHOD_NOT_ALLOWED {
        if let Some(allow) = res.headers().get(header::ALLOW) {
            out.headers_mut().insert(header::ALLOW, allow.clone());
        }
    }
    *out.status_mut() = if status == StatusCode::REQUEST_TIMEOUT { StatusCode::GATEWAY_TIMEOUT } else { status };
    out
}
