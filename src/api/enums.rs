//! The enums: countries, timezones, regions, zones, variable types and connected-system apps.

use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::{countries, timezones};
use axum::extract::State;
use dto::IdName;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_countries))
        .routes(routes!(list_timezones))
        .routes(routes!(list_regions))
        .routes(routes!(list_zones))
        .routes(routes!(list_variable_types))
        .routes(routes!(list_connected_system_apps))
}

/// `GET /enums/countries`.
#[utoipa::path(get, path = "/enums/countries", operation_id = "countries", security(("Token" = [])),
    responses((status = 200, description = "The countries.", body = dto::Countries)))]
async fn list_countries(_: Authed) -> Reply<dto::Countries> {
    Reply(dto::Countries { countries: countries::all().iter().map(dto::Country::from).collect() })
}

/// `GET /enums/timezones`: offsets and labels as of now, so they follow daylight saving time.
#[utoipa::path(get, path = "/enums/timezones", operation_id = "timezones", security(("Token" = [])),
    responses((status = 200, description = "The timezones.", body = dto::Timezones)))]
async fn list_timezones(State(state): State<AppState>, _: Authed) -> Reply<dto::Timezones> {
    let now = state.now();
    Reply(dto::Timezones { timezones: timezones::all().iter().map(|z| dto::Timezone::at(z, now)).collect() })
}

/// `GET /enums/imt-regions`: one region, this instance.
#[utoipa::path(get, path = "/enums/imt-regions", operation_id = "regions", security(("Token" = [])),
    responses((status = 200, description = "The regions.", body = dto::Regions)))]
async fn list_regions(State(state): State<AppState>, _: Authed) -> Reply<dto::Regions> {
    Reply(dto::Regions { imt_regions: vec![IdName { id: REGION_ID, name: state.zone.to_string() }] })
}

/// `GET /enums/imt-zones`: one zone, this instance's host.
#[utoipa::path(get, path = "/enums/imt-zones", operation_id = "zones", security(("Token" = [])),
    responses((status = 200, description = "The zones.", body = dto::Zones)))]
async fn list_zones(State(state): State<AppState>, _: Authed) -> Reply<dto::Zones> {
    Reply(dto::Zones { imt_zones: vec![IdName { id: 1, name: state.zone.to_string() }] })
}

/// `GET /enums/variable-types`.
#[utoipa::path(get, path = "/enums/variable-types", operation_id = "variable_types", security(("Token" = [])),
    responses((status = 200, description = "The variable types.", body = dto::VariableTypes)))]
async fn list_variable_types(_: Authed) -> Reply<dto::VariableTypes> {
    let types = [(1, "number"), (2, "string"), (3, "boolean"), (4, "date")];
    Reply(dto::VariableTypes {
        variable_types: types.into_iter().map(|(id, name)| IdName { id, name: name.to_string() }).collect(),
    })
}

/// `GET /enums/connected-system-apps`: the apps a connected system (an on-premise agent) can run. orgd has no
/// connected systems, so the list is empty; the SDK's `enums.connectedSystemApps` still gets Make's shape.
#[utoipa::path(get, path = "/enums/connected-system-apps", operation_id = "connected_system_apps",
    security(("Token" = [])),
    responses((status = 200, description = "The connected-system apps: none on orgd.", body = dto::ConnectedSystemApps)))]
async fn list_connected_system_apps(_: Authed) -> Reply<dto::ConnectedSystemApps> {
    Reply(dto::ConnectedSystemApps { connected_system_apps: Vec::new() })
}

/// The only region id (`regionId` of `POST /organizations`).
pub const REGION_ID: i64 = 1;
