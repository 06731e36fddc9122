//! Logging: `RUST_LOG` (default `orgd=info,tower_http=info`), text or JSON lines on stderr.

use axum::extract::MatchedPath;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("orgd=info,tower_http=info"));
    // Colours only for a terminal: a log file or collector gets plain lines (and no escape codes to format).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    use tower_http::trace::TraceLayer;
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::Layer;

    /// Collects the `path` field of every new span.
    #[derive(Clone, Default)]
    struct Paths(Arc<Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> Layer<S> for Paths {
        fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, _: &tracing::span::Id, _: Context<'_, S>) {
            struct Visit<'a>(&'a Mutex<Vec<String>>);
            impl tracing::field::Visit for Visit<'_> {
                fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                    if field.name() == "path" {
                        self.0.lock().unwrap().push(format!("{value:?}"));
                    }
                }
            }
            attrs.record(&mut Visit(&self.0));
        }
    }

    #[tokio::test]
    async fn spans_carry_the_matched_route_and_the_raw_path_only_when_nothing_matched() {
        let paths = Paths::default();
        let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(paths.clone()));
        // Built like the real router: routes and a fallback, then the trace layer. The route is one the OpenAPI
        // document has, because tests/api/openapi.rs checks every route call under src/ against it.
        let app = Router::new()
            .route("/api/v2/organizations/{organizationId}", get(|| async { "ok" }))
            .fallback(|| async { "none" })
            .layer(TraceLayer::new_for_http().make_span_with(super::span));
        for uri in ["/api/v2/organizations/42", "/nowhere/7"] {
            app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        }
        assert_eq!(*paths.0.lock().unwrap(), ["/api/v2/organizations/{organizationId}", "/nowhere/7"]);
    }
}
