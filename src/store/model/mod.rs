//! The per-node read model: what the hot reads answer — an organization's row, its members' roles, users' team
//! roles, teams, this month's usage, custom roles, the private spaces a user sees and users' organization order
//! versions — kept in this process's memory between requests, on both backends, so that
//! `GET /organizations/{id}`, a page of `GET /organizations` and the membership and role lookups of every
//! authorized request need no database round trip.
//!
//! Correctness comes from invalidation, not expiry:
//! - every write committed through this node drops what it may have changed before its caller is answered (the
//!   group commits call [`ReadModel::changed`] with the organizations their writes named; a write that names
//!   none drops everything), so this node never serves a value older than a write it acknowledged;
//! - on SQLite another process's commit (an `orgd` command) moves the database's `data_version`, which is asked
//!   at each request's first lookup (`sqlite/watch.rs`, [`one_request`]), and drops everything. This process's
//!   own commits move it too: its writer settles them (`sqlite/commit.rs`) so that they drop only what they
//!   named, and a request that asks while that is not settled reads the database ([`Seen::Unsure`]);
//! - on PostgreSQL the other nodes' writes (and `orgd` commands') arrive as notifications naming the
//!   organization (`postgres/cache.rs`, migration `…_read_model_notify`); while the listening connection is down
//!   the model is off (nothing served, nothing kept) and it starts empty once listening again;
//! - a value read while a change was committed is not kept: [`Ticket`]s carry the generation seen before the
//!   read, and every change bumps it.
//!
//! Tokens (digest → token and user) are kept here too: any committed write that names an organization or anything
//! drops them (a token, its user or its session may be what it changed), as does every reset.
//!
//! On SQLite the database is asked whether it moved once per request (at the request's first lookup, see
//! [`one_request`]), not before each of the four or five lookups an answer makes.
//!
//! Values are filled from the primary only (a notification may arrive before a standby replays the change).
//! Memory is bounded by `read_model_max_orgs` (least recently used organizations go first; the users' private
//! space lists have the same bound).

mod fill;
mod order;
pub(crate) use fill::TeamsAndUsage;
pub(crate) use order::{slice, OrderBy, MAX_ORDER_IDS};

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use hashlink::LruCache;

use super::models::{Org, OrgAccess, Team, TeamRole, TokenAuth, UsageTotals};
use super::private_spaces::SeenSpace;
use super::roles::CustomRole;

/// Members of one organization kept at most; past it the organization's member map starts over.
const MAX_MEMBERS_PER_ORG: usize = 10_000;

/// What is kept of one organization: each part filled by the read that needed it.
#[derive(Default)]
struct OrgEntry {
    org: Option<Org>,
    /// Active members' organization roles (user → role); strangers are not kept.
    members: HashMap<i64, i64>,
    /// Users' team roles in the organization's teams (user → roles, by team id).
    team_roles: HashMap<i64, Arc<Vec<TeamRole>>>,
    teams: Option<Arc<Vec<Team>>>,
    /// Usage summed over the period `[from, to)` it was read for.
    usage: Option<(DateTime<Utc>, DateTime<Utc>, UsageTotals)>,
}

struct State {
    /// Whether changes are being seen (always on SQLite; on PostgreSQL while notifications are received).
    listening: bool,
    /// Bumped by every change and every reset.
    generation: u64,
    orgs: LruCache<i64, OrgEntry>,
    /// Custom roles by id (of whichever organization; the caller checks that).
    roles: LruCache<i64, Arc<CustomRole>>,
    /// The private spaces each user sees, over every organization: dropped by any change.
    spaces: LruCache<i64, Arc<Vec<SeenSpace>>>,
    /// Live tokens by digest: dropped by every write that names anything.
    tokens: LruCache<String, TokenAuth>,
    /// Users' organization order versions (`order.rs`), over every organization: dropped by any change.
    versions: LruCache<i64, i64>,
}

tokio::task_local! {
    /// What this request's first lookup learnt from the database's watch (SQLite), `None` before it.
    static ASKED: Cell<Option<Seen>>;
}

/// What a watch says about the database since it was last asked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Seen {
    /// Unchanged: the model serves.
    Same,
    /// Changed behind this process's back: everything kept is dropped (then the model serves again).
    Moved,
    /// Changed while this process's writer was committing, and not yet known whether only by it: the model
    /// neither serves nor keeps for this request, which reads the database.
    Unsure,
}

/// Runs one request's work so that the database is asked whether it moved at its first lookup only. A change
/// committed before the request began is seen by that first question; one committed while it runs is
/// concurrent with it, and the next request sees it. Work outside a request (background tasks) asks every time.
pub async fn one_request<F: Future>(work: F) -> F::Output {
    ASKED.scope(Cell::new(None), work).await
}

