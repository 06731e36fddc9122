//! The store code both backends share, written once: each resource's store trait implemented against the
//! [`Backend`] contract (`store/backend.rs`).
//!
//! Each backend declares this module tree once with `#[path]`, so it is compiled twice, once per backend: sqlx's
//! queries are typed by their database, and code generic over `sqlx::Database` would have to spell out, on every
//! function, that each bound value encodes and each row decodes on that database. The one name taken from the
//! declaring module is [`BackendStore`], its store type; everything it offers the code here is in [`Backend`],
//! and a type error names the backend's module path (`store::sqlite::shared::…`).
//!
//! The SQL is otherwise the same text for both: parameters are `$1, $2, …` (SQLite reads them too), casts are
//! written `cast(… as bigint)`, JSON goes through `sqlx::types::Json` (text in SQLite, `jsonb` in PostgreSQL).
//! What each backend does its own way entirely — the reads on every request's path, the group commit, the
//! PostgreSQL cache — stays in its own folder. The business rules the SQL enforces are plain functions in
//! `crate::domain` (`limits`, `plans`, `variables`), tested there once.

mod api_tokens;
pub(super) mod audit;
mod billing;
mod custom_roles;
mod factors;
mod features;
mod invitations;
mod members;
mod order;
pub(super) mod orgs;
mod outbox;
pub(super) mod private_spaces;
mod resets;
mod sessions;
mod teams;
mod trips;
pub(super) mod users;
mod variables;

pub(super) use super::BackendStore;
use crate::store::backend::Backend;

/// The backend's connection, as the resource code's helpers take it.
type Conn = crate::store::backend::Conn<BackendStore>;

/// The backend's SQL fragments as constants, for `format!`.
mod dialect {
    use super::{Backend, BackendStore};

    pub(super) const COLLATE_C: &str = <BackendStore as Backend>::COLLATE_C;
    pub(super) const NULL_TIMESTAMP: &str = <BackendStore as Backend>::NULL_TIMESTAMP;
    pub(super) const TIMESTAMP: &str = <BackendStore as Backend>::TIMESTAMP;
    pub(super) const SKIP_LOCKED: &str = <BackendStore as Backend>::SKIP_LOCKED;
    pub(super) const FOR_UPDATE: &str = <BackendStore as Backend>::FOR_UPDATE;
    pub(super) const SINGLE_NODE: bool = <BackendStore as Backend>::SINGLE_NODE;
    pub(super) const ID_IN_JSON: &str = <BackendStore as Backend>::ID_IN_JSON;
}
