//! Storage: one trait per resource, a `Store` supertrait over them, one implementation per backend.
//! Each method is one unit of work with its own transaction; handlers never hold one.

pub(crate) mod args;
pub mod audit;
mod backend;
pub mod caller;
pub mod clock;
pub(crate) mod compact;
pub mod counters;
pub mod dump;
mod error;
pub mod factors;
mod group;
mod known;
mod model;
pub mod models;
pub mod outbox;
pub mod page;
pub mod postgres;
pub mod private_spaces;
pub mod replica;
pub mod resets;
pub mod roles;
pub(crate) mod rows;
pub mod sessions;
pub mod sqlite;
mod traits;
mod writer;

pub use error::{StoreError, StoreResult};
pub use model::one_request;
pub use traits::{
    ApiTokenStore, AuditStore, BillingStore, FeatureStore, InvitationStore, MemberStore, OrgStore, OutboxStore,
    RequestReads, TeamStore, UserStore, VariableStore,
};

use std::sync::Arc;

use async_trait::async_trait;

/// Everything orgd stores.
#[async_trait]
pub trait Store:
    RequestReads
    + UserStore
    + ApiTokenStore
    + OrgStore
    + InvitationStore
    + MemberStore
    + TeamStore
    + BillingStore
    + VariableStore
    + FeatureStore
    + AuditStore
    + roles::CustomRoleStore
    + private_spaces::PrivateSpaceStore
    + sessions::SessionStore
    + resets::ResetStore
    + OutboxStore
    + factors::FactorStore
    + Send
    + Sync
{
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Whether the database answers (for `/health`).
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the pools, waiting for connections in use.
    async fn close(&self);
    /// Starts following changes made by other processes, where the backend keeps answers between requests (the
    /// server calls this; one-shot commands need not).
    fn watch_changes(&self) {}
    /// Connections open, idle and allowed in the pool(s).
    fn pool_stats(&self) -> PoolStats;
    /// Counts one request against `key` in `minute` and returns the count so far; shared by every node that uses
    /// the same database.
    async fn rate_hit(&self, key: &str, minute: i64) -> StoreResult<i64>;
    /// The read replicas and what the probe knows of each (none on SQLite, or when none are configured).
    fn replicas(&self) -> Vec<replica::ReplicaStatus> {
        Vec::new()
    }
    /// Snapshots and a full dump, where the database lives in this process's memory (`orgd sandbox`).
    fn snapshots(&self) -> Option<&dyn dump::Snapshots> {
        None
    }
}

/// Database pool figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct Options {
    pub max_connections: u32,
    pub acquire_timeout: std::time::Duration,
    /// PostgreSQL standbys that serve reads (`--database-replica`).
    pub replicas: replica::ReplicaOptions,
    /// Organizations the read model keeps at most (`read_model_max_orgs`).
    pub read_model_max_orgs: usize,
}

/// Why SQLite refuses `--database-replica` (also said by the settings' check, before anything is opened).
pub const REPLICAS_NEED_POSTGRES: &str = "database replicas (--database-replica / ORGD_DATABASE_REPLICAS) are \
     PostgreSQL streaming standbys; SQLite has no standbys to read from: remove the setting or use postgres://";

/// Opens the backend named by the URL scheme; `sqlite::memory:` is a new SQLite database in this process's memory.
pub async fn open(url: &str, opts: &Options) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        if !opts.replicas.urls.is_empty() {
            anyhow::bail!(REPLICAS_NEED_POSTGRES);
        }
        Ok(Arc::new(sqlite::SqliteStore::open(url, opts).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url, opts).await?))
    } else {
        anyhow::bail!("unsupported database URL (expected sqlite://PATH or postgres://…)")
    }
}

#[cfg(test)]
mod tests {
    fn names(dir: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut v: Vec<String> =
            std::fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names("postgres"));
    }
}
