//! The audit log (the SQL is in `store::audit`; this binds and runs it).

use super::trips::arguments;
use super::{BackendStore, Conn};
use crate::domain::ids::OrgId;
use crate::store::audit::{self, Entry, EntryId, Filters, NewEntry, Query, Scope};
use crate::store::backend::Backend;
use crate::store::{AuditStore, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Writes an entry inside the caller's transaction.
pub(super) async fn record(conn: &mut Conn, e: NewEntry) -> StoreResult<()> {
    sqlx::query_with(audit::INSERT, arguments(e.args())).execute(&mut *conn).await?;
    Ok(())
}

#[async_trait]
impl AuditStore for BackendStore {
    async fn audit_page(&self, q: &Query) -> StoreResult<Vec<Entry>> {
        let (sql, args) = audit::page_sql(q);
        Ok(sqlx::query_as_with(&sql, arguments(args)).fetch_all(&mut *self.reader().await?).await?)
    }

    async fn audit_entry(&self, org_id: OrgId, uuid: &str) -> StoreResult<Option<Entry>> {
        let sql = audit::one_sql();
        Ok(sqlx::query_as(&sql)
            .bind(org_id)
            .bind(EntryId(uuid.into()))
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    async fn audit_filters(&self, scope: Scope) -> StoreResult<Filters> {
        let [users, teams, events] = audit::filters_sql(scope);
        let id = audit::scope_id(scope);
        let mut conn = self.reader().await?;
        Ok(Filters {
            users: sqlx::query_as(&users).bind(id).fetch_all(&mut *conn).await?,
            teams: sqlx::query_as(&teams).bind(id).fetch_all(&mut *conn).await?,
            events: sqlx::query_scalar(&events).bind(id).fetch_all(&mut *conn).await?,
        })
    }

    async fn prune_audit(&self, before: DateTime<Utc>, batch: i64) -> StoreResult<u64> {
        let before = before.timestamp_millis();
        self.write_aside(move |conn| {
            Box::pin(async move {
                let done = sqlx::query(audit::PRUNE).bind(before).bind(batch).execute(conn).await?;
                Ok::<_, StoreError>(done.rows_affected())
            })
        })
        .await
    }
}
