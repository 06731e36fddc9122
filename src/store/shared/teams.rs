//! Teams and team roles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::dialect::COLLATE_C;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::{OrgId, RoleId, TeamId, UserId};
use crate::domain::{roles, rules};
use crate::grant::team_perms::{TeamDelete, TeamUserAddAndEdit};
use crate::grant::{perms, Granted, TeamGranted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::compact::Created;
use crate::store::models::{NewTeam, Team, TeamMember, TeamRole};
use crate::store::page::Page;
use crate::store::{StoreError, StoreResult, TeamStore};
use serde_json::json;

const TEAM_COLS: &str = "id, name, organization_id, operations_limit, transfer_limit";

#[async_trait]
impl TeamStore for BackendStore {
    async fn teams_in_org(&self, g: &Granted<perms::OrganizationView>, page: &Page) -> StoreResult<Vec<Team>> {
        let col = if page.sort_by == "id" { "id".to_string() } else { format!("name{COLLATE_C}") };
        let dir = page.sort_dir.sql();
        let rows: Vec<Team> = sqlx::query_as(&format!(
            "select {TEAM_COLS} from teams where organization_id = $1 order by {col} {dir}, id {dir} limit $2 offset $3"
        ))
        .bind(g.org_id())
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows)
    }

    async fn team(&self, team_id: TeamId) -> StoreResult<Option<Team>> {
        let row: Option<Team> = sqlx::query_as(&format!("select {TEAM_COLS} from teams where id = $1"))
            .bind(team_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row)
    }

    async fn create_team(&self, g: &Granted<perms::TeamAdd>, t: NewTeam) -> StoreResult<Team> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(insert_team(tx, org_id, user_id, t))).await
    }

    async fn delete_team(&self, g: &TeamGranted<TeamDelete>) -> StoreResult<()> {
        let (org_id, user_id, team_id) = (g.org_id(), g.user_id(), g.team_id());
        self.write(Some(org_id), move |tx| Box::pin(remove_team(tx, org_id, user_id, team_id))).await
    }

    /// Read by every team permission check: from the read model when it holds the user's team roles there.
    async fn team_roles_in_org(&self, org_id: OrgId, user_id: UserId) -> StoreResult<Vec<TeamRole>> {
        self.model()
            .team_roles(org_id.0, user_id.0, |fill| async move {
                let mut conn = if fill { self.primary().await? } else { self.reader().await? };
                Ok(sqlx::query_as(
                    // `cross join` fixes SQLite's order: the organization's few teams first, then the member's row
                    // in each; it would otherwise start from all the user's team memberships (100 000 of them in
                    // the benchmark). PostgreSQL plans it as the plain join it is.
                    "select tm.team_id, tm.users_role_id from teams t cross join team_members tm
                     where tm.team_id = t.id and tm.user_id = $2 and t.organization_id = $1 order by tm.team_id",
                )
                .bind(org_id)
                .bind(user_id)
                .fetch_all(&mut *conn)
                .await?)
            })
            .await
    }

    async fn team_members(&self, team_id: TeamId) -> StoreResult<Vec<TeamMember>> {
        Ok(sqlx::query_as("select user_id, users_role_id from team_members where team_id = $1 order by user_id")
            .bind(team_id)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    async fn set_team_role(
        &self,
        g: &TeamGranted<TeamUserAddAndEdit>,
        user_id: UserId,
        role: Option<RoleId>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (user_id, role) = (user_id.0, role.map(|r| r.0));
        let (org_id, by, team_id) = (g.org_id(), g.user_id(), g.team_id());
        self.write(Some(org_id), move |tx| Box::pin(put_team_role(tx, org_id, by, team_id, user_id, role, now))).await
    }
}

/// Creates the team with its creator as Team Admin, within the plan's `teams`.
async fn insert_team(tx: &mut Conn, org_id: i64, user_id: i64, t: NewTeam) -> StoreResult<Team> {
    let count: i64 = sqlx::query_scalar("select count(*) from teams where organization_id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
    rules::team_available(count, t.max_teams)?;
    let row: Team = sqlx::query_as(&format!(
        "insert into teams (organization_id, name, operations_limit, transfer_limit, created_at)
             values ($1, $2, $3, $4, $5) returning {TEAM_COLS}"
    ))
    .bind(org_id)
    .bind(&t.name)
    .bind(t.operations_limit)
    .bind(t.transfer_limit)
    .bind(Created(t.now))
    .fetch_one(&mut *tx)
    .await?;
    let team = row;
    sqlx::query("insert into team_members (team_id, user_id, users_role_id, created_at) values ($1, $2, $3, $4)")
        .bind(team.id)
        .bind(t.creator_id)
        .bind(roles::TEAM_ADMIN)
        .bind(Created(t.now))
        .execute(&mut *tx)
        .await?;
    let entry = NewEntry::new(org_id, Some(user_id), ev::TEAM_CREATED, team.id).team(team.id);
    record(tx, entry.detail(json!({"name": team.name}))).await?;
    Ok(team)
}

/// Deletes the team unless it is the organization's last one.
async fn remove_team(tx: &mut Conn, org_id: i64, user_id: i64, team_id: i64) -> StoreResult<()> {
    let count: i64 = sqlx::query_scalar("select count(*) from teams where organization_id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
    rules::team_deletable(count)?;
    // Written first, so the entry keeps the team's name.
    let entry = NewEntry::new(org_id, Some(user_id), ev::TEAM_DELETED, team_id).team(team_id);
    record(tx, entry).await?;
    let done = sqlx::query("delete from teams where id = $1 and organization_id = $2")
        .bind(team_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("Team {} not found.", team_id)));
    }
    Ok(())
}

/// Sets or removes a member's team role.
async fn put_team_role(
    tx: &mut Conn,
    org_id: i64,
    by: i64,
    team_id: i64,
    user_id: i64,
    role: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let member: Option<i64> =
        sqlx::query_scalar("select user_id from organization_members where organization_id = $1 and user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    if member.is_none() {
        return Err(StoreError::NotFound(format!("User {user_id} is not an active member of this organization.")));
    }
    let old: Option<i64> =
        sqlx::query_scalar("select users_role_id from team_members where team_id = $1 and user_id = $2")
            .bind(team_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let entry = NewEntry::new(org_id, Some(by), ev::TEAM_ROLE_CHANGED, user_id).team(team_id);
    record(tx, entry.detail(json!({"oldUsersRoleId": old, "usersRoleId": role}))).await?;
    match role {
        Some(role) => {
            sqlx::query(
                "insert into team_members (team_id, user_id, users_role_id, created_at) values ($1, $2, $3, $4)
                     on conflict (team_id, user_id) do update set users_role_id = excluded.users_role_id",
            )
            .bind(team_id)
            .bind(user_id)
            .bind(role)
            .bind(Created(now))
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("delete from team_members where team_id = $1 and user_id = $2")
                .bind(team_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}
