//! Organizations, their default team, memberships and usage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::dialect::COLLATE_C;
use super::trips::{self, Trip};
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::roles;
use crate::grant::{perms, Granted};
use crate::store::args::Arg;
use crate::store::audit::{self, NewEntry};
use crate::store::backend::{Backend, Trips};
use crate::store::model::{Named, OrderBy};
use crate::store::models::{Membership, NewOrg, Org, OrgFilter, OrgPatch, Team, TeamRole, UsageTotals};
use crate::store::page::Page;
use crate::store::rows;
use crate::store::{OrgStore, StoreError, StoreResult};
use serde_json::json;

pub(crate) const ORG_COLS: &str =
    "o.id, o.name, o.country_id, o.timezone_id, o.zone, o.plan, o.external_id, o.tfa_enforced, o.created_at";

/// The SQL column behind a sortable API column (the API layer has already whitelisted it).
fn sort_column(api: &str) -> String {
    let col = match api {
        "id" => "o.id",
        "countryId" => "o.country_id",
        "timezoneId" => "o.timezone_id",
        "zone" => "o.zone",
        "externalId" => "o.external_id",
        _ => return format!("o.name{COLLATE_C}"),
    };
    col.to_string()
}

/// One organization, read inside a transaction.
async fn org_row(conn: &mut Conn, id: i64) -> StoreResult<Option<Org>> {
    let row: Option<Org> = sqlx::query_as(
        "select id, name, country_id, timezone_id, zone, plan, external_id, tfa_enforced, created_at
         from organizations where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row)
}

#[async_trait]
impl OrgStore for BackendStore {
    async fn create_org(&self, o: NewOrg) -> StoreResult<(Org, Team)> {
        self.write_quick(None, Named::NewOrg, move |conn| Box::pin(insert_org(conn, o.clone()))).await
    }

    async fn list_orgs(&self, f: &OrgFilter, page: &Page) -> StoreResult<Vec<Org>> {
        // By name or id without filters (the common case): a slice of the user's cached order (`order.rs`).
        let by = match page.sort_by {
            "name" => Some(OrderBy::Name),
            "id" => Some(OrderBy::Id),
            _ => None,
        };
        if let Some(by) = by.filter(|_| f.zone.is_none() && f.external_id.is_none()) {
            if let Some(orgs) = self.list_by_order(f.user_id, by, page).await? {
                return Ok(orgs);
            }
        }
        self.list_by_sql(f, page).await
    }

    async fn update_org(&self, g: &Granted<perms::OrganizationEdit>, p: OrgPatch) -> StoreResult<Org> {
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(update(tx, org_id, by, p))).await
    }

    async fn delete_org(&self, g: &Granted<perms::OrganizationDelete>) -> StoreResult<()> {
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(delete(tx, org_id, by))).await
    }

    async fn memberships_of_user(&self, user_id: UserId) -> StoreResult<Vec<Membership>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select user_id, organization_id, users_role_id from organization_members where user_id = $1
             order by organization_id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, organization_id, users_role_id)| Membership {
                user_id,
                organization_id,
                users_role_id,
                invitation: None,
            })
            .collect())
    }

    async fn team_roles_of_user(&self, user_id: UserId) -> StoreResult<Vec<TeamRole>> {
        Ok(sqlx::query_as("select team_id, users_role_id from team_members where user_id = $1 order by team_id")
            .bind(user_id)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    async fn org_by_id(&self, org_id: OrgId) -> StoreResult<Option<Org>> {
        let row: Option<Org> = sqlx::query_as(&format!("select {ORG_COLS} from organizations o where o.id = $1"))
            .bind(org_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row)
    }

    async fn add_usage(&self, org_id: OrgId, at: DateTime<Utc>, a: UsageTotals, now: DateTime<Utc>) -> StoreResult<()> {
        let org_id = org_id.0;
        self.write(None, move |tx| Box::pin(book_usage(tx, org_id, at, a, now))).await
    }

    async fn usage_records(
        &self,
        g: &Granted<perms::OrganizationView>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, UsageTotals)>> {
        let rows: Vec<(DateTime<Utc>, i64, i64, i64)> = sqlx::query_as(
            "select at, operations, data_transfer, centicredits from usage_records
             where organization_id = $1 and at >= $2 and at < $3 order by at",
        )
        .bind(g.org_id())
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, operations, data_transfer, centicredits)| {
                (at, UsageTotals { operations, data_transfer, centicredits })
            })
            .collect())
    }
}

impl BackendStore {
    /// The page by SQL: with filters, other sort columns, or for a user in more organizations than an order holds.
    async fn list_by_sql(&self, f: &OrgFilter, page: &Page) -> StoreResult<Vec<Org>> {
        let dir = page.sort_dir.sql();
        // By name or id without filters (a user past the order's bound), the page is cut from the membership index
        // alone (`organization_members_user_name`, `organization_members_user`): skipping `offset` rows costs index
        // steps, not a sort of all the caller's organizations; only the page's rows are then read.
        let by_index = match page.sort_by {
            "name" => Some(("m.org_name, m.organization_id", format!("p.org_name {dir}, p.organization_id {dir}"))),
            "id" => Some(("m.organization_id", format!("p.organization_id {dir}"))),
            _ => None,
        };
        let sql = match by_index {
            Some((cols, order)) if f.zone.is_none() && f.external_id.is_none() => format!(
                "select {ORG_COLS} from (
                     select {cols} from organization_members m
                     where m.user_id = $1 and cast($2 as text) is null and cast($3 as text) is null
                     order by {} limit $4 offset $5
                 ) p join organizations o on o.id = p.organization_id
                 order by {order}",
                order.replace("p.", "m.")
            ),
            _ => format!(
                "select {ORG_COLS} from organizations o
                 join organization_members m on m.organization_id = o.id and m.user_id = $1
                 where (cast($2 as text) is null or o.zone = $2) and (cast($3 as text) is null or o.external_id = $3)
                 order by {} {dir}, o.id {dir} limit $4 offset $5",
                sort_column(page.sort_by)
            ),
        };
        let rows: Vec<Org> = sqlx::query_as(&sql)
            .bind(f.user_id)
            .bind(&f.zone)
            .bind(&f.external_id)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        Ok(rows)
    }
}

