//! What every request reads, kept between requests on PostgreSQL, where each statement is a network round trip:
//! tokens (digest → token and user) here, and the read model (`store/model/`: organizations, memberships,
//! teams, usage, custom roles, private spaces) beside it. Only live tokens are kept, so inserts cannot make an
//! entry wrong; updates and deletes can, and those are what the triggers report.
//!
//! Correctness comes from invalidation, not expiry. Triggers (migrations `…_auth_notify`, `…_read_model_notify`)
//! send `NOTIFY orgd_auth_changed` with every change to the tables these answers are read from, whichever node or
//! `orgd` command made it: with an empty payload for tokens and users (everything is dropped), with
//! `org:<id>` for an organization's own rows (the model drops that organization). Each node LISTENs on a
//! connection of its own. While that connection is down (a restart, a network cut) notifications could be
//! missed, so the cache and the model are off and every request reads the database; once it listens again they
//! start empty. An answer read while a notification arrived is not kept (the generation check in
//! [`AuthCache::keep_token`], the model's tickets).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};

use crate::store::model::{Named, ReadModel};
use crate::store::models::TokenAuth;

/// The channel the triggers notify.
const CHANNEL: &str = "orgd_auth_changed";
/// Entries kept at most per map; past it the map starts over (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
struct State {
    /// Whether notifications are being received; without them nothing is served from or kept in the cache.
    listening: bool,
    /// Bumped by every notification and every (re)connection.
    generation: u64,
    tokens: HashMap<String, TokenAuth>,
}

/// A generation observed before a database read: what was read may be kept only if no change came since.
#[derive(Clone, Copy)]
pub(super) struct Ticket(Option<u64>);

#[derive(Clone)]
pub(super) struct AuthCache {
    state: Arc<Mutex<State>>,
    /// The read model, which listens through this cache's connection.
    model: ReadModel,
}

impl AuthCache {
    pub(super) fn new(model: ReadModel) -> Self {
        AuthCache { state: Arc::default(), model }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn token(&self, digest: &str) -> Result<TokenAuth, Ticket> {
        let s = self.lock();
        match s.tokens.get(digest) {
            Some(hit) if s.listening => Ok(hit.clone()),
            _ => Err(Ticket(s.listening.then_some(s.generation))),
        }
    }

    pub(super) fn keep_token(&self, ticket: Ticket, digest: &str, auth: &TokenAuth) {
        let mut s = self.lock();
        if s.listening && ticket.0 == Some(s.generation) {
            bounded(&mut s.tokens).insert(digest.to_string(), auth.clone());
        }
    }

    /// Forgets what changes made through this node may have made wrong (what `named` says): its own next request
    /// must not wait for the notification to see them.
    pub(super) fn committed(&self, named: &[Named]) {
        if named.iter().any(|n| *n != Named::Nothing) {
            let listening = self.lock().listening;
            self.forget_tokens(listening);
        }
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
        self.forget_tokens(listening);
        self.model.reset(listening);
    }

    fn forget_tokens(&self, listening: bool) {
        let mut s = self.lock();
        s.generation += 1;
        s.listening = listening;
        s.tokens.clear();
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

fn bounded<K, V>(map: &mut HashMap<K, V>) -> &mut HashMap<K, V> {
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::models::User;

    fn auth() -> TokenAuth {
        let user = User {
            id: 1,
            email: "a@b.c".into(),
            name: "A".into(),
            language: "en".into(),
            timezone_id: 1,
            country_id: 1,
            is_admin: false,
            tfa_enabled: false,
            created_at: chrono::Utc::now(),
        };
        TokenAuth { token_id: 1, user, scopes: vec![], session_id: None }
    }

    #[test]
    fn nothing_is_kept_or_served_without_notifications_or_across_a_change() {
        let cache = AuthCache::new(ReadModel::new(10, false));
        let ticket = cache.token("d").unwrap_err();
        cache.keep_token(ticket, "d", &auth());
        assert!(cache.token("d").is_err(), "not listening: nothing kept");
        cache.reset(true);
        let ticket = cache.token("d").unwrap_err();
        cache.keep_token(ticket, "d", &auth());
        assert!(cache.token("d").is_ok(), "listening: kept");
        let ticket = cache.token("e").unwrap_err();
        cache.reset(true); // a change arrives while the token is being read
        cache.keep_token(ticket, "e", &auth());
        assert!(cache.token("e").is_err(), "read across a change: not kept");
        let ticket = cache.token("d").unwrap_err();
        cache.keep_token(ticket, "d", &auth());
        cache.notified("org:1");
        assert!(cache.token("d").is_ok(), "an organization's change keeps the tokens");
        cache.notified("");
        assert!(cache.token("d").is_err(), "a change drops what was kept");
        cache.reset(false);
        assert!(cache.token("d").is_err());
    }
}
