//! E1–E5: countries, timezones, regions, zones and variable types.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::{countries, timezones};

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enums/countries", get(countries))
        .route("/enums/timezones", get(timezones))
        .route("/enums/imt-regions", get(regions))
        .route("/enums/imt-zones", get(zones))
        .route("/enums/variable-types", get(variable_types))
}

/// E1 `GET /enums/countries`.
#[utoipa::path(get, path = "/enums/countries", security(("Token" = [])),
    responses((status = 200, description = "The countries.", body = dto::Countries)))]
async fn countries(_: Authed) -> Reply {
    let list: Vec<Value> = countries::all()
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name, "code": c.code, "code2": c.code2}))
        .collect();
    Reply(json!({ "countries": list }))
}

/// E2 `GET /enums/timezones`: offsets and labels as of now, so they follow daylight saving time.
#[utoipa::path(get, path = "/enums/timezones", security(("Token" = [])),
    responses((status = 200, description = "The timezones.", body = dto::Timezones)))]
async fn timezones(State(state): State<AppState>, _: Authed) -> Reply {
    let now = state.now();
    let list: Vec<Value> = timezones::all()
        .iter()
        .map(|z| json!({"id": z.id, "name": z.label_at(now), "code": z.code(), "offset": z.offset_at(now)}))
        .collect();
    Reply(json!({ "timezones": list }))
}

/// E3 `GET /enums/imt-regions`: one region, this instance.
#[utoipa::path(get, path = "/enums/imt-regions", security(("Token" = [])),
    responses((status = 200, description = "The regions.", body = dto::Regions)))]
async fn regions(State(state): State<AppState>, _: Authed) -> Reply {
    Reply(json!({ "imtRegions": [ { "id": REGION_ID, "name": &*state.zone } ] }))
}

/// E4 `GET /enums/imt-zones`: one zone, this instance's host.
#[utoipa::path(get, path = "/enums/imt-zones", security(("Token" = [])),
    responses((status = 200, description = "The zones.", body = dto::Zones)))]
async fn zones(State(state): State<AppState>, _: Authed) -> Reply {
    Reply(json!({ "imtZones": [ { "id": 1, "name": &*state.zone } ] }))
}

/// E5 `GET /enums/variable-types`.
#[utoipa::path(get, path = "/enums/variable-types", security(("Token" = [])),
    responses((status = 200, description = "The variable types.", body = dto::VariableTypes)))]
async fn variable_types(_: Authed) -> Reply {
    Reply(json!({ "variableTypes": [
        {"id": 1, "name": "number"}, {"id": 2, "name": "string"},
        {"id": 3, "name": "boolean"}, {"id": 4, "name": "date"}
    ]}))
}

/// The only region id (`regionId` of O2).
pub const REGION_ID: i64 = 1;
