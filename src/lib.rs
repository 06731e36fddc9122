//! orgd: a self-hostable server for the Make API v2 "Organizations" surface.

pub mod access;
pub mod api;
pub mod app;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod domain;
pub mod drain;
pub mod error;
pub mod factors;
pub mod grant;
pub mod identity;
pub mod listener;
pub mod mail;
pub mod mcp;
pub mod metrics;
pub mod people;
pub mod rate;
pub mod retention;
pub mod router;
pub mod sandbox;
pub mod sandbox_server;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod tfa;
pub mod tls;

pub use app::AppState;
pub use router::{build_router, serve, serve_with};
