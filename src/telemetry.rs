//! Logging: `RUST_LOG` (default `orgd=info,tower_http=info`), text or JSON lines on stderr.

use axum::extract::MatchedPath;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("orgd=info,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) is harmless; the first subscriber stays.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

/// The span of one request: method, route and the request id (also sent back as `x-request-id`). The route is
/// the matched pattern (`/api/v2/organizations/{organizationId}`), so that spans group by endpoint and carry no
/// ids; only a request no route matches records its raw path. This works because the router applies its layers
/// per route, after matching, so `MatchedPath` is already set when the span is made.
pub fn span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let path = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_else(|| req.uri().path());
    let level_debug = matches!(path, "/livez" | "/health" | "/metrics");
    if level_debug {
        tracing::debug_span!("request", method = %req.method(), path = %path, request_id = %id)
    } else {
        tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
    }
}
