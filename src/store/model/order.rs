//! The cached order behind `GET /organizations` by name or id: each user's organization ids in that order,
//! ascending, kept in this node's memory so that a page is a slice of it and costs the same at any offset (the
//! membership index walk skipped `offset` rows one by one: the last of 100 000 organizations cost 5–15× the first).
//!
//! An order is kept with the user's version (`organization_order_versions`, bumped by triggers on every membership
//! added, removed or renamed, migration `…0080_organization_order`), and used only while the user's version is the
//! one it was read with. The version itself is kept like the model's other answers: every bump comes with a change
//! to an organization's memberships, which drops every kept version (`spanning_changed`) on this node before the
//! write is answered, and on the other nodes with the change's notification; while notifications are off, each
//! list reads it. (Reading it for every list cost PostgreSQL a round trip per page: 0.13× `/livez` against SQLite's
//! 0.3×, bench/RESULTS.md.)
//!
//! The page's organization rows come from the model's organization entries when all are kept, else from one
//! statement by primary key, kept with a ticket as the model's other reads are.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use hashlink::LruCache;

use super::{entry, ReadModel, Ticket};
use crate::store::models::Org;
use crate::store::page::SortDir;
use crate::store::StoreResult;

/// Organization ids kept over all users' orders at most (8 bytes each: about 16 MB), least recently used first
/// out. A user in more organizations than this is listed from the index walk, as before.
pub(crate) const MAX_ORDER_IDS: usize = 2_000_000;

/// The orders kept: by name (the API's default) or by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OrderBy {
    Name,
    Id,
}

/// A user's order as kept: the ids, or `None` for a user in more organizations than an order may hold
/// (`MAX_ORDER_IDS`), who is listed from the index walk. Keeping that too spares each of their lists reading
/// `MAX_ORDER_IDS` + 1 ids to learn it again: 2 s a page at 10 000 000 organizations (bench/RESULTS.md).
pub(crate) type Order = Option<Arc<[i64]>>;

struct Kept {
    version: i64,
    ids: Order,
}

impl Kept {
    /// What it counts against the bound: its ids, or one for a user past it.
    fn size(&self) -> usize {
        self.ids.as_ref().map_or(1, |ids| ids.len())
    }
}

/// Gates past which an order is read again: held by the one request reading it.
type Gate = Arc<tokio::sync::Mutex<()>>;

/// Gates kept before those nobody holds or waits on are dropped.
const MAX_GATES: usize = 1024;

/// Users' orders, bounded by the number of ids they hold together.
pub(super) struct Orders {
    kept: LruCache<(i64, OrderBy), Kept>,
    ids: usize,
    max_ids: usize,
    gates: HashMap<(i64, OrderBy), Gate>,
}

impl Orders {
    pub(super) fn new(max_ids: usize) -> Self {
        Orders { kept: LruCache::new_unbounded(), ids: 0, max_ids, gates: HashMap::new() }
    }

    /// The order of `user` if it was read at `version` (or, with `newer`, at a later one).
    fn get(&mut self, user: i64, by: OrderBy, version: i64, newer: bool) -> Option<Order> {
        let kept = self.kept.get(&(user, by))?;
        (kept.version == version || newer && kept.version > version).then(|| kept.ids.clone())
    }

    #[cfg(test)]
    fn get_exact(&mut self, user: i64, by: OrderBy, version: i64) -> Option<Order> {
        self.get(user, by, version, false)
    }

    fn gate(&mut self, user: i64, by: OrderBy) -> Gate {
        if self.gates.len() >= MAX_GATES {
            self.gates.retain(|_, g| Arc::strong_count(g) > 1);
        }
        self.gates.entry((user, by)).or_default().clone()
    }

    /// Keeps `ids` as `user`'s order at `version`, unless a newer one is kept already (two requests rebuilding at
    /// once may finish in either order).
    fn keep(&mut self, user: i64, by: OrderBy, version: i64, ids: Order) {
        if let Some(old) = self.kept.remove(&(user, by)) {
            self.ids -= old.size();
            if old.version > version {
                return self.insert(user, by, old);
            }
        }
        self.insert(user, by, Kept { version, ids });
    }

    fn insert(&mut self, user: i64, by: OrderBy, kept: Kept) {
        let n = kept.size();
        if n > self.max_ids {
            return;
        }
        while self.ids + n > self.max_ids {
            match self.kept.remove_lru() {
                Some((_, gone)) => self.ids -= gone.size(),
                None => break,
            }
        }
        self.ids += n;
        self.kept.insert((user, by), kept);
    }
}