/// The organization with its team "My Team", its Owner and Team Admin and the audit entry (feature controls are
/// stored only where they differ from the default), through `trips.rs` (on SQLite in the writer's quick batches).
async fn insert_org(mut conn: Trips<'_, Conn>, o: NewOrg) -> StoreResult<(Org, Team)> {
    const ORG: &str = "insert into organizations (name, country_id, timezone_id, zone, plan, created_at)
         values ($1, $2, $3, $4, $5, $6)
         returning id, name, country_id, timezone_id, zone, plan, external_id, tfa_enforced, created_at";
    const TEAM: &str = "insert into teams (organization_id, name, created_at) values ($1, 'My Team', $2)
         returning id, name, organization_id, operations_limit, transfer_limit";
    // The owner's two memberships and the audit entry in one trip: the audit entry binds `$1`–`$8`, the
    // memberships the organization, team, owner, time and roles as `$9`–`$14`.
    static OWNER: Trip = Trip::new(&[
        audit::INSERT,
        "insert into organization_members (organization_id, user_id, users_role_id, created_at)
         values ($9, $11, $13, $12)",
        "insert into team_members (team_id, user_id, users_role_id, created_at) values ($10, $11, $14, $12)",
    ]);
    let returned = || StoreError::Other(anyhow::anyhow!("an insert returned no row"));
    let args = vec![
        Arg::Text(o.name),
        Arg::Int(o.country_id),
        Arg::Int(o.timezone_id),
        Arg::Text(o.zone),
        Arg::Text(o.plan),
        Arg::Time(o.now),
    ];
    let org: Org = trips::row(&mut conn, ORG, args, rows::org).await?.ok_or_else(returned)?;
    let args = vec![Arg::Int(org.id), Arg::Created(o.now)];
    let team: Team = trips::row(&mut conn, TEAM, args, rows::team).await?.ok_or_else(returned)?;
    let entry = NewEntry::new(org.id, Some(o.owner_id), ev::ORGANIZATION_CREATED, org.id);
    let mut args = entry.detail(audit::org_detail(&org)).args();
    args.extend([
        Arg::Int(org.id),
        Arg::Int(team.id),
        Arg::Int(o.owner_id),
        Arg::Created(o.now),
        Arg::Int(roles::OWNER),
        Arg::Int(roles::TEAM_ADMIN),
    ]);
    trips::run(&mut conn, &OWNER, args).await?;
    Ok((org, team))
}

/// Changes the organization's name, country or timezone and records the change.
async fn update(tx: &mut Conn, org_id: i64, by: i64, p: OrgPatch) -> StoreResult<Org> {
    let missing = || StoreError::NotFound(format!("Organization {} not found.", org_id));
    let old: Org = org_row(tx, org_id).await?.ok_or_else(missing)?;
    let row: Org = sqlx::query_as(
        "update organizations set name = coalesce($1, name), country_id = coalesce($2, country_id),
                 timezone_id = coalesce($3, timezone_id)
             where id = $4
             returning id, name, country_id, timezone_id, zone, plan, external_id, tfa_enforced, created_at",
    )
    .bind(p.name)
    .bind(p.country_id)
    .bind(p.timezone_id)
    .bind(org_id)
    .fetch_one(&mut *tx)
    .await?;
    let new: Org = row;
    let entry = NewEntry::new(org_id, Some(by), ev::ORGANIZATION_UPDATED, org_id);
    record(tx, entry.detail(audit::org_changes(&old, &new))).await?;
    Ok(new)
}

/// Deletes the organization with everything it owns, after the audit entry that keeps its name.
async fn delete(tx: &mut Conn, org_id: i64, by: i64) -> StoreResult<()> {
    let Some(old) = org_row(tx, org_id).await? else {
        return Err(StoreError::NotFound(format!("Organization {} not found.", org_id)));
    };
    // Written first, so the entry keeps the organization's name.
    let entry = NewEntry::new(org_id, Some(by), ev::ORGANIZATION_DELETED, org_id);
    record(tx, entry.detail(audit::org_detail(&old))).await?;
    sqlx::query("delete from organizations where id = $1").bind(org_id).execute(&mut *tx).await?;
    Ok(())
}

/// Adds the usage booked at `at` and records it.
pub(super) async fn book_usage(
    tx: &mut Conn,
    org_id: i64,
    at: DateTime<Utc>,
    a: UsageTotals,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "insert into usage_records (organization_id, at, operations, data_transfer, centicredits, created_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (organization_id, at) do update set
                 operations = usage_records.operations + excluded.operations,
                 data_transfer = usage_records.data_transfer + excluded.data_transfer,
                 centicredits = usage_records.centicredits + excluded.centicredits",
    )
    .bind(org_id)
    .bind(at)
    .bind(a.operations)
    .bind(a.data_transfer)
    .bind(a.centicredits)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::NotFound(_) => StoreError::NotFound(format!("Organization {org_id} not found.")),
        other => other,
    })?;
    let detail = json!({
        "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "operations": a.operations,
        "dataTransfer": a.data_transfer,
        "centicredits": a.centicredits,
    });
    record(tx, NewEntry::new(org_id, None, ev::USAGE_BOOKED, org_id).detail(detail)).await?;
    Ok(())
}
