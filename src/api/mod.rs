//! The `/api/v2` surface: one module per resource, merged here.

pub mod audit;
pub mod billing;
pub mod body;
pub mod docs;
pub mod enums;
pub mod features;
pub mod invitations;
pub mod members;
pub mod openapi;
pub mod orgs;
pub mod params;
pub mod path;
pub mod reply;
pub mod roles;
pub mod teams;
pub mod usage;
pub mod users;
pub mod variables;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(orgs::router())
        .merge(enums::router())
        .merge(users::router())
        .merge(invitations::router())
        .merge(members::router())
        .merge(roles::router())
        .merge(teams::router())
        .merge(billing::router())
        .merge(variables::router())
        .merge(usage::router())
        .merge(features::router())
        .merge(audit::router())
        .merge(openapi::router())
}
