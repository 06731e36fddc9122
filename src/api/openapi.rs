//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the wire types next
//! to them, served at `GET /api/v2/openapi.json`. Responses every operation shares (401, 429, 413/415 for bodies,
//! 414/431/503/504 from the layers) are added here once instead of on every handler.

pub mod answers;
pub mod common;
pub mod probes;

use std::sync::OnceLock;

use axum::extract::State;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::reply::Reply;
use crate::app::AppState;
use crate::error::ErrorBody;
use crate::sandbox::control as sandbox;

/// The name of the security scheme every authenticated operation lists.
pub const TOKEN: &str = "Token";

/// The extension key that marks what Make's cloud does not have.
pub const EXTENSION: &str = "x-orgd-extension";

/// The document's frame: its title and description, and the probes outside `/api/v2` (served by `router.rs`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "orgd",
        description = "Make API v2 \"Organizations\" surface, served by orgd. Paths Make's cloud does not have \
            are marked `x-orgd-extension: true`. Authenticate with `Authorization: Token <api-token>`.",
    ),
    paths(probes::livez, probes::health, probes::metrics)
)]
struct Root;

/// The control endpoints of `orgd sandbox`, in the document only where they are served.
#[derive(OpenApi)]
#[openapi(
    paths(
        sandbox::reset,
        sandbox::get_state,
        sandbox::put_state,
        sandbox::get_clock,
        sandbox::put_clock,
        sandbox::add_fault,
        sandbox::list_faults,
        sandbox::clear_faults,
        sandbox::list_requests,
        sandbox::clear_requests,
        sandbox::seed_schema,
    ),
    tags((name = "sandbox", description = "Only in `orgd sandbox`, only for the bootstrap administrator's token: \
        reset, state, clock, fault rules and the request log (docs/sandbox.md).")),
    components(schemas(ErrorBody))
)]
struct SandboxApi;

/// The document as the code describes it (the price list is the default catalogue's): the frame with the
/// operations the API's router registers nested under `/api/v2`, and the shared answers added.
pub fn base() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Root::openapi().nest("/api/v2", crate::api::document());
        Shared.modify(&mut doc);
        doc
    })
}

/// The document this instance serves: the base with the instance's own price ids.
pub fn document(state: &AppState) -> Document {
    let mut doc = base().clone();
    if let Some(components) = doc.components.as_mut() {
        let ids: Vec<String> = state.plans.prices().into_iter().map(|p| p.id).collect();
        if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut("PriceId") {
            o.enum_values = Some(ids.into_iter().map(Into::into).collect());
        }
    }
    if state.sandbox.is_some() {
        doc.merge(SandboxApi::openapi());
    }
    doc
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// The OpenAPI document of this server (orgd extension).
#[utoipa::path(
    get,
    path = "/openapi.json",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = common::AnyObject)),
    extensions(("x-orgd-extension" = json!(true)))
)]
async fn openapi_json(State(state): State<AppState>) -> Reply<Document> {
    Reply(document(&state))
}

/// Adds the security scheme and the responses that every operation of a kind shares.
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let scheme = ApiKeyValue::with_description(
            "Authorization",
            "`Token <api-token>`: an API token (a UUIDv4) from `orgd users add`, or the bootstrap token. \
             `Bearer <api-token>` is accepted too. Each operation lists the scopes it accepts: any one suffices.",
        );
        components.add_security_scheme(TOKEN, SecurityScheme::ApiKey(ApiKey::Header(scheme)));
        components.schemas.entry(ErrorBody::name().into_owned()).or_insert_with(ErrorBody::schema);
        for (path, item) in doc.paths.paths.iter_mut() {
            let probe = !path.starts_with("/api/v2/") || path == "/api/v2/openapi.json";
            for op in [&mut item.get, &mut item.post, &mut item.patch, &mut item.delete, &mut item.put] {
                if let Some(op) = op.as_mut() {
                    add_shared(op, probe);
                }
            }
        }
    }
}

fn error(description: &str) -> utoipa::openapi::ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody")))),
    )
}

fn add_shared(op: &mut Operation, probe: bool) {
    split_summary(op);
    // Handlers are named by action inside their module (`orgs::list`, `teams::list`): the module makes the id unique.
    if let (Some(tag), Some(id)) = (op.tags.as_ref().and_then(|t| t.first()), op.operation_id.as_mut()) {
        *id = format!("{tag}.{id}");
    }
    if let Some(body) = op.request_body.as_mut().filter(|b| b.required != Some(Required::True)) {
        // An optional body is absent or an object, never a JSON `null` (which the server refuses).
        for content in body.content.values_mut() {
            if let Some(RefOr::T(Schema::OneOf(one))) = &content.schema {
                let rest: Vec<_> = one.items.iter().filter(|s| !is_null(s)).cloned().collect();
                if let [only] = rest.as_slice() {
                    content.schema = Some(only.clone());
                }
            }
        }
    }
    let shared = shared_responses(op, probe);
    let responses = &mut op.responses.responses;
    for (status, response) in shared {
        responses.entry(status.to_string()).or_insert(RefOr::T(response));
    }
}

/// The doc comment's first paragraph becomes the summary; keep its first sentence there and all of it below.
fn split_summary(op: &mut Operation) {
    let Some(first) = op.summary.take() else { return };
    let text = match op.description.take() {
        Some(rest) => format!("{first} {rest}"),
        None => first,
    };
    let full = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = full.find(". ").map(|i| &full[..=i]).unwrap_or(&full).to_string();
    if summary != full {
        op.description = Some(full);
    }
    op.summary = Some(summary);
}

/// The answers any operation may get from the layers around the handlers: bounds and timeouts everywhere, the
/// database's absence except on the probes, credentials and rate limits where a token is needed, body limits where
/// a body is taken.
fn shared_responses(op: &Operation, probe: bool) -> Vec<(&'static str, utoipa::openapi::Response)> {
    let integer = || -> Object { ObjectBuilder::new().schema_type(Type::Integer).build() };
    let string = || -> Object { ObjectBuilder::new().schema_type(Type::String).build() };
    let mut shared = vec![
        ("414", error("The request target is longer than 8 KiB.").build()),
        ("431", error("The request headers are larger than 32 KiB.").build()),
        ("504", error("The request took longer than the configured request timeout.").build()),
    ];
    if !probe {
        shared.push(("503", error("The database could not be reached in time.").build()));
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        let www = HeaderBuilder::new().schema(string()).build();
        let unauthorized = error("Missing, malformed, unknown or revoked API token (`IM015`).");
        shared.push(("401", unauthorized.header("WWW-Authenticate", www).build()));
        let retry =
            HeaderBuilder::new().schema(integer()).description(Some("Seconds until the next minute starts.")).build();
        let limited = error("Too many requests for the organization (or the caller) this minute (`SC429`).");
        shared.push(("429", limited.header("Retry-After", retry).build()));
    }
    if op.request_body.is_some() {
        shared.push(("413", error("The body is larger than 256 KiB (`SC413`).").build()));
        shared.push(("415", error("The body is not `application/json` (`SC415`).").build()));
    }
    shared
}

fn is_null(s: &RefOr<Schema>) -> bool {
    matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_document_is_openapi_3_1_and_marks_the_extensions() {
        let doc = serde_json::to_value(base()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        assert_eq!(doc["paths"]["/api/v2/enums/prices"]["get"][EXTENSION], json!(true));
        assert!(doc["paths"]["/api/v2/organizations"]["get"].get(EXTENSION).is_none());
        assert_eq!(doc["components"]["securitySchemes"][TOKEN]["type"], "apiKey");
    }
}
