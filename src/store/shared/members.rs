// Invitations and user–organization roles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::audit::record;
use super::dialect::{COLLATE_C, NULL_TIMESTAMP, TIMESTAMP};
use super::outbox::{cancel_pending, check_budget, enqueue};
use super::users::user_cols_of;
use super::{Backend, Conn};
use crate::domain::audit as ev;
use crate::domain::{roles, rules, timezones};
use crate::grant::{perms, Granted, OwnerOnly};
use crate::store::audit::NewEntry;
use crate::store::models::{Invitation, MemberRole, NewInvitation, User};
use crate::store::outbox::{self, InviteContext, OwnerContext};
use crate::store::page::Page;
use crate::store::{MemberStore, StoreError, StoreResult};
use serde_json::json;

#[derive(FromRow)]
struct InvitationRow {
    invitation_id: i64,
    organization_id: i64,
    organization_name: String,
    zone: String,
    users_role_id: i64,
    hash: String,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    user: User,
}

impl From<InvitationRow> for Invitation {
    fn from(r: InvitationRow) -> Self {
        Invitation {
            id: r.invitation_id,
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            zone: r.zone,
            user: r.user,
            users_role_id: r.users_role_id,
            hash: r.hash,
            expires_at: r.expires_at,
            accepted_at: r.accepted_at,
        }
    }
}

fn invitation_select() -> String {
    format!(
        "select i.id as invitation_id, i.organization_id, o.name as organization_name, o.zone, i.users_role_id, i.hash, i.expires_at,
                i.accepted_at, {}
         from invitations i join organizations o on o.id = i.organization_id join users u on u.id = i.user_id",
        user_cols_of("u")
    )
}

/// Counts shown with a role: teams of the organization and teams of it the user is in.
const COUNTS: &str = "(select count(*) from teams t where t.organization_id = $1) as organization_teams_count,
     (select count(*) from team_members tm join teams t on t.id = tm.team_id
       where t.organization_id = $1 and tm.user_id = x.user_id) as joined_teams_count";

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

async fn one_role(conn: &mut Conn, org_id: i64, user_id: i64) -> StoreResult<MemberRole> {
    roles_in(conn, org_id, Some(user_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("User {user_id} is not a member of this organization.")))
}

async fn active_role(conn: &mut Conn, org_id: i64, user_id: i64) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar("select users_role_id from organization_members where organization_id = $1 and user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?)
}

