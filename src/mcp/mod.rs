//! The Model Context Protocol endpoint at Make's addresses: `/mcp/stateless` with `Authorization: Bearer <token>`
//! or `Token <token>`, and `/mcp/u/<token>/stateless` with the token in the path (Streamable HTTP, stateless, JSON
//! answers). Its tools are the pinned SDK's own definitions for what orgd serves (`make-tools.json`) and orgd's
//! tools for the rest of its surface (`routes.rs`); a call goes through the same handlers as the REST request.

mod catalogue;
mod routes;
mod server;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

pub use catalogue::Catalogue;
use server::OrgdMcp;

use crate::app::AppState;
use crate::auth;

/// The two MCP addresses, answering through `api` (the `/api/v2` router with its state) for tool calls.
pub fn router(state: AppState, api: Router) -> Router<AppState> {
    let doc = serde_json::to_value(crate::api::openapi::base()).expect("the OpenAPI document serialises");
    let mcp = OrgdMcp { catalogue: Arc::new(Catalogue::build(&doc)), api };
    // Stateless, like Make's default transport: each POST carries one JSON-RPC message and gets its JSON answer.
    // The Host check guards servers that trust any local caller; every call here needs an API token, and orgd
    // answers under whatever name its operator gives it, so it is off.
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .disable_allowed_hosts();
    let service = StreamableHttpService::new(move || Ok(mcp.clone()), Arc::new(NeverSessionManager::default()), config);
    Router::new()
        .route_service("/mcp/stateless", service.clone())
        .route_service("/mcp/u/{token}/stateless", service)
        .route_layer(middleware::from_fn_with_state(state, authenticate))
}

/// Resolves the caller as the REST API does (401 in Make's body without a valid token) and leaves it in the request
/// for the tools; a token in the path becomes the `Authorization` header. Only a refusal is counted here: each
/// tool call counts as the REST request it makes, in that request's bucket.
async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(token) = token_in_path(parts.uri.path()) {
        match HeaderValue::from_str(&format!("Token {token}")) {
            Ok(v) => parts.headers.insert(header::AUTHORIZATION, v),
            Err(_) => return auth::malformed().into_response(),
        };
    }
    match auth::identify(&parts, &state).await {
        Ok(caller) => parts.extensions.insert(caller),
        Err(e) => return e.into_response(),
    };
    next.run(Request::from_parts(parts, body)).await
}

/// The token of `/mcp/u/<token>/stateless`.
fn token_in_path(path: &str) -> Option<&str> {
    path.strip_prefix("/mcp/u/")?.strip_suffix("/stateless").filter(|t| !t.is_empty() && !t.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::token_in_path;

    #[test]
    fn the_token_comes_from_the_path_form_only() {
        assert_eq!(token_in_path("/mcp/u/abc/stateless"), Some("abc"));
        assert_eq!(token_in_path("/mcp/stateless"), None);
        assert_eq!(token_in_path("/mcp/u//stateless"), None);
    }
}
