//! Invitations: the invite (seat limit, e-mail bound, the message queued in the same transaction) and its
//! acceptance.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::audit::record;
use super::dialect::TIMESTAMP;
use super::members::{active_role, one_role};
use super::outbox::{cancel_pending, check_budget, enqueue};
use super::users::user_cols_of;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::UserId;
use crate::domain::{roles, rules, timezones};
use crate::grant::{perms, Granted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::compact::Created;
use crate::store::models::{Invitation, MemberRole, NewInvitation, User};
use crate::store::outbox::{self, InviteContext};
use crate::store::{InvitationStore, StoreError, StoreResult};
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
/// The invitee's user id, creating the account for an e-mail address not seen before; whether it existed.
async fn invitee(conn: &mut Conn, inv: &NewInvitation) -> StoreResult<(i64, bool)> {
    let existing: Option<i64> =
        sqlx::query_scalar("select id from users where email = $1").bind(&inv.email).fetch_optional(&mut *conn).await?;
    if let Some(id) = existing {
        return Ok((id, true));
    }
    let id = sqlx::query_scalar(
        "insert into users (email, name, timezone_id, country_id, created_at) values ($1, $2, $3, 1, $4) returning id",
    )
    .bind(&inv.email)
    .bind(&inv.name)
    .bind(timezones::utc_id())
    .bind(inv.now)
    .fetch_one(&mut *conn)
    .await?;
    Ok((id, false))
}

/// Stores an invitation (the invitee's older open one was deleted first).
async fn insert_invitation(
    conn: &mut Conn,
    org_id: i64,
    user_id: i64,
    by: i64,
    inv: &NewInvitation,
) -> StoreResult<()> {
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
    .bind(by)
    .bind(inv.now)
    .bind(inv.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl InvitationStore for BackendStore {
    async fn invite(&self, g: &Granted<perms::UserAddAndEdit>, inv: NewInvitation) -> StoreResult<MemberRole> {
        let (org_id, by) = (g.org_id(), g.user_id());
        // One invite of an organization at a time, so the seat count and the invitation bound hold across nodes.
        self.write(Some(org_id), move |tx| Box::pin(insert(tx, org_id, by, inv))).await
    }

    async fn invitation_by_hash(&self, hash: &str) -> StoreResult<Option<Invitation>> {
        let row: Option<InvitationRow> = sqlx::query_as(&format!("{} where i.hash = $1", invitation_select()))
            .bind(hash)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn accept_invitation(&self, invitation_id: i64, now: DateTime<Utc>) -> StoreResult<MemberRole> {
        self.write(None, move |tx| Box::pin(accept(tx, invitation_id, now))).await
    }

    async fn open_invitations_of(&self, user_id: UserId, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>> {
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
}

/// Stores the invitation (creating the invitee's account if new) and queues its e-mail.
async fn insert(tx: &mut Conn, org_id: i64, by: i64, inv: NewInvitation) -> StoreResult<MemberRole> {
    // One invite of an organization at a time, so the seat count and the invitation bound hold across nodes.
    let (user_id, existed) = invitee(tx, &inv).await?;
    if active_role(tx, org_id, user_id).await?.is_some() {
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
    check_budget(tx, org_id, now_ms, inv.mails_per_hour).await?;
    cancel_pending(tx, org_id, user_id, "replaced by a newer invitation").await?;
    sqlx::query("delete from invitations where organization_id = $1 and user_id = $2 and accepted_at is null")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    insert_invitation(tx, org_id, user_id, by, &inv).await?;
    let detail = json!({"email": inv.email, "usersRoleId": inv.users_role_id, "teamsId": inv.team_ids});
    record(tx, NewEntry::new(org_id, Some(by), ev::USER_INVITED, user_id).detail(detail)).await?;
    let ctx: InviteContext =
        sqlx::query_as(outbox::INVITE_CONTEXT).bind(org_id).bind(by).bind(user_id).fetch_one(&mut *tx).await?;
    enqueue(tx, outbox::invitation(org_id, user_id, &inv, existed, ctx), now_ms).await?;
    let role = one_role(tx, org_id, user_id).await?;
    Ok(role)
}

/// Accepts the invitation if it is still open: exactly one of racing accepts finds it.
async fn accept(tx: &mut Conn, invitation_id: i64, now: DateTime<Utc>) -> StoreResult<MemberRole> {
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
    .bind(Created(now))
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
            .bind(Created(now))
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
    }
    cancel_pending(tx, org_id, user_id, "the invitation was accepted before it was sent").await?;
    super::private_spaces::on_join(tx, org_id, user_id, now).await?;
    let entry = NewEntry::new(org_id, Some(user_id), ev::INVITATION_ACCEPTED, user_id);
    record(tx, entry.detail(json!({"usersRoleId": role}))).await?;
    let out = one_role(tx, org_id, user_id).await?;
    Ok(out)
}
