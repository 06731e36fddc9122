//! Integration tests: each starts the real server on 127.0.0.1:0 over a fresh database and talks HTTP to it.

mod api_tokens;
mod audit;
mod auth;
mod billing;
mod cli;
#[path = "../common/mod.rs"]
mod common;
mod compact;
mod conventions;
mod corpus;
mod custom_roles;
mod defaults;
mod enums;
mod features;
mod helpers;
mod invitations;
mod matrix;
mod members;
mod model_watch;
mod observability;
mod openapi;
mod orgs;
mod orgs_order;
mod outbox;
mod persistence;
mod private_spaces;
mod rate;
mod roles;
mod teams;
mod usage;
mod users;
mod variables;
