//! `GET /organizations` by name or id without filters, from the user's cached order (`store/model/order.rs`):
//! the user's version (kept, or one statement), then a slice of the kept order, so a page costs the same at any
//! offset.

use std::sync::Arc;

use sqlx::types::Json;

use super::dialect::ID_IN_JSON;
use super::orgs::ORG_COLS;
use super::BackendStore;
use crate::store::backend::Backend;
use crate::store::model::{slice, OrderBy, MAX_ORDER_IDS};
use crate::store::models::Org;
use crate::store::page::Page;
use crate::store::StoreResult;

impl BackendStore {
    /// The page of `user_id`'s organizations by `by`, or `None` for a user in more organizations than an order
    /// may hold (`MAX_ORDER_IDS`), whom the caller lists from the index walk.
    pub(super) async fn list_by_order(&self, user_id: i64, by: OrderBy, page: &Page) -> StoreResult<Option<Vec<Org>>> {
        let Some((order, kept)) = self.order_of(user_id, by).await? else { return Ok(None) };
        let ids = slice(&order, page.sort_dir, page.offset, page.limit);
        if ids.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let orgs = self.model().orgs(&ids, kept, |fill| self.orgs_by_id(&ids, fill)).await?;
        Ok(Some(orgs))
    }

    /// The user's order, and whether it was kept: the kept one when its version is the user's version now, else
    /// read again with its version. Both from the primary: a standby's version may be older than the order kept here.
    async fn order_of(&self, user_id: i64, by: OrderBy) -> StoreResult<Option<(Arc<[i64]>, bool)>> {
        let version = self.model().order_version(user_id, || self.order_version(user_id)).await?;
        if let Some(order) = self.model().order(user_id, by, version) {
            return Ok(order.map(|ids| (ids, true)));
        }
        let _reading = match self.model().order_or_gate(user_id, by, version).await {
            Ok(order) => return Ok(order.map(|ids| (ids, false))),
            Err(gate) => gate,
        };
        let Some((read_at, ids)) = self.read_order(user_id, by).await? else {
            // Too many to keep, as of a snapshot at or after `version`: kept as such at `version`, which is exact,
            // since any change between the two reads moved the version past it and the next request reads again.
            self.model().keep_order(user_id, by, version, None);
            return Ok(None);
        };
        if let Some(read_at) = read_at {
            self.model().keep_order(user_id, by, read_at, Some(ids.clone()));
        }
        Ok(Some((ids, false)))
    }

    /// The organizations `ids` in one statement by primary key, in any order; from the primary whether or not
    /// the model keeps them (`_fill`), as the order was: a lagging standby could miss an organization it names.
    async fn orgs_by_id(&self, ids: &[i64], _fill: bool) -> StoreResult<Vec<Org>> {
        let sql = format!("select {ORG_COLS} from organizations o where {ID_IN_JSON}");
        if let Some(here) = self.calling_thread() {
            return here.orgs(&sql, ids);
        }
        Ok(sqlx::query_as(&sql).bind(Json(ids)).fetch_all(&mut *self.primary().await?).await?)
    }

    /// The user's order and the version it was read at, in ONE statement: one snapshot on both backends, and no
    /// transaction to leave behind. (An explicit `begin` on a pooled connection was: a request dropped midway — a
    /// client gone at the end of a soak chunk — left its connection inside the transaction, and the next `begin` on
    /// it failed with a 500.) The version rides on each row, so a user in no organization gets none, and that empty
    /// order is not kept (it costs nothing to read again). `None` past `MAX_ORDER_IDS`. The walk is one covering
    /// index of the memberships (`organization_members_user_name`, `organization_members_user`), ids only.
    async fn read_order(&self, user_id: i64, by: OrderBy) -> StoreResult<Option<(Option<i64>, Arc<[i64]>)>> {
        let order = match by {
            OrderBy::Name => "org_name, organization_id",
            OrderBy::Id => "organization_id",
        };
        let sql = format!(
            "select coalesce((select v.version from organization_order_versions v where v.user_id = $1), 0),
                    organization_id
             from organization_members where user_id = $1 order by {order} limit $2"
        );
        let limit = MAX_ORDER_IDS as i64 + 1;
        let rows: Vec<(i64, i64)> = match self.calling_thread() {
            Some(here) => here.order_rows(&sql, user_id, limit)?,
            None => sqlx::query_as(&sql).bind(user_id).bind(limit).fetch_all(&mut *self.primary().await?).await?,
        };
        if rows.len() > MAX_ORDER_IDS {
            return Ok(None);
        }
        let version = rows.first().map(|(version, _)| *version);
        Ok(Some((version, rows.into_iter().map(|(_, id)| id).collect())))
    }
}