/// What a committed write may have changed of what the model keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Named {
    /// Rows of this organization only (`Backend::write` with its id).
    Org(i64),
    /// Anything (`Backend::write` without an organization).
    Anything,
    /// An organization the write creates, with its own rows: nothing kept names it yet (ids are never reused), so
    /// only what spans organizations (the users' private space lists) is dropped; tokens stay.
    NewOrg,
    /// Nothing the model or the token cache reads (`Backend::write_aside`: the outbox, audit pruning).
    Nothing,
}

/// The generation observed before a database read: what was read may be kept only if no change came since.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(Option<u64>);

impl Ticket {
    /// Whether the value read with this ticket may be kept, so that it must be read from the primary.
    pub(crate) fn fills(self) -> bool {
        self.0.is_some()
    }
}

/// Asked at a request's first lookup: whether the database may have changed behind this process's back.
type Watch = Arc<dyn Fn() -> Seen + Send + Sync>;

/// A handle on one node's read model (clones share it).
#[derive(Clone)]
pub(crate) struct ReadModel {
    state: Arc<Mutex<State>>,
    watch: Option<Watch>,
    /// Users' organization orders (`order.rs`): each used only with the version it was read at, so outside the
    /// invalidation above (the versions are inside it).
    orders: Arc<Mutex<order::Orders>>,
}

impl ReadModel {
    /// A model keeping at most `max_orgs` organizations (and as many users' space lists); `listening` says
    /// whether changes are seen from the start (SQLite, whose writer is the only one) or only once a listener
    /// says so (PostgreSQL).
    pub(crate) fn new(max_orgs: usize, listening: bool) -> Self {
        let max = max_orgs.max(1);
        let state = State {
            listening,
            generation: 0,
            orgs: LruCache::new(max),
            roles: LruCache::new(max),
            spaces: LruCache::new(max),
            tokens: LruCache::new(max),
            versions: LruCache::new(max),
        };
        let orders = Arc::new(Mutex::new(order::Orders::new(MAX_ORDER_IDS)));
        ReadModel { state: Arc::new(Mutex::new(state)), watch: None, orders }
    }

