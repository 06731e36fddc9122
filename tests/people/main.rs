//! People signing in on their own (docs/people.md): each test starts the real server on 127.0.0.1:0 over a fresh
//! database and talks HTTP to it as the console does, cookie and `Origin` included.

mod api_tokens;
mod brute;
#[path = "../common/mod.rs"]
mod common;
#[path = "../api/helpers.rs"]
mod helpers;
mod join;
mod kit;
mod profile;
mod reset;
mod sessions;
mod signup;
#[path = "../mail/sink.rs"]
#[allow(dead_code)]
mod sink;
