//! User–organization roles: who holds which role, role changes, removal and ownership transfer.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::record;
use super::dialect::{COLLATE_C, NULL_TIMESTAMP};
use super::outbox::{cancel_pending, enqueue};
use super::users::user_cols_of;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::{RoleId, UserId};
use crate::domain::{roles, rules};
use crate::grant::{perms, Granted, OwnerOnly};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::models::{MemberRole, OrgUser};
use crate::store::outbox::{self, OwnerContext};
use crate::store::page::Page;
use crate::store::{MemberStore, StoreError, StoreResult};
use serde_json::json;

/// `cross join` fixes SQLite's order, as in `teams.rs`: the organization's few teams, then the member's row in each;
/// SQLite would otherwise walk all the member's team memberships (1 000 000 for the benchmark's owner), its
/// covering `team_members_user` index tempting it since the table is `without rowid` (…0090_compact_members).
const COUNTS: &str = "(select count(*) from teams t where t.organization_id = $1) as organization_teams_count,
     (select count(*) from teams t cross join team_members tm
       where t.organization_id = $1 and tm.team_id = t.id and tm.user_id = x.user_id) as joined_teams_count";

#[derive(FromRow)]
struct RoleRow {
    user_id: i64,
    users_role_id: i64,
    invited_until: Option<DateTime<Utc>>,
    organization_teams_count: i64,
    joined_teams_count: i64,
}

fn role_of(org_id: i64, r: RoleRow) -> MemberRole {
    MemberRole {
        user_id: r.user_id,
        organization_id: org_id,
        users_role_id: r.users_role_id,
        invited_until: r.invited_until,
        organization_teams_count: r.organization_teams_count,
        joined_teams_count: r.joined_teams_count,
    }
}

/// Active roles, then open invitations of users who are not active members, of one organization.
async fn roles_in(conn: &mut Conn, org_id: i64, only_user: Option<i64>) -> StoreResult<Vec<MemberRole>> {
    let sql = format!(
        "select x.user_id, x.users_role_id, x.invited_until, {COUNTS} from (
             select user_id, users_role_id, {NULL_TIMESTAMP} as invited_until from organization_members
             where organization_id = $1
             union all
             select i.user_id, i.users_role_id, i.expires_at as invited_until from invitations i
             where i.organization_id = $1 and i.accepted_at is null
               and not exists (select 1 from organization_members m
                               where m.organization_id = $1 and m.user_id = i.user_id)
         ) x where (cast($2 as bigint) is null or x.user_id = $2) order by x.user_id"
    );
    let rows: Vec<RoleRow> = sqlx::query_as(&sql).bind(org_id).bind(only_user).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|r| role_of(org_id, r)).collect())
}

pub(super) async fn one_role(conn: &mut Conn, org_id: i64, user_id: i64) -> StoreResult<MemberRole> {
    roles_in(conn, org_id, Some(user_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("User {user_id} is not a member of this organization.")))
}

pub(super) async fn active_role(conn: &mut Conn, org_id: i64, user_id: i64) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar("select users_role_id from organization_members where organization_id = $1 and user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?)
}

#[async_trait]
impl MemberStore for BackendStore {
    async fn org_roles(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<MemberRole>> {
        let mut conn = self.reader().await?;
        roles_in(&mut conn, g.org_id(), None).await
    }

    async fn user_roles(&self, user_id: UserId) -> StoreResult<Vec<MemberRole>> {
        let user_id = user_id.0;
        let mut conn = self.reader().await?;
        let orgs: Vec<i64> = sqlx::query_scalar(
            "select organization_id from organization_members where user_id = $1
             union select organization_id from invitations where user_id = $1 and accepted_at is null
             order by 1",
        )
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(orgs.len());
        for org_id in orgs {
            out.extend(roles_in(&mut conn, org_id, Some(user_id)).await?);
        }
        Ok(out)
    }

    async fn set_org_role(
        &self,
        g: &Granted<perms::UserAddAndEdit>,
        user_id: UserId,
        role: RoleId,
    ) -> StoreResult<MemberRole> {
        let (user_id, role) = (user_id.0, role.0);
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(put_org_role(tx, org_id, by, user_id, role))).await
    }

    async fn remove_member(&self, g: &Granted<perms::UserAddAndEdit>, user_id: UserId) -> StoreResult<MemberRole> {
        let user_id = user_id.0;
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(remove(tx, org_id, by, user_id))).await
    }

    async fn transfer_ownership(
        &self,
        g: &Granted<OwnerOnly>,
        to_user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<[MemberRole; 2]> {
        let to_user = to_user.0;
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(transfer(tx, org_id, by, to_user, now))).await
    }

    async fn org_users(
        &self,
        g: &Granted<perms::OrganizationView>,
        role: Option<RoleId>,
        tfa_status: Option<i64>,
        page: &Page,
    ) -> StoreResult<Vec<OrgUser>> {
        let col = match page.sort_by {
            "id" => "u.id",
            "email" => &format!("u.email{COLLATE_C}"),
            _ => &format!("u.name{COLLATE_C}"),
        };
        let dir = page.sort_dir.sql();
        let rows: Vec<OrgUser> = sqlx::query_as(&format!(
            "select {}, {TFA_STATUS} as tfa_status from users u
             join organization_members m on m.user_id = u.id and m.organization_id = $1
             where (cast($2 as bigint) is null or m.users_role_id = $2)
               and (cast($5 as bigint) is null or {TFA_STATUS} = $5)
             order by {col} {dir}, u.id {dir} limit $3 offset $4",
            user_cols_of("u")
        ))
        .bind(g.org_id())
        .bind(role)
        .bind(page.limit)
        .bind(page.offset)
        .bind(tfa_status)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows)
    }
}