/// The ids of the page at `offset` of at most `limit` rows, from `ids` read ascending, or from its end backwards
/// for `desc`. Past the end (or a limit below one) the page is empty.
pub(crate) fn slice(ids: &[i64], dir: SortDir, offset: i64, limit: i64) -> Vec<i64> {
    let len = ids.len();
    let start = usize::try_from(offset).unwrap_or(0).min(len);
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(len);
    match dir {
        SortDir::Asc => ids[start..end].to_vec(),
        SortDir::Desc => ids[len - end..len - start].iter().rev().copied().collect(),
    }
}

impl ReadModel {
    /// `user`'s order version: kept, else `read` from the primary and kept unless a change came meanwhile.
    pub(crate) async fn order_version<Fut>(&self, user: i64, read: impl FnOnce() -> Fut) -> StoreResult<i64>
    where
        Fut: Future<Output = StoreResult<i64>>,
    {
        let ticket = match self.get(|s| s.versions.get(&user).copied()) {
            Ok(version) => return Ok(version),
            Err(ticket) => ticket,
        };
        let version = read().await?;
        self.keep(ticket, |s| {
            s.versions.insert(user, version);
        });
        Ok(version)
    }

    /// `user`'s kept order by `by` if it was read at `version` (the version read for this request).
    pub(crate) fn order(&self, user: i64, by: OrderBy, version: i64) -> Option<Order> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner()).get(user, by, version, false)
    }

    /// Waits until no other request of this node is reading `user`'s order by `by`, then gives the order kept at
    /// `version` or later if one is (what the request that held the gate read), else the gate to hold while
    /// reading it. Without it, every request of a burst arriving after a change reads the whole order (100 000
    /// ids each) at once.
    pub(crate) async fn order_or_gate(
        &self,
        user: i64,
        by: OrderBy,
        version: i64,
    ) -> Result<Order, tokio::sync::OwnedMutexGuard<()>> {
        let gate = self.orders.lock().unwrap_or_else(|e| e.into_inner()).gate(user, by);
        let held = gate.lock_owned().await;
        match self.orders.lock().unwrap_or_else(|e| e.into_inner()).get(user, by, version, true) {
            Some(ids) => Ok(ids),
            None => Err(held),
        }
    }

    /// Keeps `user`'s order by `by`, read with `version` in the same snapshot (or, for `None`, after it).
    pub(crate) fn keep_order(&self, user: i64, by: OrderBy, version: i64, ids: Order) {
        self.orders.lock().unwrap_or_else(|e| e.into_inner()).keep(user, by, version, ids);
    }

    /// The organizations `ids`, in that order: from the model when `kept_ok` and it keeps them all, else `read`
    /// (given whether its answer will be kept, so must come from the primary) in any order. An id `read` does not
    /// find (an organization deleted since its order was read) is left out.
    ///
    /// `kept_ok` is false right after the order was read again: its version moved, maybe by a rename through
    /// another node whose notification has not reached this one yet, so the kept rows may be older than the order.
    pub(crate) async fn orgs<Fut>(
        &self,
        ids: &[i64],
        kept_ok: bool,
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<Vec<Org>>
    where
        Fut: Future<Output = StoreResult<Vec<Org>>>,
    {
        let hit = if kept_ok { self.orgs_hit(ids) } else { self.get(|_| None) };
        let ticket = match hit {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_orgs(ticket, &found);
        let mut by_id: HashMap<i64, Org> = found.into_iter().map(|o| (o.id, o)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    fn orgs_hit(&self, ids: &[i64]) -> Result<Vec<Org>, Ticket> {
        self.get(|s| ids.iter().map(|id| s.orgs.get(id)?.org.clone()).collect())
    }

    fn keep_orgs(&self, ticket: Ticket, orgs: &[Org]) {
        self.keep(ticket, |s| {
            for org in orgs {
                entry(s, org.id).org = Some(org.clone());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::Named;

    fn ids(n: i64) -> Vec<i64> {
        (1..=n).collect()
    }

    #[test]
    fn slices_ascending_and_descending() {
        let all = ids(10);
        assert_eq!(slice(&all, SortDir::Asc, 0, 3), vec![1, 2, 3]);
        assert_eq!(slice(&all, SortDir::Asc, 8, 5), vec![9, 10], "the last page is short");
        assert_eq!(slice(&all, SortDir::Desc, 0, 3), vec![10, 9, 8]);
        assert_eq!(slice(&all, SortDir::Desc, 8, 5), vec![2, 1]);
        assert_eq!(slice(&all, SortDir::Desc, 4, 2), vec![6, 5]);
    }

    #[test]
    fn past_the_end_or_nothing_asked_is_empty() {
        let all = ids(10);
        for dir in [SortDir::Asc, SortDir::Desc] {
            assert!(slice(&all, dir, 10, 5).is_empty());
            assert!(slice(&all, dir, 99, 5).is_empty());
            assert!(slice(&all, dir, 0, 0).is_empty());
            assert!(slice(&all, dir, -1, -1).is_empty());
            assert!(slice(&[], dir, 0, 100).is_empty());
        }
        assert_eq!(slice(&all, SortDir::Asc, 0, i64::MAX), all, "a huge limit does not overflow");
    }

    #[test]
    fn an_order_is_used_at_its_version_only() {
        let mut o = Orders::new(100);
        o.keep(1, OrderBy::Name, 3, Some(ids(5).into()));
        assert!(o.get_exact(1, OrderBy::Name, 3).is_some());
        assert!(o.get_exact(1, OrderBy::Name, 4).is_none(), "a newer version needs a new read");
        assert!(o.get_exact(1, OrderBy::Id, 3).is_none(), "each sort has its own");
        o.keep(1, OrderBy::Name, 2, Some(ids(4).into()));
        assert_eq!(
            o.get_exact(1, OrderBy::Name, 3).flatten().map(|i| i.len()),
            Some(5),
            "an older read does not replace it"
        );
        assert_eq!(o.ids, 5);
    }

    #[test]
    fn the_least_recently_used_go_first_past_the_bound() {
        let mut o = Orders::new(10);
        o.keep(1, OrderBy::Name, 1, Some(ids(4).into()));
        o.keep(2, OrderBy::Name, 1, Some(ids(4).into()));
        assert!(o.get_exact(1, OrderBy::Name, 1).is_some());
        o.keep(3, OrderBy::Name, 1, Some(ids(4).into()));
        assert!(o.get_exact(2, OrderBy::Name, 1).is_none(), "user 2's order was the least recently used");
        assert!(o.get_exact(1, OrderBy::Name, 1).is_some() && o.get_exact(3, OrderBy::Name, 1).is_some());
        assert_eq!(o.ids, 8);
        o.keep(4, OrderBy::Id, 1, Some(ids(11).into()));
        assert!(o.get_exact(4, OrderBy::Id, 1).is_none(), "an order above the bound is not kept");
        assert_eq!(o.ids, 8);
    }

    #[test]
    fn a_user_past_the_bound_is_kept_as_such_at_its_version() {
        let mut o = Orders::new(10);
        o.keep(1, OrderBy::Name, 7, None);
        assert_eq!(o.get_exact(1, OrderBy::Name, 7), Some(None), "listed from the index walk, without a read");
        assert_eq!(o.get_exact(1, OrderBy::Name, 8), None, "a newer version needs a new read");
        assert_eq!(o.ids, 1, "it counts one against the bound");
        o.keep(1, OrderBy::Name, 8, Some(ids(3).into()));
        assert_eq!(o.get_exact(1, OrderBy::Name, 8).flatten().map(|i| i.len()), Some(3), "back under the bound");
        assert_eq!(o.ids, 3);
    }

    #[tokio::test]
    async fn one_request_reads_an_order_while_the_others_wait_for_it() {
        let model = ReadModel::new(10, true);
        let Err(gate) = model.order_or_gate(1, OrderBy::Name, 2).await else { panic!("nothing kept yet") };
        let waiting = tokio::spawn({
            let model = model.clone();
            async move { model.order_or_gate(1, OrderBy::Name, 2).await.ok().flatten().map(|ids| ids.len()) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the second waits for the first");
        model.keep_order(1, OrderBy::Name, 3, Some(ids(4).into()));
        drop(gate);
        assert_eq!(waiting.await.unwrap(), Some(4), "and takes what it read, even at a later version");
        assert!(model.order(1, OrderBy::Name, 2).is_none(), "a request that read version 2 first reads again");
    }

    /// The version `model` answers for user 1, and whether it read the database (which answers `db`).
    async fn version(model: &ReadModel, db: i64) -> (i64, bool) {
        let mut read = false;
        let got = model
            .order_version(1, || {
                read = true;
                async move { StoreResult::Ok(db) }
            })
            .await
            .unwrap();
        (got, read)
    }

    #[tokio::test]
    async fn a_version_is_kept_until_any_organization_changes() {
        let model = ReadModel::new(10, true);
        assert_eq!(version(&model, 4).await, (4, true), "read first");
        assert_eq!(version(&model, 5).await, (4, false), "then kept");
        model.committed(&[Named::Nothing]);
        assert_eq!(version(&model, 5).await, (4, false), "a write aside (a variable, the outbox) keeps it");
        model.changed(Some(99));
        assert_eq!(version(&model, 5).await, (5, true), "any organization's change drops it (its memberships)");
        model.committed(&[Named::NewOrg]);
        assert_eq!(version(&model, 6).await, (6, true), "so does a new organization (its creator's membership)");
        model.reset(false);
        assert_eq!(version(&model, 7).await, (7, true), "with notifications off, every list reads it");
        assert_eq!(version(&model, 8).await, (8, true), "and nothing is kept");
    }
}
