//! The `/api/v2` surface: one module per resource, merged here.

pub mod api_tokens;
pub mod audit;
pub mod billing;
pub mod body;
pub mod custom_roles;
pub mod docs;
pub mod enums;
pub mod features;
pub mod invitations;
pub mod members;
pub mod openapi;
pub mod orgs;
pub mod params;
pub mod path;
mod pick;
pub mod private_spaces;
pub mod read_routing;
pub mod reply;
pub mod roles;
pub mod teams;
pub mod usage;
pub mod users;
pub mod variables;

use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

/// A resource module's `router`.
type Resource = fn() -> OpenApiRouter<AppState>;

/// The resources in the order the document lists them, each with the tag of its operations (the tag also
/// prefixes their operation ids: `orgs.list`). `openapi.json` has no tag.
const RESOURCES: [(&str, Resource); 16] = [
    ("orgs", orgs::router),
    ("invitations", invitations::router),
    ("members", members::router),
    ("roles", roles::router),
    ("custom_roles", custom_roles::router),
    ("teams", teams::router),
    ("private_spaces", private_spaces::router),
    ("billing", billing::router),
    ("variables", variables::router),
    ("usage", usage::router),
    ("features", features::router),
    ("enums", enums::router),
    ("users", users::router),
    ("api_tokens", api_tokens::router),
    ("audit", audit::router),
    ("", openapi::router),
];

/// Every route under `/api/v2` together with its documentation: each resource registers its handlers with
/// `routes!`, which takes method and path from the handler's `#[utoipa::path]`, so the router is the list of
/// documented operations.
pub fn routes() -> OpenApiRouter<AppState> {
    RESOURCES.iter().fold(OpenApiRouter::new(), |all, (tag, resource)| all.merge(tagged(tag, resource())))
}

/// The routes under `/api/v2`.
pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

/// The operations of `/api/v2`, paths relative to it.
pub fn document() -> OpenApi {
    routes().split_for_parts().1
}

fn tagged(tag: &str, mut resource: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    for item in resource.get_openapi_mut().paths.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.post, &mut item.patch, &mut item.delete, &mut item.put].into_iter().flatten()
        {
            op.tags.get_or_insert_with(Vec::new).extend((!tag.is_empty()).then(|| tag.to_string()));
        }
    }
    resource
}
