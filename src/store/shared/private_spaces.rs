//! Private spaces: members' personal teams, the usage booked to them, and the organization's settings for them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::audit::record;
use super::dialect::COLLATE_C;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::private_spaces;
use crate::grant::{perms, Granted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::models::UsageTotals;
use crate::store::page::Page;
use crate::store::private_spaces::{Period, PrivateSpace, PrivateSpaceStore, SeenSpace, SpaceLimit, SpacesSettings};
use crate::store::{StoreError, StoreResult};

/// A space with its owner and its use in the period `[$1, $2)`.
const SPACE: &str = "select s.id, s.organization_id, s.owner_id, s.name, s.operations_limit, s.is_paused,
        s.external_id, u.name as owner_name, u.email as owner_email,
        cast(coalesce(pu.operations, 0) as bigint) as consumed_operations,
        cast(coalesce(pu.data_transfer, 0) as bigint) as consumed_transfer,
        cast(coalesce(pu.centicredits, 0) as bigint) as consumed_centicredits
    from private_spaces s join users u on u.id = s.owner_id
    left join (select private_space_id, sum(operations) as operations, sum(data_transfer) as data_transfer,
                      sum(centicredits) as centicredits
               from private_space_usage where at >= $1 and at < $2 group by private_space_id) pu
        on pu.private_space_id = s.id";

const SETTINGS: &str = "select auto_creation, default_operations_limit, admins_observe from private_spaces_settings
    where organization_id = $1";

#[async_trait]
impl PrivateSpaceStore for BackendStore {
    async fn private_spaces(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        external_id: Option<&str>,
        page: &Page,
        period: Period,
    ) -> StoreResult<Vec<PrivateSpace>> {
        let dir = page.sort_dir.sql();
        Ok(sqlx::query_as(&format!(
            "{SPACE} where s.organization_id = $3 and ($4 is null or s.external_id = $4)
             order by s.name{COLLATE_C} {dir}, s.id {dir} limit $5 offset $6"
        ))
        .bind(period.0)
        .bind(period.1)
        .bind(g.org_id())
        .bind(external_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.reader().await?)
        .await?)
    }

    async fn private_space(&self, id: i64, period: Period) -> StoreResult<Option<PrivateSpace>> {
        Ok(sqlx::query_as(&format!("{SPACE} where s.id = $3"))
            .bind(period.0)
            .bind(period.1)
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?)
    }

    /// Read by every organization answer with `privateSpaces`: from the read model when it holds the user's.
    async fn spaces_seen_by(&self, user_id: UserId) -> StoreResult<Vec<SeenSpace>> {
        self.model()
            .spaces(user_id.0, |fill| async move {
                let mut conn = if fill { self.primary().await? } else { self.reader().await? };
                read_seen(&mut conn, user_id).await
            })
            .await
    }

    async fn set_space_limit(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        id: i64,
        limit: SpaceLimit,
    ) -> StoreResult<()> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(put_limit(tx, org_id, Some(user_id), id, limit))).await
    }

    async fn spaces_settings(&self, org_id: OrgId) -> StoreResult<SpacesSettings> {
        let row: Option<SpacesSettings> =
            sqlx::query_as(SETTINGS).bind(org_id).fetch_optional(&mut *self.reader().await?).await?;
        Ok(row.unwrap_or_default())
    }

    async fn set_spaces_settings(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        settings: SpacesSettings,
        limits: Option<Vec<(i64, SpaceLimit)>>,
    ) -> StoreResult<()> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(put_settings(tx, org_id, user_id, settings, limits))).await
    }

    async fn add_space_usage(
        &self,
        org_id: OrgId,
        space_id: i64,
        at: DateTime<Utc>,
        amounts: UsageTotals,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let org_id = org_id.0;
        self.write(None, move |tx| Box::pin(book_space_usage(tx, org_id, space_id, at, amounts, now))).await
    }
}

/// Sets one space's limit and pause, recording the change; NotFound for a space of another organization.
async fn put_limit(tx: &mut Conn, org_id: i64, by: Option<i64>, id: i64, l: SpaceLimit) -> StoreResult<()> {
    let old: Option<(Option<i64>, bool)> =
        sqlx::query_as("select operations_limit, is_paused from private_spaces where id = $1 and organization_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((old_limit, old_paused)) = old else {
        return Err(StoreError::NotFound(format!("Private space {id} not found.")));
    };
    sqlx::query("update private_spaces set operations_limit = $1, is_paused = $2 where id = $3")
        .bind(l.operations_limit)
        .bind(l.pause)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let detail = json!({
        "operationsLimit": l.operations_limit, "oldOperationsLimit": old_limit,
        "isPaused": l.pause, "wasPaused": old_paused,
    });
    record(tx, NewEntry::new(org_id, by, ev::PRIVATE_SPACE_UPDATED, id).detail(detail)).await
}

