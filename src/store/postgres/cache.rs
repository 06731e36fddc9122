//! What every request reads, kept between requests on PostgreSQL, where each statement is a network round trip:
//! tokens (digest → token and user) and memberships ((organization, user) → organization row and role). Only
//! what exists is kept (a live token, an active member), so inserts cannot make an entry wrong; updates and
//! deletes can, and those are what the triggers report.
//!
//! Correctness comes from invalidation, not expiry. Triggers on the tables these answers are read from
//! (`tokens`, `users`, `organizations`, `organization_members`; migration `…_auth_notify`) send
//! `NOTIFY orgd_auth_changed` with every change, whichever node or `orgd` command made it; each node LISTENs on
//! a connection of its own and drops everything it cached when a notification arrives, so a revoked token, a
//! removed member or a changed role takes effect on every node milliseconds after the commit. While that
//! connection is down (a restart, a network cut) notifications could be missed, so the cache is off and every
//! request reads the database; once it listens again the cache starts empty. An answer read while a
//! notification arrived is not kept (the generation check in [`AuthCache::keep_token`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};

use crate::store::models::{OrgAccess, TokenAuth};

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
    access: HashMap<(i64, i64), OrgAccess>,
}

/// A generation observed before a database read: what was read may be kept only if no change came since.
#[derive(Clone, Copy)]
pub(super) struct Ticket(Option<u64>);

#[derive(Clone, Default)]
pub(super) struct AuthCache {
    state: Arc<Mutex<State>>,
}

impl AuthCache {
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

    pub(super) fn access(&self, org_id: i64, user_id: i64) -> Result<OrgAccess, Ticket> {
        let s = self.lock();
        match s.access.get(&(org_id, user_id)) {
            Some(hit) if s.listening => Ok(hit.clone()),
            _ => Err(Ticket(s.listening.then_some(s.generation))),
        }
    }

    pub(super) fn keep_access(&self, ticket: Ticket, org_id: i64, user_id: i64, access: &OrgAccess) {
        let mut s = self.lock();
        if s.listening && ticket.0 == Some(s.generation) && matches!(access, OrgAccess::Member { .. }) {
            bounded(&mut s.access).insert((org_id, user_id), access.clone());
        }
    }

    /// Forgets everything after a change made through this node: its own next request must not wait for the
    /// notification to see it.
    pub(super) fn forget(&self) {
        let listening = self.lock().listening;
        self.reset(listening);
    }

    /// Forgets everything; `listening` says whether notifications will tell about the next change.
    fn reset(&self, listening: bool) {
        let mut s = self.lock();
        s.generation += 1;
        s.listening = listening;
        s.tokens.clear();
        s.access.clear();
    }

    /// Listens for changes until the process ends, reconnecting after a lost connection.
    pub(super) fn spawn_listener(&self, pool: PgPool) {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                match listen(&cache, &pool).await {
                    Ok(()) => return, // the pool was closed: the store is shutting down
                    Err(e) => tracing::warn!(error = %e, "change notifications lost: token and membership cache off"),
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
    tracing::info!("listening for changes: token and membership cache on");
    loop {
        match listener.try_recv().await {
            Ok(Some(_)) => cache.reset(true),
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

    fn member() -> OrgAccess {
        let org = crate::store::models::Org {
            id: 1,
            name: "O".into(),
            country_id: 1,
            timezone_id: 1,
            zone: "z".into(),
            plan: "free".into(),
            external_id: None,
            tfa_enforced: false,
            created_at: chrono::Utc::now(),
        };
        OrgAccess::Member { org, users_role_id: 1 }
    }

    #[test]
    fn nothing_is_kept_or_served_without_notifications_or_across_a_change() {
        let cache = AuthCache::default();
        let ticket = cache.token("d").unwrap_err();
        cache.keep_token(ticket, "d", &auth());
        assert!(cache.token("d").is_err(), "not listening: nothing kept");
        cache.reset(true);
        let ticket = cache.token("d").unwrap_err();
        cache.keep_token(ticket, "d", &auth());
        assert!(cache.token("d").is_ok(), "listening: kept");
        let ticket = cache.access(1, 1).unwrap_err();
        cache.reset(true); // a change arrives while the membership is being read
        cache.keep_access(ticket, 1, 1, &member());
        assert!(cache.access(1, 1).is_err(), "read across a change: not kept");
        let ticket = cache.access(1, 1).unwrap_err();
        cache.keep_access(ticket, 1, 1, &OrgAccess::Stranger);
        assert!(cache.access(1, 1).is_err(), "only members are kept");
        let ticket = cache.access(1, 1).unwrap_err();
        cache.keep_access(ticket, 1, 1, &member());
        assert!(cache.access(1, 1).is_ok());
        assert!(cache.token("d").is_err(), "a change drops what was kept");
        cache.reset(false);
        assert!(cache.token("d").is_err());
    }
}