    /// The same model, asking `check` at a request's first lookup whether the database changed other than through
    /// this process (SQLite: another process's commit, `sqlite/watch.rs`).
    pub(crate) fn watching(mut self, check: impl Fn() -> Seen + Send + Sync + 'static) -> Self {
        self.watch = Some(Arc::new(check));
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value `find` finds when the model serves, else the ticket for reading it.
    fn get<T>(&self, find: impl FnOnce(&mut State) -> Option<T>) -> Result<T, Ticket> {
        if let Some(check) = &self.watch {
            match ASKED.try_with(Cell::get).ok().flatten() {
                Some(Seen::Unsure) => return Err(Ticket(None)),
                Some(_) => {}
                None => {
                    let seen = check();
                    // Once dropped, the rest of the request is served like any other.
                    let _ =
                        ASKED.try_with(|asked| asked.set(Some(if seen == Seen::Moved { Seen::Same } else { seen })));
                    match seen {
                        Seen::Moved => self.changed(None),
                        Seen::Unsure => return Err(Ticket(None)),
                        Seen::Same => {}
                    }
                }
            }
        }
        let mut s = self.lock();
        if !s.listening {
            return Err(Ticket(None));
        }
        find(&mut s).ok_or(Ticket(Some(s.generation)))
    }

    /// Runs `keep` if nothing changed since `ticket` was taken.
    fn keep(&self, ticket: Ticket, keep: impl FnOnce(&mut State)) {
        let mut s = self.lock();
        if s.listening && ticket.0 == Some(s.generation) {
            keep(&mut s);
        }
    }

    /// Drops what a committed change to organization `org` (or to anything, `None`) may have made wrong.
    pub(crate) fn changed(&self, org: Option<i64>) {
        let mut s = self.lock();
        spanning_changed(&mut s);
        match org {
            Some(id) => {
                s.orgs.remove(&id);
                let gone: Vec<i64> = s.roles.iter().filter(|(_, r)| r.organization_id == id).map(|(k, _)| *k).collect();
                for k in gone {
                    s.roles.remove(&k);
                }
            }
            None => {
                s.orgs.clear();
                s.roles.clear();
                s.tokens.clear();
            }
        }
    }

    /// Drops what the writes of one committed transaction named, and the tokens if they named an organization or
    /// anything.
    pub(crate) fn committed(&self, named: &[Named]) {
        if named.iter().any(|n| matches!(n, Named::Org(_) | Named::Anything)) {
            self.lock().tokens.clear();
        }
        for n in named {
            match n {
                Named::Org(id) => self.changed(Some(*id)),
                Named::Anything => self.changed(None),
                Named::NewOrg => spanning_changed(&mut self.lock()),
                Named::Nothing => {}
            }
        }
    }

    /// Drops everything; `listening` says whether changes will be seen from now on.
    pub(crate) fn reset(&self, listening: bool) {
        self.changed(None);
        self.lock().listening = listening;
    }

    fn access_hit(&self, org_id: i64, user_id: i64) -> Result<OrgAccess, Ticket> {
        self.get(|s| {
            let e = s.orgs.get(&org_id)?;
            let users_role_id = *e.members.get(&user_id)?;
            Some(OrgAccess::Member { org: e.org.clone()?, users_role_id })
        })
    }

    fn keep_access(&self, ticket: Ticket, user_id: i64, access: &OrgAccess) {
        let OrgAccess::Member { org, users_role_id } = access else { return };
        self.keep(ticket, |s| {
            let e = entry(s, org.id);
            e.org = Some(org.clone());
            if e.members.len() >= MAX_MEMBERS_PER_ORG {
                e.members.clear();
            }
            e.members.insert(user_id, *users_role_id);
        });
    }

    fn team_roles_hit(&self, org_id: i64, user_id: i64) -> Result<Arc<Vec<TeamRole>>, Ticket> {
        self.get(|s| s.orgs.get(&org_id)?.team_roles.get(&user_id).cloned())
    }

    fn keep_team_roles(&self, ticket: Ticket, org_id: i64, user_id: i64, roles: &[TeamRole]) {
        self.keep(ticket, |s| {
            let e = entry(s, org_id);
            if e.team_roles.len() >= MAX_MEMBERS_PER_ORG {
                e.team_roles.clear();
            }
            e.team_roles.insert(user_id, Arc::new(roles.to_vec()));
        });
    }

    fn token_hit(&self, digest: &str) -> Result<TokenAuth, Ticket> {
        self.get(|s| s.tokens.get(digest).cloned())
    }

    fn keep_token(&self, ticket: Ticket, digest: &str, auth: &TokenAuth) {
        self.keep(ticket, |s| {
            s.tokens.insert(digest.to_string(), auth.clone());
        });
    }

    fn role_hit(&self, role_id: i64) -> Result<Arc<CustomRole>, Ticket> {
        self.get(|s| s.roles.get(&role_id).cloned())
    }

    fn keep_role(&self, ticket: Ticket, role: &CustomRole) {
        self.keep(ticket, |s| {
            s.roles.insert(role.id, Arc::new(role.clone()));
        });
    }

    fn spaces_hit(&self, user_id: i64) -> Result<Arc<Vec<SeenSpace>>, Ticket> {
        self.get(|s| s.spaces.get(&user_id).cloned())
    }

    fn keep_spaces(&self, ticket: Ticket, user_id: i64, spaces: &[SeenSpace]) {
        self.keep(ticket, |s| {
            s.spaces.insert(user_id, Arc::new(spaces.to_vec()));
        });
    }

    /// The teams of every organization in `ids` if all are kept.
    fn teams_hit(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<Team>>, Ticket> {
        self.get(|s| {
            let mut out = HashMap::with_capacity(ids.len());
            for id in ids {
                let teams = s.orgs.get(id)?.teams.clone()?;
                if !teams.is_empty() {
                    out.insert(*id, teams.to_vec());
                }
            }
            Some(out)
        })
    }

    fn keep_teams(&self, ticket: Ticket, ids: &[i64], teams: &HashMap<i64, Vec<Team>>) {
        self.keep(ticket, |s| {
            for id in ids {
                entry(s, *id).teams = Some(Arc::new(teams.get(id).cloned().unwrap_or_default()));
            }
        });
    }

    /// The usage over `[from, to)` of every organization in `ids` if all are kept for that period.
    fn usage_hit(
        &self,
        ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<i64, UsageTotals>, Ticket> {
        self.get(|s| {
            let mut out = HashMap::with_capacity(ids.len());
            for id in ids {
                match &s.orgs.get(id)?.usage {
                    Some((f, t, totals)) if (*f, *t) == (from, to) => {
                        if *totals != UsageTotals::default() {
                            out.insert(*id, totals.clone());
                        }
                    }
                    _ => return None,
                }
            }
            Some(out)
        })
    }

    fn keep_usage(
        &self,
        ticket: Ticket,
        ids: &[i64],
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        usage: &HashMap<i64, UsageTotals>,
    ) {
        self.keep(ticket, |s| {
            for id in ids {
                entry(s, *id).usage = Some((from, to, usage.get(id).cloned().unwrap_or_default()));
            }
        });
    }
}

/// A change to any organization: what spans organizations goes (the private spaces lists, and the order versions,
/// which every membership added, removed or renamed bumps, each with a change to its organization's rows), and
/// nothing read before it may be kept.
fn spanning_changed(s: &mut State) {
    s.generation += 1;
    s.spaces.clear();
    s.versions.clear();
}

/// Organization `id`'s entry, made if missing (the least recently used one goes when the bound is reached).
fn entry(s: &mut State, id: i64) -> &mut OrgEntry {
    if !s.orgs.contains_key(&id) {
        s.orgs.insert(id, OrgEntry::default());
    }
    s.orgs.get_mut(&id).expect("inserted above")
}

#[cfg(test)]
mod tests;