#[async_trait]
impl MemberStore for Backend {
    async fn invite(&self, g: &Granted<perms::UserAddAndEdit>, inv: NewInvitation) -> StoreResult<MemberRole> {
        let org_id = g.org_id();
        // One invite of an organization at a time, so the seat count and the invitation bound hold across nodes.
        let mut tx = self.begin_org(org_id).await?;
        let existing: Option<i64> = sqlx::query_scalar("select id from users where email = $1")
            .bind(&inv.email)
            .fetch_optional(&mut *tx)
            .await?;
        let user_id =
            match existing {
                Some(id) => id,
                None => sqlx::query_scalar(
                    "insert into users (email, name, timezone_id, country_id, created_at) values ($1, $2, $3, 1, $4)
                     returning id",
                )
                .bind(&inv.email)
                .bind(&inv.name)
                .bind(timezones::utc_id())
                .bind(inv.now)
                .fetch_one(&mut *tx)
                .await?,
            };
        if active_role(&mut tx, org_id, user_id).await?.is_some() {
            return Err(StoreError::Conflict(format!("{} is already a member of this organization.", inv.email)));
        }
        let seats: i64 = sqlx::query_scalar(
            "select (select count(*) from organization_members where organization_id = $1)
                  + (select count(*) from invitations where organization_id = $1 and accepted_at is null
                       and expires_at > $2 and user_id <> $3)",
        )
        .bind(org_id)
        .bind(inv.now)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        rules::seat_available(seats, inv.max_users)?;
        let now_ms = outbox::ms(inv.now);
        check_budget(&mut tx, org_id, now_ms, inv.mails_per_hour).await?;
        cancel_pending(&mut tx, org_id, user_id, "replaced by a newer invitation").await?;
        sqlx::query("delete from invitations where organization_id = $1 and user_id = $2 and accepted_at is null")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into invitations (organization_id, user_id, users_role_id, name, note, team_ids, hash, invited_by,
                                      created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(inv.users_role_id)
        .bind(&inv.name)
        .bind(&inv.note)
        .bind(Json(&inv.team_ids))
        .bind(&inv.hash)
        .bind(g.user_id())
        .bind(inv.now)
        .bind(inv.expires_at)
        .execute(&mut *tx)
        .await?;
        let detail = json!({"email": inv.email, "usersRoleId": inv.users_role_id, "teamsId": inv.team_ids});
        record(&mut tx, NewEntry::new(org_id, Some(g.user_id()), ev::USER_INVITED, user_id).detail(detail)).await?;
        let ctx: InviteContext = sqlx::query_as(outbox::INVITE_CONTEXT)
            .bind(org_id)
            .bind(g.user_id())
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        enqueue(&mut tx, outbox::invitation(org_id, user_id, &inv, existing.is_some(), ctx), now_ms).await?;
        let role = one_role(&mut tx, org_id, user_id).await?;
        self.commit(tx).await?;
        Ok(role)
    }

    async fn invitation_by_hash(&self, hash: &str) -> StoreResult<Option<Invitation>> {
        let row: Option<InvitationRow> = sqlx::query_as(&format!("{} where i.hash = $1", invitation_select()))
            .bind(hash)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn accept_invitation(&self, invitation_id: i64, now: DateTime<Utc>) -> StoreResult<MemberRole> {
        let mut tx = self.begin().await?;
        let won: Option<(i64, i64, i64, Json<Vec<i64>>)> = sqlx::query_as(
            "update invitations set accepted_at = $1 where id = $2 and accepted_at is null and expires_at > $1
             returning organization_id, user_id, users_role_id, team_ids",
        )
        .bind(now)
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((org_id, user_id, role, team_ids)) = won else {
            return Err(StoreError::NotFound("Invitation not found, already used or expired.".into()));
        };
        sqlx::query(
            "insert into organization_members (organization_id, user_id, users_role_id, created_at)
             values ($1, $2, $3, $4) on conflict (organization_id, user_id) do nothing",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for team_id in team_ids.0 {
            sqlx::query(
                &format!(
                "insert into team_members (team_id, user_id, users_role_id, created_at)
                 select id, cast($2 as bigint), cast($3 as bigint), $4{TIMESTAMP} from teams where id = $1 and organization_id = $5
                 on conflict (team_id, user_id) do nothing"
            ),
            )
            .bind(team_id)
            .bind(user_id)
            .bind(roles::TEAM_MEMBER)
            .bind(now)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        }
        cancel_pending(&mut tx, org_id, user_id, "the invitation was accepted before it was sent").await?;
        let entry = NewEntry::new(org_id, Some(user_id), ev::INVITATION_ACCEPTED, user_id);
        record(&mut tx, entry.detail(json!({"usersRoleId": role}))).await?;
        let out = one_role(&mut tx, org_id, user_id).await?;
        self.commit(tx).await?;
        Ok(out)
    }

    async fn open_invitations_of(&self, user_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>> {
        let rows: Vec<InvitationRow> = sqlx::query_as(&format!(
            "{} where i.user_id = $1 and i.accepted_at is null and i.expires_at > $2 order by i.id",
            invitation_select()
        ))
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn org_roles(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<MemberRole>> {
        let mut conn = self.reader().await?;
        roles_in(&mut conn, g.org_id(), None).await
    }

    async fn user_roles(&self, user_id: i64) -> StoreResult<Vec<MemberRole>> {
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
        user_id: i64,
        role: i64,
    ) -> StoreResult<MemberRole> {
        let org_id = g.org_id();
        let mut tx = self.begin_org(org_id).await?;
        let before = one_role(&mut tx, org_id, user_id).await.ok();
        let active = active_role(&mut tx, org_id, user_id).await?;
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
        let entry = NewEntry::new(org_id, Some(g.user_id()), ev::USER_ROLE_CHANGED, user_id);
        record(&mut tx, entry.detail(detail)).await?;
        let out = one_role(&mut tx, org_id, user_id).await?;
        self.commit(tx).await?;
        Ok(out)
    }

    async fn remove_member(&self, g: &Granted<perms::UserAddAndEdit>, user_id: i64) -> StoreResult<MemberRole> {
        let org_id = g.org_id();
        let mut tx = self.begin_org(org_id).await?;
        let before = one_role(&mut tx, org_id, user_id).await?;
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
        cancel_pending(&mut tx, org_id, user_id, "the invitation was withdrawn").await?;
        let detail = json!({"usersRoleId": before.users_role_id, "invitation": before.invited_until.is_some()});
        record(&mut tx, NewEntry::new(org_id, Some(g.user_id()), ev::USER_REMOVED, user_id).detail(detail)).await?;
        self.commit(tx).await?;
        Ok(before)
    }

    async fn transfer_ownership(
        &self,
        g: &Granted<OwnerOnly>,
        to_user: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<[MemberRole; 2]> {
        let org_id = g.org_id();
        let mut tx = self.begin_org(org_id).await?;
        let owner_role = active_role(&mut tx, org_id, g.user_id()).await?;
        let to_role = active_role(&mut tx, org_id, to_user).await?;
        rules::transferable(g.user_id(), owner_role, to_user, to_role)?;
        for (user, role) in [(to_user, roles::OWNER), (g.user_id(), roles::ADMIN)] {
            sqlx::query(
                "update organization_members set users_role_id = $1 where organization_id = $2 and user_id = $3",
            )
            .bind(role)
            .bind(org_id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        }
        let detail =
            json!({"previousOwnerId": g.user_id(), "newOwnerId": to_user, "previousOwnerUsersRoleId": roles::ADMIN});
        let entry = NewEntry::new(org_id, Some(g.user_id()), ev::OWNERSHIP_TRANSFERRED, to_user);
        record(&mut tx, entry.detail(detail)).await?;
        let ctx: OwnerContext = sqlx::query_as(outbox::OWNER_CONTEXT)
            .bind(org_id)
            .bind(g.user_id())
            .bind(to_user)
            .fetch_one(&mut *tx)
            .await?;
        enqueue(&mut tx, outbox::new_owner(org_id, to_user, ctx), outbox::ms(now)).await?;
        let new = one_role(&mut tx, org_id, to_user).await?;
        let old = one_role(&mut tx, org_id, g.user_id()).await?;
        self.commit(tx).await?;
        Ok([new, old])
    }

    async fn org_users(
        &self,
        g: &Granted<perms::OrganizationView>,
        role: Option<i64>,
        page: &Page,
    ) -> StoreResult<Vec<User>> {
        let col = match page.sort_by {
            "id" => "u.id",
            "email" => &format!("u.email{COLLATE_C}"),
            _ => &format!("u.name{COLLATE_C}"),
        };
        let dir = page.sort_dir.sql();
        let rows: Vec<User> = sqlx::query_as(&format!(
            "select {} from users u join organization_members m on m.user_id = u.id and m.organization_id = $1
             where (cast($2 as bigint) is null or m.users_role_id = $2) order by {col} {dir}, u.id {dir} limit $3 offset $4",
            user_cols_of("u")
        ))
        .bind(g.org_id())
        .bind(role)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows)
    }
}
