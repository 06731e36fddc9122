//! What happens when the things around orgd fail: the PostgreSQL server goes away under load and comes back
//! (two nodes), the disk under SQLite fills up, SIGTERM arrives with a request in flight. Each test prints its
//! figures (run with `--nocapture` to see them).

#[path = "../common/mod.rs"]
mod common;

mod cluster;
mod disk_full;
mod drain;
mod load;
mod outage;
