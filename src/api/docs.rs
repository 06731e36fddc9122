//! The API docs page at `/docs`: Swagger UI over `/api/v2/openapi.json`. Its assets are compiled into the binary
//! (`utoipa-swagger-ui` with the `vendored` feature), so the page works without network access, and the
//! online spec validator is switched off so the browser contacts nothing but this server.

use axum::Router;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::app::AppState;

/// Where the page lives (it redirects to `/docs/`).
pub const PATH: &str = "/docs";

/// The page's routes: `/docs`, `/docs/` and its assets under `/docs/`.
pub fn router() -> Router<AppState> {
    let config = Config::new(["/api/v2/openapi.json"])
        .validator_url("none")
        .try_it_out_enabled(true)
        .persist_authorization(true)
        .display_request_duration(true);
    SwaggerUi::new(PATH).config(config).into()
}