async fn put_settings(
    tx: &mut Conn,
    org_id: i64,
    user_id: i64,
    s: SpacesSettings,
    limits: Option<Vec<(i64, SpaceLimit)>>,
) -> StoreResult<()> {
    sqlx::query(
        "insert into private_spaces_settings
             (organization_id, auto_creation, default_operations_limit, admins_observe, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (organization_id) do update set auto_creation = excluded.auto_creation,
             default_operations_limit = excluded.default_operations_limit,
             admins_observe = excluded.admins_observe, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(s.auto_creation)
    .bind(s.default_operations_limit)
    .bind(s.admins_observe)
    .bind(crate::store::clock::now())
    .execute(&mut *tx)
    .await?;
    let bulk = limits.as_ref().map(Vec::len);
    let detail = json!({
        "privateSpacesAutoCreationEnabled": s.auto_creation, "defaultOperationsLimit": s.default_operations_limit,
        "addAdminsAsObservers": s.admins_observe, "spacesUpdated": bulk,
    });
    record(tx, NewEntry::new(org_id, Some(user_id), ev::PRIVATE_SPACES_SETTINGS_CHANGED, org_id).detail(detail))
        .await?;
    for (id, limit) in limits.unwrap_or_default() {
        put_limit(tx, org_id, Some(user_id), id, limit).await?;
    }
    Ok(())
}

/// Creates a space for a member who just joined, when the organization creates them automatically.
pub(super) async fn on_join(tx: &mut Conn, org_id: i64, user_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    let settings: Option<SpacesSettings> = sqlx::query_as(SETTINGS).bind(org_id).fetch_optional(&mut *tx).await?;
    let Some(s) = settings.filter(|s| s.auto_creation) else {
        return Ok(());
    };
    let owner: String =
        sqlx::query_scalar("select name from users where id = $1").bind(user_id).fetch_one(&mut *tx).await?;
    let created: Option<i64> = sqlx::query_scalar(
        "insert into private_spaces (organization_id, owner_id, name, operations_limit, created_at)
         values ($1, $2, $3, $4, $5) on conflict (organization_id, owner_id) do nothing returning id",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(private_spaces::name_for(&owner))
    .bind(s.default_operations_limit)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    match created {
        Some(id) => {
            let detail = json!({"ownerId": user_id, "operationsLimit": s.default_operations_limit});
            record(tx, NewEntry::new(org_id, Some(user_id), ev::PRIVATE_SPACE_CREATED, id).detail(detail)).await
        }
        None => Ok(()),
    }
}

async fn book_space_usage(
    tx: &mut Conn,
    org_id: i64,
    space_id: i64,
    at: DateTime<Utc>,
    a: UsageTotals,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("select id from private_spaces where id = $1 and organization_id = $2")
        .bind(space_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
    if found.is_none() {
        return Err(StoreError::NotFound(format!("Organization {org_id} has no private space {space_id}.")));
    }
    sqlx::query(
        "insert into private_space_usage (private_space_id, at, operations, data_transfer, centicredits, created_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (private_space_id, at) do update set
                 operations = private_space_usage.operations + excluded.operations,
                 data_transfer = private_space_usage.data_transfer + excluded.data_transfer,
                 centicredits = private_space_usage.centicredits + excluded.centicredits",
    )
    .bind(space_id)
    .bind(at)
    .bind(a.operations)
    .bind(a.data_transfer)
    .bind(a.centicredits)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::orgs::book_usage(tx, org_id, at, a, now).await
}

/// The private spaces `user_id` sees: their own, and those of organizations whose admins observe.
///
/// Two halves, each walked from its small side: the user's own spaces by owner, and the spaces of the
/// organizations whose admins observe (a settings row each). `cross join` keeps SQLite to that order (without
/// statistics it walked all the user's memberships first: 17 ms a call for an owner of 100 000 organizations,
/// on every organization answer after a write); PostgreSQL plans it as the inner join it is.
async fn read_seen(conn: &mut Conn, user_id: UserId) -> StoreResult<Vec<SeenSpace>> {
    Ok(sqlx::query_as(
        "select s.organization_id, s.id, s.name, s.owner_id,
                coalesce(ps.admins_observe, false) as admins_observe, m.users_role_id
         from private_spaces s
         cross join organization_members m
         left join private_spaces_settings ps on ps.organization_id = s.organization_id
         where s.owner_id = $1 and m.organization_id = s.organization_id and m.user_id = $1
         union all
         select s.organization_id, s.id, s.name, s.owner_id, ps.admins_observe, m.users_role_id
         from private_spaces_settings ps
         cross join organization_members m
         cross join private_spaces s
         where ps.admins_observe = true and m.organization_id = ps.organization_id and m.user_id = $1
               and s.organization_id = ps.organization_id and s.owner_id <> $1
         order by 1, 2",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?)
}
