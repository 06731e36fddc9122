//! The MCP server: `tools/list` shows the tools the caller's token may call, `tools/call` checks that again and
//! sends the operation's request through orgd's own API router, in-process, so the answer, the permission checks,
//! the rate limits and the audit entries are those of the REST call.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, request::Parts, Request};
use axum::Router;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, InitializeResult,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value};
use tower::ServiceExt;

use super::catalogue::{Catalogue, Entry};
use crate::app::Peer;
use crate::auth::Caller;
use crate::error::ApiError;

/// One MCP server per request (the transport is stateless); all share the catalogue and the API router.
#[derive(Clone)]
pub struct OrgdMcp {
    pub catalogue: Arc<Catalogue>,
    /// `/api/v2` with its error layer and state: where tool calls go.
    pub api: Router,
}

/// The HTTP request the MCP message came in, which the authentication layer has given its `Caller`.
fn request_parts(ctx: &RequestContext<RoleServer>) -> Result<(&Parts, &Caller), ErrorData> {
    let parts = ctx.extensions.get::<Parts>().ok_or_else(|| ErrorData::internal_error("no HTTP request", None))?;
    let caller = parts.extensions.get::<Caller>().ok_or_else(|| ErrorData::internal_error("no caller", None))?;
    Ok((parts, caller))
}

impl ServerHandler for OrgdMcp {
    fn get_info(&self) -> InitializeResult {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("orgd", env!("CARGO_PKG_VERSION")))
            .with_instructions("Make's organization management (organizations, teams, users, roles, custom roles, members, invitations, variables, usage, feature controls, audit log) served by orgd.")
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let (_, caller) = request_parts(&ctx)?;
        let tools = self.catalogue.0.iter().filter(|e| e.allows(caller)).map(|e| e.tool.clone()).collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (parts, caller) = request_parts(&ctx)?;
        let entry = self
            .catalogue
            .get(&request.name)
            .ok_or_else(|| ErrorData::invalid_params(format!("Unknown tool '{}'.", request.name), None))?;
        let args = request.arguments.unwrap_or_default();
        let (ok, answer) = if !entry.allows(caller) {
            let any = entry.any_of.clone().unwrap_or_default().join(" or ");
            refusal(ApiError::Forbidden(format!(
                "Access denied. The API token lacks the scope this tool needs ({any})."
            )))
        } else {
            match build_request(entry, &args, parts) {
                Ok(req) => self.send(req).await,
                Err(e) => refusal(e),
            }
        };
        Ok(result(ok, answer).into())
    }
}

impl OrgdMcp {
    /// Sends the request through the API router; the answer's success and JSON body.
    async fn send(&self, req: Request<Body>) -> (bool, Value) {
        let res = match self.api.clone().oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        };
        let ok = res.status().is_success();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap_or_default();
        (ok, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// A refusal before the call, in Make's error body, as the API would answer it.
fn refusal(e: ApiError) -> (bool, Value) {
    (false, serde_json::to_value(e.body()).unwrap_or(Value::Null))
}

/// The tool result: the JSON answer as text and as structured content; `isError` for a refusal or failure.
fn result(ok: bool, answer: Value) -> CallToolResult {
    let text = ContentBlock::text(answer.to_string());
    let mut r = if ok { CallToolResult::success(vec![text]) } else { CallToolResult::error(vec![text]) };
    r.structured_content = Some(answer);
    r
}

/// The REST request of a tool call: path segments from their arguments (by the route's renames), documented
/// query parameters into the query (arrays as `key[]`), the rest into the JSON body where the operation takes
/// one, else into the query; the caller's `Authorization` and client address as they came.
fn build_request(entry: &Entry, args: &Map<String, Value>, parts: &Parts) -> Result<Request<Body>, ApiError> {
    let route = &entry.route;
    let mut path = route.path.to_string();
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut body = Map::new();
    for (key, value) in args {
        let segment = route.renames.iter().find(|(arg, _)| arg == key).map_or(key.as_str(), |(_, seg)| *seg);
        if entry.path_params.iter().any(|p| p == segment) {
            let raw = scalar(value)
                .ok_or_else(|| ApiError::field(segment, format!("{segment} must be a number or a string")))?;
            let encoded = percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC).to_string();
            path = path.replace(&format!("{{{segment}}}"), &encoded);
        } else if let Some(name) = query_name(entry, key) {
            append_query(&mut query, &name, value);
        } else if entry.has_body {
            body.insert(key.clone(), value.clone());
        } else {
            append_query(&mut query, key, value);
        }
    }
    if let Some(missing) = entry.path_params.iter().find(|p| path.contains(&format!("{{{p}}}"))) {
        return Err(ApiError::field(missing, format!("{missing} is required")));
    }
    for (k, v) in route.fixed {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let uri = if query.is_empty() { format!("/api/v2{path}") } else { format!("/api/v2{path}?{query}") };
    let mut req = Request::builder().method(route.method.method()).uri(uri);
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        req = req.header(header::AUTHORIZATION, auth);
    }
    // The client address is resolved from these as for the MCP request itself (trusted proxies).
    for forwarded in parts.headers.get_all("x-forwarded-for") {
        req = req.header("x-forwarded-for", forwarded);
    }
    let body = if entry.has_body {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from(Value::Object(body).to_string())
    } else {
        Body::empty()
    };
    let mut req = req.body(body).map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(peer) = parts.extensions.get::<ConnectInfo<Peer>>() {
        req.extensions_mut().insert(*peer);
    }
    Ok(req)
}

/// The documented query parameter an argument fills: its own name, or `name[]` for a list.
fn query_name(entry: &Entry, key: &str) -> Option<String> {
    let list = format!("{key}[]");
    entry.query_params.iter().find(|q| *q == key || **q == list).cloned()
}

fn append_query(query: &mut form_urlencoded::Serializer<'_, String>, name: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            let key = if name.ends_with("[]") { name.to_string() } else { format!("{name}[]") };
            for item in items {
                query.append_pair(&key, &scalar(item).unwrap_or_else(|| item.to_string()));
            }
        }
        Value::Null => {}
        other => {
            query.append_pair(name, &scalar(other).unwrap_or_else(|| other.to_string()));
        }
    }
}

/// A number, string or boolean as it is written in a URL.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
