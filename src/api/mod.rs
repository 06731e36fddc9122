//! The `/api/v2` surface: one module per resource, merged here.

pub mod body;
pub mod enums;
pub mod orgs;
pub mod params;
pub mod reply;
pub mod users;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(orgs::router()).merge(enums::router()).merge(users::router())
}
