//! What keeps the per-node read model (`store/model/`: tokens, organizations, memberships, teams, usage, custom
//! roles, private spaces) true on PostgreSQL, where other nodes and `orgd` commands write too.
//!
//! Correctness comes from invalidation, not expiry. Triggers (migrations `…_auth_notify`, `…_read_model_notify`)
//! send `NOTIFY orgd_auth_changed` with every change to the tables these answers are read from, whichever node or
//! `orgd` command made it: with an empty payload for tokens and users (everything is dropped), with
//! `org:<id>` for an organization's own rows (the model drops that organization). Each node LISTENs on a
//! connection of its own. While that connection is down (a restart, a network cut) notifications could be
//! missed, so the model is off and every request reads the database; once it listens again it starts empty. An
//! answer read while a notification arrived is not kept (the model's tickets).

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};

use crate::store::model::{Named, ReadModel};

/// The channel the triggers notify.
const CHANNEL: &str = "orgd_auth_changed";

#[derive(Clone)]
pub(super) struct AuthCache {
    /// The read model, which listens through this cache's connection.
    model: ReadModel,
}

impl AuthCache {
    pub(super) fn new(model: ReadModel) -> Self {
        AuthCache { model }
    }

    /// Forgets what changes made through this node may have made wrong (what `named` says): its own next request
    /// must not wait for the notification to see them.
    pub(super) fn committed(&self, named: &[Named]) {
        self.model.committed(named);
    }

    /// What a notification says: `org:<id>` a change to that organization's rows, anything else any change.
    fn notified(&self, payload: &str) {
        match payload.strip_prefix("org:").and_then(|id| id.parse().ok()) {
            Some(id) => self.model.changed(Some(id)),
            None => self.reset(true),
        }
    }

    /// Forgets everything; `listening` says whether notifications will tell about the next change.
    fn reset(&self, listening: bool) {
        self.model.reset(listening);
    }

    /// Listens for changes until the process ends, reconnecting after a lost connection.
    pub(super) fn spawn_listener(&self, pool: PgPool) {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                match listen(&cache, &pool).await {
                    Ok(()) => return, // the pool was closed: the store is shutting down
                    Err(e) => tracing::warn!(error = %e, "change notifications lost: token cache and read model off"),
                }
                cache.reset(false);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
    }
}

/// One listening connection's life: returns Ok when the pool closed, Err when the connection failed.
async fn listen(cache: &AuthCache, pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // From here on every change is notified: the cache may serve (and starts empty, as changes before now were not).
    cache.reset(true);
    tracing::info!("listening for changes: token cache and read model on");
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => cache.notified(n.payload()),
            Ok(None) => return Err(sqlx::Error::Protocol("notification connection lost".into())),
            Err(sqlx::Error::PoolClosed) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