/// Make's `tfaStatus` of the user `u`, in SQL for lists and their filter: the same values as
/// `factors::totp::status` gives one user (1 set up, 2 enrolment started, 0 neither); tests/api/members.rs
/// holds the two to each other.
const TFA_STATUS: &str = "cast(case when u.tfa_enabled then 1
    when exists (select 1 from totp_secrets t where t.user_id = u.id and t.confirmed_at is null) then 2 else 0 end
    as bigint)";

/// Sets an active member's or invitee's organization role.
async fn put_org_role(tx: &mut Conn, org_id: i64, by: i64, user_id: i64, role: i64) -> StoreResult<MemberRole> {
    let before = one_role(tx, org_id, user_id).await.ok();
    let active = active_role(tx, org_id, user_id).await?;
    rules::role_settable(active)?;
    match active {
        Some(_) => {
            sqlx::query(
                "update organization_members set users_role_id = $1 where organization_id = $2 and user_id = $3",
            )
            .bind(role)
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            let done = sqlx::query(
                "update invitations set users_role_id = $1
                     where organization_id = $2 and user_id = $3 and accepted_at is null",
            )
            .bind(role)
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("User {user_id} is not a member of this organization.")));
            }
        }
    }
    let detail = json!({
        "oldUsersRoleId": before.as_ref().map(|r| r.users_role_id),
        "usersRoleId": role,
        "invitation": before.is_some_and(|r| r.invited_until.is_some()),
    });
    let entry = NewEntry::new(org_id, Some(by), ev::USER_ROLE_CHANGED, user_id);
    record(tx, entry.detail(detail)).await?;
    let out = one_role(tx, org_id, user_id).await?;
    Ok(out)
}

/// Removes the user from the organization and its teams, or withdraws their invitation.
async fn remove(tx: &mut Conn, org_id: i64, by: i64, user_id: i64) -> StoreResult<MemberRole> {
    let before = one_role(tx, org_id, user_id).await?;
    rules::removable(before.users_role_id, before.invited_until.is_some())?;
    sqlx::query(
        "delete from team_members where user_id = $1
             and team_id in (select id from teams where organization_id = $2)",
    )
    .bind(user_id)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "delete from organization_members where user_id = $1 and organization_id = $2",
        "delete from invitations where user_id = $1 and organization_id = $2 and accepted_at is null",
    ] {
        sqlx::query(sql).bind(user_id).bind(org_id).execute(&mut *tx).await?;
    }
    cancel_pending(tx, org_id, user_id, "the invitation was withdrawn").await?;
    let detail = json!({"usersRoleId": before.users_role_id, "invitation": before.invited_until.is_some()});
    record(tx, NewEntry::new(org_id, Some(by), ev::USER_REMOVED, user_id).detail(detail)).await?;
    Ok(before)
}

/// Makes `to_user` the Owner and the Owner `by` an Admin, and queues the new Owner's e-mail.
async fn transfer(
    tx: &mut Conn,
    org_id: i64,
    by: i64,
    to_user: i64,
    now: DateTime<Utc>,
) -> StoreResult<[MemberRole; 2]> {
    let owner_role = active_role(tx, org_id, by).await?;
    let to_role = active_role(tx, org_id, to_user).await?;
    rules::transferable(by, owner_role, to_user, to_role)?;
    for (user, role) in [(to_user, roles::OWNER), (by, roles::ADMIN)] {
        sqlx::query("update organization_members set users_role_id = $1 where organization_id = $2 and user_id = $3")
            .bind(role)
            .bind(org_id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    let detail = json!({"previousOwnerId": by, "newOwnerId": to_user, "previousOwnerUsersRoleId": roles::ADMIN});
    let entry = NewEntry::new(org_id, Some(by), ev::OWNERSHIP_TRANSFERRED, to_user);
    record(tx, entry.detail(detail)).await?;
    let ctx: OwnerContext =
        sqlx::query_as(outbox::OWNER_CONTEXT).bind(org_id).bind(by).bind(to_user).fetch_one(&mut *tx).await?;
    enqueue(tx, outbox::new_owner(org_id, to_user, ctx), outbox::ms(now)).await?;
    let new = one_role(tx, org_id, to_user).await?;
    let old = one_role(tx, org_id, by).await?;
    Ok([new, old])
}
