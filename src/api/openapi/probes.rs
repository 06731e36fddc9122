//! The probes outside `/api/v2` (`/livez`, `/health`, `/metrics`, served from `router.rs`), described
//! here so that the document covers every route of the router. These functions only carry the annotations.

use crate::error::ErrorBody;

/// Whether the process serves HTTP (orgd extension; no authentication).
#[utoipa::path(
    get,
    path = "/livez",
    responses((status = 200, description = "The process serves HTTP.", body = String, content_type = "text/plain",
               example = "ok")),
    extensions(("x-orgd-extension" = json!(true)))
)]
pub fn livez() {}

/// Whether the database answers (orgd extension; no authentication).
#[utoipa::path(
    get,
    path = "/health",
    responses(
        (status = 200, description = "The database answers.", body = super::common::HealthBody),
        (status = 503, description = "The database is unreachable (`SC503`).", body = ErrorBody),
    ),
    extensions(("x-orgd-extension" = json!(true)))
)]
pub fn health() {}

/// Request counts, latencies and database pool figures in Prometheus text format (orgd extension; no
/// authentication).
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4.", body = String,
               content_type = "text/plain")),
    extensions(("x-orgd-extension" = json!(true)))
)]
pub fn metrics() {}
